package ai.t2l.io;

import java.util.Set;

/** Named float tensors read on demand: one safetensors file, or the shards of a model folder. */
public interface TensorSource extends AutoCloseable {
    Set<String> names();

    boolean contains(String name);

    /** The stored shape; throws a {@link T2lException} naming the file and tensor when it is missing. */
    long[] shape(String name);

    /** The tensor widened to float32 (F16 and BF16 are converted in Java). */
    FloatTensor read(String name);

    /** Where the tensors come from, for error messages. */
    String describe();

    /** The file that holds one tensor (for error messages); the whole source when not known. */
    default String locate(String name) {
        return describe();
    }

    @Override
    void close();
}
