package ai.t2l.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StopFilterTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                // tokens, stops, text passed on, matched
                Arguments.of(List.of("a", "b", "c"), List.of(), "abc", false),
                Arguments.of(List.of("hello", " wor", "ld"), List.of("world"), "hello ", true),
                Arguments.of(List.of("x", "EN", "D", "y"), List.of("END"), "x", true),
                Arguments.of(List.of("x", "EN", "y"), List.of("END"), "xENy", false), // a partial match released
                Arguments.of(List.of("ab", "cd"), List.of("bc", "d"), "a", true), // the earliest stop wins
                Arguments.of(List.of("abc"), List.of("abc"), "", true),
                Arguments.of(List.of("a\n", "\nb"), List.of("\n\n"), "a", true),
                Arguments.of(List.of("E", "E", "N", "D"), List.of("END"), "E", true));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void passesTextUpToTheFirstStop(List<String> tokens, List<String> stops, String expected, boolean matched) {
        List<String> sent = new ArrayList<>();
        StopFilter f = new StopFilter(stops, piece -> sent.add(piece));
        for (String t : tokens) {
            if (!f.onToken(t)) {
                break;
            }
        }
        f.flush();
        assertEquals(expected, String.join("", sent), "text sent downstream");
        assertEquals(expected, f.text());
        assertEquals(matched, f.matched());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void neverSendsAnyPartOfAStopString(List<String> tokens, List<String> stops, String expected, boolean matched) {
        if (!matched) {
            return;
        }
        StringBuilder sent = new StringBuilder();
        StopFilter f = new StopFilter(stops, piece -> {
            sent.append(piece);
            return true;
        });
        tokens.forEach(f::onToken);
        assertEquals(expected, sent.toString(), "already before flush");
    }

    @org.junit.jupiter.api.Test
    void aGoneClientStopsTheFilter() {
        StopFilter f = new StopFilter(List.of(), piece -> false);
        assertEquals(false, f.onToken("a"));
        assertEquals(true, f.downstreamGone());
        assertEquals(false, f.matched());
    }
}
