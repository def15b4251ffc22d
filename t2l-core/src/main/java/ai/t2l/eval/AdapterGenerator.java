package ai.t2l.eval;

import java.nio.file.Path;

/** Turns a task description into a PEFT adapter folder (the T2L hypernetwork, spec §8.3). */
public interface AdapterGenerator extends AutoCloseable {
    /** Writes the adapter for {@code description} into {@code adapterDir} (created) and returns it. */
    Path generate(String description, Path adapterDir);

    @Override
    default void close() {}
}
