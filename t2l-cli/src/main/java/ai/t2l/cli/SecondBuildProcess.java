package ai.t2l.cli;

import ai.t2l.io.JvmCommand;
import ai.t2l.miniature.build.MiniatureBuild;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The second JVM of {@code t2l miniature build} (see {@link MiniatureBuild#run(MiniatureBuild.Worker)}): this JVM's
 * own command line (java, its options, class path) running {@code miniature build --only STAGES} on the same
 * folder. Its output goes to our stderr line by line, each line marked with its stages; it is stopped if this JVM
 * exits first.
 */
final class SecondBuildProcess implements MiniatureBuild.Worker {
    private final Path dir;
    private final long seed;
    private final boolean reduced;
    private final PrintWriter err;

    SecondBuildProcess(Path dir, long seed, boolean reduced, PrintWriter err) {
        this.dir = dir;
        this.seed = seed;
        this.reduced = reduced;
        this.err = err;
    }

    @Override
    public Process start(Set<String> stages) throws IOException {
        String only = String.join(",", new TreeSet<>(stages));
        List<String> args = new ArrayList<>(List.of("miniature", "build", "--out", dir.toString(), "--seed",
                Long.toString(seed), "--only", only));
        if (reduced) {
            args.add("--reduced");
        }
        List<String> cmd = JvmCommand.sameJvm(Main.class.getName(), args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread stop = new Thread(p::destroy, "stop the second build process");
        Runtime.getRuntime().addShutdownHook(stop);
        Thread relay = new Thread(() -> relay(p, "[" + only + "] ", stop), "second build process output");
        relay.setDaemon(true);
        relay.start();
        err.println("stages " + only + ": in a second process (pid " + p.pid() + "), their lines are marked [" + only
                + "]");
        err.flush();
        return p;
    }

    private void relay(Process p, String mark, Thread stop) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                synchronized (err) {
                    err.println(mark + line);
                    err.flush();
                }
            }
        } catch (IOException e) {
            // the process went away; its exit code says how
        }
        try {
            Runtime.getRuntime().removeShutdownHook(stop);
        } catch (IllegalStateException e) {
            // the JVM is already exiting: the hook stops the process
        }
    }
}
