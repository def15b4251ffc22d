package ai.t2l.generate;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * How to continue a prompt. Start from {@link #greedy} and set the rest by name.
 *
 * @param maxNewTokens at most this many new tokens per row
 * @param eosIds       stop a row when it generates any of these (empty: never)
 * @param sampler      {@link Sampler#GREEDY} or {@link Sampler#temperature}
 * @param seed         seeds each row's random generator (row r uses seed and r), so a seed fixes the output
 * @param stopStrings  stop a row when its decoded continuation contains one of these
 * @param decoder      token ids -> text, needed for stop strings (the tokenizer's decode)
 */
public record GenerationConfig(int maxNewTokens, Set<Integer> eosIds, Sampler sampler, long seed,
        List<String> stopStrings, Function<int[], String> decoder) {
    public GenerationConfig {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        }
        eosIds = Set.copyOf(eosIds);
        stopStrings = List.copyOf(stopStrings);
        if (!stopStrings.isEmpty() && decoder == null) {
            throw new IllegalArgumentException("stop strings need a decoder (token ids -> text)");
        }
    }

    public static GenerationConfig greedy(int maxNewTokens) {
        return new GenerationConfig(maxNewTokens, Set.of(), Sampler.GREEDY, 0, List.of(), null);
    }

    public GenerationConfig withEos(Collection<Integer> ids) {
        return new GenerationConfig(maxNewTokens, Set.copyOf(ids), sampler, seed, stopStrings, decoder);
    }

    public GenerationConfig withSampler(Sampler s, long newSeed) {
        return new GenerationConfig(maxNewTokens, eosIds, s, newSeed, stopStrings, decoder);
    }

    public GenerationConfig withStopStrings(List<String> stops, Function<int[], String> decode) {
        return new GenerationConfig(maxNewTokens, eosIds, sampler, seed, stops, decode);
    }
}
