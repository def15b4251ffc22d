package ai.t2l.train;

import java.io.PrintStream;
import java.util.Locale;

/** Progress reports from a trainer; the CLI draws a bar, core prints plain lines, tests stay quiet. */
public interface TrainListener {
    TrainListener NONE = new TrainListener() {};

    default void onStart(String kind, long startStep, long totalSteps) {}

    /** After every optimiser step. */
    default void onStep(long step, long totalSteps, double loss, double lr, double tokensPerSecond) {}

    /** Validation results, truncation reports, early stopping, saved files. */
    default void onMessage(String line) {}

    default void onEnd(long step) {}

    /** One text line every {@code every} steps: step/total, loss, lr, tokens/s, ETA. */
    static TrainListener text(PrintStream out, int every) {
        return new TrainListener() {
            long t0;
            long s0;

            @Override
            public void onStart(String kind, long startStep, long totalSteps) {
                t0 = System.nanoTime();
                s0 = startStep;
                out.printf(Locale.ROOT, "%s: steps %d..%d%n", kind, startStep, totalSteps);
            }

            @Override
            public void onStep(long step, long total, double loss, double lr, double tps) {
                if (step % every == 0 || step == total) {
                    double secs = (System.nanoTime() - t0) / 1e9;
                    double perStep = secs / Math.max(1, step - s0);
                    out.printf(Locale.ROOT, "step %d/%d loss %.4f lr %.3g %.0f tok/s eta %.0fs%n", step, total, loss,
                            lr, tps, perStep * (total - step));
                }
            }

            @Override
            public void onMessage(String line) {
                out.println(line);
            }
        };
    }
}
