package ai.t2l.eval.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The Python side of the sandbox, read once from the resource bootstrap.py. */
final class Bootstrap {
    static final String SOURCE = load();

    private Bootstrap() {}

    private static String load() {
        try (InputStream in = Bootstrap.class.getResourceAsStream("/ai/t2l/eval/sandbox/bootstrap.py")) {
            if (in == null) {
                throw new IllegalStateException("resource /ai/t2l/eval/sandbox/bootstrap.py is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
