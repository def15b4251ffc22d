package ai.t2l.compute;

import ai.t2l.ExternalTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;

/**
 * Builds the native bf16 dot library ({@link Bf16Dot}) with the launcher's own script into a temporary folder, once
 * per test JVM, and loads it. A CPU without AVX512_BF16 skips the calling test (even in CI: the instructions cannot
 * run there); a machine that has them but cannot build the library (no C compiler) skips it, or fails it in CI.
 */
public final class Bf16DotLibrary {
    private static Boolean ready;

    private Bf16DotLibrary() {}

    /** Whether this CPU lists AVX512_BF16 (Linux's /proc/cpuinfo). */
    public static boolean cpuHasIt() {
        return cpuLists("avx512_bf16");
    }

    /** Loads the library or skips (in CI, fails where the CPU has the instructions). */
    public static synchronized void require() {
        Assumptions.assumeTrue(cpuHasIt(), "this CPU has no AVX512_BF16: the bf16 dot library cannot run here");
        if (ready == null) {
            ready = build();
        }
        ExternalTools.unavailable(ready, "the bf16 dot library did not build or load (it needs cc and the JDK's"
                + " jni.h; install gcc, .ci/run does): " + Bf16Dot.whyUnavailable());
    }

    /**
     * {@link #require}, and the int8 products ({@link Int8Rows}): skipped where the CPU lacks AVX512_VNNI or
     * AVX512_VBMI, failed where it lists both and they do not run.
     */
    public static void requireInt8() {
        require();
        boolean listed = cpuLists("avx512_vnni") && cpuLists("avx512vbmi");
        Assumptions.assumeTrue(listed, "this CPU has no AVX512_VNNI / AVX512_VBMI: the int8 products cannot run here");
        org.junit.jupiter.api.Assertions.assertTrue(Int8Rows.available(), "the CPU lists AVX512_VNNI and AVX512_VBMI"
                + " but the library's int8 products do not run");
    }

    private static boolean cpuLists(String flag) {
        try {
            return Files.readString(Path.of("/proc/cpuinfo"), StandardCharsets.ISO_8859_1).matches(
                    "(?s).*\\b" + flag + "\\b.*");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean build() {
        String script = "t2l-core/src/main/native/bf16-dot.sh";
        Path root = Paths.get("").toAbsolutePath();
        while (root != null && !Files.isRegularFile(root.resolve(script))) {
            root = root.getParent();
        }
        if (root == null) {
            return false;
        }
        try {
            Path dir = Files.createTempDirectory("t2l-bf16-dot");
            Path lib = dir.resolve("libt2l-bf16-dot.so");
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process p = new ProcessBuilder("bash", root.resolve(script).toString(), root.toString(), java.toString(),
                    lib.toString()).redirectErrorStream(true).start();
            String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0 || !printed.equals(lib.toString())) {
                System.err.println("[t2l tests] bf16-dot.sh printed: " + printed);
                return false;
            }
            dir.toFile().deleteOnExit(); // before the file: deleted in the reverse order
            lib.toFile().deleteOnExit();
            return Bf16Dot.load(lib);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
