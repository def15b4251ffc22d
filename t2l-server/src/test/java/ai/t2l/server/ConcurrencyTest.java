package ai.t2l.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The default suite's concurrency check: {@link LoadTest}'s mix (adapter generation, chats whole and streamed, base
 * chats, constant eviction) at 4 clients x 12 requests, every answer checked against its own adapter. The 16 x 50
 * version runs with {@code -Pload}.
 */
@Timeout(300)
class ConcurrencyTest {
    @Test
    void fourClientsTwelveRequestsEachGetTheirOwnAdaptersAnswers() throws Exception {
        LoadTest.run(4, 12);
    }
}
