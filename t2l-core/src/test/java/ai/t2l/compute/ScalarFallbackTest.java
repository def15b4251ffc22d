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
        float[] w = {1, 2, 3, 4, 5, 6}; // (3, 2)
        float[] out = new float[HeadProduct.FEATURES_PER_BLOCK * HeadProduct.ROWS_PER_BLOCK];
        HeadKernel k = HeadKernel.BEST;
        if (k == null || Kernels.best() == null || F32Kernel.best() == null) {
            System.out.println("no kernel");
            return;
        }
        float[] panel = new float[HeadProduct.FEATURES_PER_BLOCK * 2];
        System.arraycopy(w, 0, panel, 0, w.length);
        float[] xt = new float[2 * HeadProduct.ROWS_PER_BLOCK];
        xt[0] = 1;
        xt[HeadProduct.ROWS_PER_BLOCK] = 1;
        k.block(panel, 2, xt, out);
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
