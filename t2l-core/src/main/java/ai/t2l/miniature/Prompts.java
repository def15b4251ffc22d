package ai.t2l.miniature;

import java.util.List;

/**
 * The user turns of the two prompting baselines (issue 14 item 1), shared by the base model's training and by the
 * evaluation so that "base + description in prompt" and "base + 3 in-context examples" are asked exactly as the base
 * was taught. A description comes first, then a blank line, then the example's own prompt (the reference's
 * evaluation does the same with its descriptions). In-context examples are compact, one "prompt => answer" per line,
 * to keep the character-level sequences short (a reference-style "## Example 1 / Input: / Output:" block would triple
 * the length of every base training row that carries one).
 */
public final class Prompts {
    private Prompts() {}

    public static String withDescription(String description, Example e) {
        return description + "\n\n" + e.prompt();
    }

    public static String withExamples(List<Example> shots, Example e) {
        StringBuilder sb = new StringBuilder();
        for (Example s : shots) {
            sb.append(s.prompt()).append(" => ").append(s.response()).append('\n');
        }
        return sb.append(e.prompt()).toString();
    }

    /**
     * The base model's rows (issue 14 item 1): row i is asked in turn bare (i mod 3 = 0), after one of the task's
     * {@code descriptions} (1), or after 3 examples drawn from {@code shotPool} (2), never the row itself when
     * {@code rows} is the pool. Seeded from (seed, task, what), so the same call gives the same rows.
     */
    public static List<Example> mixed(List<Example> rows, List<Example> shotPool, List<String> descriptions, long seed,
            Task task, String what) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(Seeds.mix(seed, task.name(), "prompts-" + what));
        boolean rowsArePool = rows == shotPool;
        List<Example> out = new java.util.ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Example e = rows.get(i);
            switch (i % 3) {
                case 0 -> out.add(e);
                case 1 -> out.add(reprompt(e, withDescription(descriptions.get(rng.nextInt(descriptions.size())), e)));
                default -> {
                    List<Example> shots = new java.util.ArrayList<>(3);
                    java.util.Set<Integer> used = new java.util.HashSet<>();
                    while (shots.size() < 3) {
                        int j = rng.nextInt(shotPool.size());
                        if ((rowsArePool && j == i) || !used.add(j)) {
                            continue;
                        }
                        shots.add(shotPool.get(j));
                    }
                    out.add(reprompt(e, withExamples(shots, e)));
                }
            }
        }
        return out;
    }

    /** The same example with another user turn (a baseline's prompt); input and answer are unchanged. */
    public static Example reprompt(Example e, String prompt) {
        return new Example(e.input(), prompt, e.response());
    }
}
