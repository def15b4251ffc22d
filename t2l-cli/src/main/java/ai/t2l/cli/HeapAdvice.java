package ai.t2l.cli;

import ai.t2l.compute.HeapSizing;
import ai.t2l.compute.MemoryCheck;
import ai.t2l.compute.WeightPrecision;
import ai.t2l.model.ModelConfig;
import ai.t2l.model.RealShapes;
import ai.t2l.model.Transformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Run by the {@code t2l} launcher before the real JVM starts (only when T2L_JAVA_OPTS is unset): prints the JVM
 * heap options the command's model needs (see {@link HeapSizing}) after {@link #MARKER}, or nothing, in which case the launcher keeps its
 * default. It reads only the model folder's config and safetensors headers (no engine, well under a second), and
 * anything it cannot work out (no model, a bad folder, an unknown value) prints nothing: the command itself then
 * reports the problem with its usual error.
 */
public final class HeapAdvice {
    /** Commands that load a base model for inference (bench: {@code bench decode}). */
    private static final Set<String> MODEL_COMMANDS = Set.of("run", "serve", "logits", "eval", "generate", "bench");

    private HeapAdvice() {}

    /** The launcher reads only the line starting with this (a JVM may print other lines, e.g. its flags). */
    static final String MARKER = "t2l-jvm-options: ";

    /** The line of environment settings (NAME=VALUE, space-separated; the launcher exports only glibc's MALLOC_ ones). */
    static final String ENV_MARKER = "t2l-env: ";

    public static void main(String[] args) {
        try {
            Advice a = advise(args, MemoryCheck.meminfo("MemTotal:"));
            System.out.println(MARKER + String.join(" ", a.jvmOptions()));
            System.out.println(ENV_MARKER + String.join(" ", a.environment()));
        } catch (RuntimeException e) {
            System.out.println(MARKER); // the command itself will say what is wrong
        }
    }

    /** JVM options and environment settings for one command line. */
    record Advice(List<String> jvmOptions, List<String> environment) {
        static final Advice NONE = new Advice(List.of(), List.of());
    }

    /** The options for this command line; empty when the launcher's default should stay. */
    static List<String> options(String[] args, long physical) {
        return advise(args, physical).jvmOptions();
    }

    /** The malloc environment for this command line ({@link HeapSizing#mallocEnvironment}); often empty. */
    static List<String> environment(String[] args, long physical) {
        return advise(args, physical).environment();
    }

    static Advice advise(String[] args, long physical) {
        if (args.length == 0 || !MODEL_COMMANDS.contains(args[0])) {
            return Advice.NONE;
        }
        String model = value(args, "--model");
        if (model == null && args[0].equals("bench")) {
            model = value(args, "--out"); // bench decode --shape NAME --out DIR, once DIR has been written
        }
        String weights = value(args, "--weights");
        WeightPrecision p = weights == null ? WeightPrecision.AUTO : WeightPrecision.parse(weights);
        Transformer.Size size;
        if (model != null && Files.isRegularFile(Path.of(model, "config.json"))) {
            size = Transformer.size(Path.of(model));
        } else if (args[0].equals("bench") && value(args, "--shape") != null
                && RealShapes.NAMES.contains(value(args, "--shape"))) {
            // the shape's folder is written by this very run (as bf16): size the heap from its config, or the first
            // run would get the default heap and peak far above a mapped model's files
            size = Transformer.sizeStoredHalf(ModelConfig.parse(RealShapes.config(value(args, "--shape")), "--shape"));
        } else {
            return Advice.NONE;
        }
        return new Advice(HeapSizing.jvmOptions(p, size.storedHalf(), size.matrixParams(), physical),
                HeapSizing.mallocEnvironment(p, size.storedHalf()));
    }

    /** The value of {@code --name VALUE} or {@code --name=VALUE}; the last one wins, as picocli does. */
    static String value(String[] args, String name) {
        String found = null;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals(name) && i + 1 < args.length) {
                found = args[++i];
            } else if (args[i].startsWith(name + "=")) {
                found = args[i].substring(name.length() + 1);
            }
        }
        return found;
    }
}
