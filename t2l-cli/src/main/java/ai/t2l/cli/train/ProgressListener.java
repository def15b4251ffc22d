package ai.t2l.cli.train;

import ai.t2l.cli.Terminal;
import ai.t2l.train.TrainListener;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;

/** A console bar on stderr for a training run: step/total, steps per second, ETA, and the latest loss and lr. */
final class ProgressListener implements TrainListener, AutoCloseable {
    private final PrintStream err;
    private ProgressBar bar;

    ProgressListener(PrintStream err) {
        this.err = err;
    }

    @Override
    public void onStart(String kind, long startStep, long totalSteps) {
        close();
        if (totalSteps > 0 && startStep >= totalSteps) { // --resume of a run that already ended
            err.println("note: " + kind + " is already finished (step " + startStep + " of " + totalSteps
                    + "); nothing left to train");
            return;
        }
        bar = Terminal.bar(kind, totalSteps, err)
                .startsFrom(startStep, Duration.ZERO).showSpeed().setUnit(" steps", 1).setUpdateIntervalMillis(500).build();
    }

    @Override
    public void onStep(long step, long totalSteps, double loss, double lr, double tokensPerSecond) {
        if (bar != null) {
            bar.stepTo(step);
            bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f lr %.2e %.0f tok/s", loss, lr, tokensPerSecond));
        }
    }

    @Override
    public void onMessage(String line) {
        err.println(line);
    }

    @Override
    public void onEnd(long step) {
        close();
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
