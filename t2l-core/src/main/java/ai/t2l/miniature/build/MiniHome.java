package ai.t2l.miniature.build;

import java.nio.file.Path;
import java.nio.file.Paths;

/** The embedded miniature's folder: {@code miniature/} at the repository root ({@code -Dt2l.home}, set by ./t2l). */
public final class MiniHome {
    private MiniHome() {}

    public static Path defaultDir() {
        String home = System.getProperty("t2l.home", System.getenv().getOrDefault("T2L_HOME", "."));
        return Paths.get(home).resolve("miniature");
    }

    /** PyTorch on one thread unless the user chose otherwise: reproducible sums, and no contention on shared CPUs. */
    public static void singleThreadedUnlessSet() {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }
}
