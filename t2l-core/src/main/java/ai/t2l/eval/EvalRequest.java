package ai.t2l.eval;

import ai.t2l.eval.bench.Benchmark;
import ai.t2l.io.T2lException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@code t2l eval run} asks for: a base model folder, at most one of an adapter folder or a T2L
 * checkpoint folder, the tasks, the prompt options, and how to run ({@link EvalSettings}). For T2L, the
 * description data folder and the seed of the "other task's descriptions" draw.
 */
public record EvalRequest(Path modelDir, Optional<Path> adapterDir, Optional<Path> t2lDir, List<Benchmark> tasks,
                          PromptOptions prompts, EvalSettings settings, Path descriptionsDir, long seed,
                          ai.t2l.eval.t2l.T2lMode t2lMode) {
    /** {@code t2lMode} null: the protocol the checkpoint calls for ({@code --t2l-protocol auto}). */
    public EvalRequest(Path modelDir, Optional<Path> adapterDir, Optional<Path> t2lDir, List<Benchmark> tasks,
                       PromptOptions prompts, EvalSettings settings, Path descriptionsDir, long seed) {
        this(modelDir, adapterDir, t2lDir, tasks, prompts, settings, descriptionsDir, seed, null);
    }

    public EvalRequest withT2lMode(ai.t2l.eval.t2l.T2lMode mode) {
        return new EvalRequest(modelDir, adapterDir, t2lDir, tasks, prompts, settings, descriptionsDir, seed, mode);
    }

    public EvalRequest {
        if (adapterDir.isPresent() && t2lDir.isPresent()) {
            throw new T2lException("give either --adapter or --t2l, not both");
        }
        if (tasks.isEmpty()) {
            throw new T2lException("no task to evaluate");
        }
    }

    public static EvalRequest base(Path modelDir, List<Benchmark> tasks, PromptOptions prompts, EvalSettings settings) {
        return new EvalRequest(modelDir, Optional.empty(), Optional.empty(), tasks, prompts, settings, null, 42);
    }

    /** The model's name in row labels: its folder name. */
    public String modelName() {
        Path n = modelDir.toAbsolutePath().normalize().getFileName();
        return n == null ? modelDir.toString() : n.toString();
    }
}
