package ai.t2l.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A JVM without the Vector API (a library user who does not pass {@code --add-modules jdk.incubator.vector}, or
 * {@code -Dt2l.compute.scalar=true}) must get the plain-Java kernels, not none: HeadKernel.BEST was once null there,
 * because it was initialised before the SCALAR it falls back to. Interface fields initialise once per JVM, so the
 * check runs in a child JVM.
 */
class ScalarFallbackTest {
    /** Child JVM: prints "ok" when every kernel has a fallback and the head product works with it. */
    public static void main(String[] args) {
        float[] out = new float[HeadProduct.FEATURES_PER_PANEL * HeadProduct.ROWS_PER_TILE];
        HeadKernel k = HeadKernel.BEST;
        if (k == null || Kernels.best() == null || F32Kernel.best() == null) {
            System.out.println("no kernel");
            return;
        }
        // W (1, 2) = [1, 2] packed k-major (rows 0-15 of the panel first, 16-31 after), x row 0 = [1, 1]: y[0][0] = 3
        float[] panel = new float[HeadProduct.FEATURES_PER_PANEL * 2];
        panel[0] = 1;
        panel[HeadProduct.FEATURES_PER_PANEL / 2] = 2;
        float[] xb = new float[2 * HeadProduct.ROWS_PER_TILE];
        xb[0] = 1;
        xb[HeadProduct.ROWS_PER_TILE] = 1;
        k.tile(panel, 0, HeadProduct.FEATURES_PER_PANEL, 2, xb, out);
        System.out.println(out[0] == 3f && !HeadProduct.fast() ? "ok" : "wrong: " + out[0] + " " + HeadProduct.fast());
    }

    @Test
    @Timeout(60)
    void withoutTheVectorApiEveryKernelFallsBackToPlainJava() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(java, "-Dt2l.compute.scalar=true", "-cp", System.getProperty("java.class.path"),
                ScalarFallbackTest.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor(30, TimeUnit.SECONDS);
        assertEquals("ok", out.lines().reduce((a, b) -> b).orElse(""), out);
    }
}
