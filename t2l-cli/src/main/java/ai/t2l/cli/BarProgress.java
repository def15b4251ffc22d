package ai.t2l.cli;

import ai.t2l.miniature.build.Progress;
import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;

/** Draws each stage of a long job as a progress bar on stderr, and prints one line when it ends. */
final class BarProgress implements Progress {
    private final PrintWriter err;
    private ProgressBar bar;
    private String stage;
    private long t0;

    BarProgress(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void start(String name, long total) {
        stage = name;
        t0 = System.nanoTime();
        if (total > 0) {
            bar = Terminal.bar(name, total, System.err).build();
        }
    }

    @Override
    public void step(long done, String detail) {
        if (bar != null) {
            bar.stepTo(done);
            bar.setExtraMessage(detail);
        }
    }

    @Override
    public void end(String summary) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        err.printf("%s: %s (%.1f s)%n", stage, summary, (System.nanoTime() - t0) / 1e9);
        err.flush();
    }
}
