package ai.t2l.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.regex.Pattern;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars that fit where stderr goes (issue 10 item 15). On a terminal: the redrawn bar, in colour unless
 * NO_COLOR is set (https://no-color.org). Into a file or pipe (no console), or with TERM=dumb: plain lines with no
 * colour or cursor codes, at most one every {@link PlainLines#EVERY_NANOS} and one at the end, so a log stays
 * readable.
 */
public final class Terminal {
    private Terminal() {}

    /** Whether stderr can take a redrawn bar: a console and a terminal that is not "dumb". */
    static boolean interactive(Map<String, String> env, boolean console) {
        return console && !"dumb".equals(env.get("TERM"));
    }

    static boolean colour(Map<String, String> env, boolean console) {
        return interactive(env, console) && env.get("NO_COLOR") == null;
    }

    /** A bar builder for {@code name} with {@code total} steps that draws on {@code err}. */
    public static ProgressBarBuilder bar(String name, long total, PrintStream err) {
        return bar(name, total, err, System.getenv(), System.console() != null);
    }

    static ProgressBarBuilder bar(String name, long total, PrintStream err, Map<String, String> env, boolean console) {
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(name).setInitialMax(total);
        if (interactive(env, console)) {
            return b.setStyle(colour(env, console) ? ProgressBarStyle.COLORFUL_UNICODE_BLOCK : ProgressBarStyle.UNICODE_BLOCK)
                    .setConsumer(new ConsoleProgressBarConsumer(err));
        }
        return b.setStyle(ProgressBarStyle.ASCII).setConsumer(new PlainLines(err));
    }

    /** Whole lines without control codes; throttled, and the last state always printed on close. */
    static final class PlainLines implements ProgressBarConsumer {
        static final long EVERY_NANOS = 30_000_000_000L;
        private static final Pattern CONTROL = Pattern.compile("\u001b\\[[0-9;?]*[A-Za-z]|[\r\u001b]");
        private final PrintStream out;
        private String last;
        private boolean lastPrinted = true;
        private long printedAt = System.nanoTime() - EVERY_NANOS;

        PlainLines(PrintStream out) {
            this.out = out;
        }

        static String clean(String s) {
            return CONTROL.matcher(s).replaceAll("").strip();
        }

        @Override
        public int getMaxRenderedLength() {
            return 150;
        }

        @Override
        public void accept(String rendered) {
            last = clean(rendered);
            lastPrinted = false;
            if (System.nanoTime() - printedAt >= EVERY_NANOS) {
                print();
            }
        }

        private void print() {
            out.println(last);
            out.flush();
            lastPrinted = true;
            printedAt = System.nanoTime();
        }

        @Override
        public void close() {
            if (!lastPrinted && last != null) {
                print();
            }
        }
    }
}
