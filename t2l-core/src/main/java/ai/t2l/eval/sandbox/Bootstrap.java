package ai.t2l.eval.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The Python sides of the sandbox, read once from the resources judge.py (trusted) and candidate.py (contained). */
final class Bootstrap {
    static final String JUDGE = load("judge.py");
    static final String CANDIDATE = load("candidate.py");

    private Bootstrap() {}

    private static String load(String name) {
        String path = "/ai/t2l/eval/sandbox/" + name;
        try (InputStream in = Bootstrap.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("resource " + path + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
