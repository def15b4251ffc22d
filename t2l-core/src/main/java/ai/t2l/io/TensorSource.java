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

    /** The stored element type; sources built in memory hold float32. */
    default DType dtype(String name) {
        shape(name); // names a missing tensor
        return DType.F32;
    }

    /** Whether {@link #mapBytes} can hand out the stored bytes in place (files on disk). */
    default boolean canMap() {
        return false;
    }

    /**
     * {@code length} raw little-endian bytes of a tensor's data, starting {@code offset} bytes in, memory-mapped
     * (at most 2 GiB per call): weights used in their stored precision without a copy.
     */
    default java.nio.ByteBuffer mapBytes(String name, long offset, long length) {
        throw new T2lException(describe() + ": tensor '" + name + "' cannot be memory-mapped from this source");
    }

    /** Where the tensors come from, for error messages. */
    String describe();

    /** The file that holds one tensor (for error messages); the whole source when not known. */
    default String locate(String name) {
        return describe();
    }

    @Override
    void close();
}
