package ai.t2l.compute;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Not a test: batch-1 bf16 products (the skinny kernels and the pool hand-off, on Java arrays) by matrix shape, so
 * that narrow rows (gemma-2-2b: 2304) and few rows (k/v: 1024) can be compared with wide ones at equal bytes. Each
 * shape cycles over about 512 MB of distinct matrices (none stays in L3); the shapes alternate within each round so
 * that the shared machine's load hits all alike. Prints GB/s per shape and round.
 * Run: {@code java --add-modules jdk.incubator.vector -cp CP ai.t2l.compute.DecodeShapeBench [rounds] [rowsxcols...]}.
 */
public final class DecodeShapeBench {
    private DecodeShapeBench() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        String[] shapes = args.length > 1 ? java.util.Arrays.copyOfRange(args, 1, args.length)
                : new String[] {"1024x2304", "2304x2048", "9216x2304", "2304x9216", "4096x4096", "14336x4096"};
        SplittableRandom rng = new SplittableRandom(3);
        long total = 1L << 29; // 512 MB per shape: far more than L3
        HalfMatrix[][] ms = new HalfMatrix[shapes.length][];
        for (int s = 0; s < shapes.length; s++) {
            String[] rc = shapes[s].split("x");
            int rows = Integer.parseInt(rc[0]);
            int cols = Integer.parseInt(rc[1]);
            int count = (int) Math.max(1, total / (2L * rows * cols));
            ms[s] = new HalfMatrix[count];
            for (int i = 0; i < count; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(2 * rows * cols).order(ByteOrder.LITTLE_ENDIAN);
                for (int j = 0; j < rows * cols; j++) {
                    b.putShort(2 * j, ai.t2l.io.Half.bf16FromFloat((float) rng.nextGaussian() * 0.02f));
                }
                ms[s][i] = HalfMatrix.mapped(rows, cols, false, (off, len) -> b.slice((int) off, (int) len));
            }
        }
        for (int round = 0; round < rounds; round++) {
            StringBuilder sb = new StringBuilder("round " + round + ":");
            for (int s = 0; s < shapes.length; s++) {
                sb.append(String.format("  %s %.1f", shapes[s], run(ms[s])));
            }
            System.out.println(sb + "  GB/s");
        }
    }

    private static double run(HalfMatrix[] ms) {
        float[] x = new float[(int) ms[0].cols()];
        java.util.Arrays.fill(x, 0.5f);
        float[] y = new float[(int) ms[0].rows()];
        for (HalfMatrix m : ms) {
            RawProduct.multiply(m, x, y); // warm
        }
        long bytes = 0;
        long t0 = System.nanoTime();
        long t;
        int i = 0;
        do {
            RawProduct.multiply(ms[i], x, y);
            bytes += ms[i].bytes();
            i = (i + 1) % ms.length;
            t = System.nanoTime() - t0;
        } while (t < 700_000_000L);
        return bytes / (double) t;
    }
}
