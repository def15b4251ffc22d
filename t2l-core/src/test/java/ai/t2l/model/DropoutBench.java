package ai.t2l.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Not a test: the measurement behind {@link Dropout} (BENCHMARKS.md, "Dropout masks"). In one JVM, alternating A B A
 * B, DJL's {@code Dropout.dropout} (libtorch's bernoulli_ mask) against ours, p = 0.05, on a (3,584, 256) float32
 * array (the width of the miniature sft-S trunk's dropouts), plus a plain multiply for scale. Prints per-call medians
 * over the rounds. Run after {@code mvn -pl t2l-core -am test-compile} and {@code mvn -pl t2l-core
 * dependency:build-classpath -Dmdep.outputFile=cp.txt}:
 * {@code java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1
 * -cp t2l-core/target/classes:t2l-core/target/test-classes:$(cat cp.txt) ai.t2l.model.DropoutBench [rounds]}
 */
public final class DropoutBench {
    private static final int CALLS = 50;

    private DropoutBench() {}

    private interface Op {
        NDArray apply(NDArray x);
    }

    /** Milliseconds per call over {@link #CALLS} calls, each call's arrays freed at once. */
    private static double time(NDManager m, NDArray x, Op op) {
        long t0 = System.nanoTime();
        for (int i = 0; i < CALLS; i++) {
            try (NDManager scope = m.newSubManager()) {
                x.attach(scope);
                op.apply(x).attach(scope);
                x.attach(m);
            }
        }
        return (System.nanoTime() - t0) / 1e6 / CALLS;
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Shape shape = new Shape(3584, 256);
        Op[] ops = {
            x -> ai.djl.nn.norm.Dropout.dropout(x, 0.05f, true).singletonOrThrow(),
            x -> Dropout.apply(x, 0.05f),
            x -> x.mul(2f),
        };
        String[] names = {"libtorch bernoulli_ (DJL Dropout.dropout)", "ours (ai.t2l.model.Dropout)", "plain x * 2"};
        double[][] ms = new double[ops.length][rounds];
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.randomNormal(shape);
            for (Op op : ops) {
                time(m, x, op); // warm-up
            }
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < ops.length; k++) {
                    ms[k][r] = time(m, x, ops[k]);
                }
            }
        }
        System.out.printf("p = 0.05 on %s float32 (%d values), %d rounds x %d calls, load %.2f%n", shape,
                shape.size(), rounds, CALLS,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.println("| op | min ms | median ms | max ms |");
        System.out.println("|---|---|---|---|");
        for (int k = 0; k < ops.length; k++) {
            double[] v = ms[k].clone();
            Arrays.sort(v);
            System.out.printf("| %s | %.2f | %.2f | %.2f |%n", names[k], v[0], v[v.length / 2], v[v.length - 1]);
        }
    }
}
