package ai.t2l.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes GGUF version 3 files, the format of llama.cpp and Ollama (ggml's docs/gguf.md): magic "GGUF", version,
 * tensor and key-value counts, the key-values, the tensor infos (name, dimensions fastest-first, ggml type, offset),
 * padding to {@code general.alignment} (32), then the tensor data, each tensor aligned. Little-endian throughout.
 * Tensor data is pulled from suppliers one tensor at a time, so a whole model never sits in memory; the file is
 * written beside its target and renamed into place.
 */
public final class GgufWriter {
    public static final int ALIGNMENT = 32;

    /** The ggml element types we write (ggml.h enum ggml_type). */
    public enum TensorType {
        F32(0, 4), F16(1, 2), BF16(30, 2);

        public final int id;
        public final int bytes;

        TensorType(int id, int bytes) {
            this.id = id;
            this.bytes = bytes;
        }
    }

    /** GGUF metadata value types (gguf.h enum gguf_type). */
    enum ValueType {
        UINT8(0), INT8(1), UINT16(2), INT16(3), UINT32(4), INT32(5), FLOAT32(6), BOOL(7), STRING(8), ARRAY(9),
        UINT64(10), INT64(11), FLOAT64(12);

        final int id;

        ValueType(int id) {
            this.id = id;
        }
    }

    private record Value(ValueType type, ValueType elementType, Object value) {}

    private record Tensor(String name, long[] shape, TensorType type, Supplier<float[]> data) {
        long bytes() {
            return FloatTensor.numel(shape) * type.bytes;
        }
    }

    private final Map<String, Value> kv = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();

    public GgufWriter putString(String key, String value) {
        return put(key, new Value(ValueType.STRING, null, value));
    }

    public GgufWriter putU32(String key, long value) {
        if (value < 0 || value > 0xFFFFFFFFL) {
            throw new IllegalArgumentException(key + ": " + value + " does not fit uint32");
        }
        return put(key, new Value(ValueType.UINT32, null, value));
    }

    public GgufWriter putI32(String key, int value) {
        return put(key, new Value(ValueType.INT32, null, value));
    }

    public GgufWriter putF32(String key, float value) {
        return put(key, new Value(ValueType.FLOAT32, null, value));
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, new Value(ValueType.BOOL, null, value));
    }

    public GgufWriter putStrings(String key, List<String> values) {
        return put(key, new Value(ValueType.ARRAY, ValueType.STRING, List.copyOf(values)));
    }

    public GgufWriter putI32s(String key, int[] values) {
        return put(key, new Value(ValueType.ARRAY, ValueType.INT32, values.clone()));
    }

    public GgufWriter putF32s(String key, float[] values) {
        return put(key, new Value(ValueType.ARRAY, ValueType.FLOAT32, values.clone()));
    }

    private GgufWriter put(String key, Value v) {
        if (kv.containsKey(key)) {
            throw new IllegalArgumentException("GGUF key '" + key + "' written twice");
        }
        kv.put(key, v);
        return this;
    }

    /**
     * Adds a tensor.
     *
     * @param shape row-major shape as in PyTorch/safetensors (e.g. [out, in]); the file stores it reversed, as
     *              ggml's ne (fastest dimension first), exactly as gguf-py's writer does
     * @param data  supplies the row-major float32 values when the tensor is written
     */
    public GgufWriter addTensor(String name, long[] shape, TensorType type, Supplier<float[]> data) {
        for (Tensor t : tensors) {
            if (t.name().equals(name)) {
                throw new IllegalArgumentException("GGUF tensor '" + name + "' added twice");
            }
        }
        if (name.getBytes(StandardCharsets.UTF_8).length >= 64) {
            throw new IllegalArgumentException("GGUF tensor name '" + name + "' is longer than ggml's 63 bytes");
        }
        tensors.add(new Tensor(name, shape.clone(), type, data));
        return this;
    }

    public void write(java.nio.file.Path target) {
        AtomicFiles.writeFile(target, tmp -> {
            try (OutputStream os = new BufferedOutputStream(java.nio.file.Files.newOutputStream(tmp), 1 << 20)) {
                writeTo(os);
            }
        });
    }

    private void writeTo(OutputStream raw) throws IOException {
        Out out = new Out(raw);
        out.bytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        out.u32(3);
        out.u64(tensors.size());
        out.u64(kv.size());
        for (Map.Entry<String, Value> e : kv.entrySet()) {
            out.string(e.getKey());
            out.u32(e.getValue().type().id);
            writeValue(out, e.getValue());
        }
        long offset = 0;
        for (Tensor t : tensors) {
            out.string(t.name());
            out.u32(t.shape().length);
            for (int i = t.shape().length - 1; i >= 0; i--) {
                out.u64(t.shape()[i]);
            }
            out.u32(t.type().id);
            out.u64(offset);
            offset = align(offset + t.bytes());
        }
        out.pad();
        for (Tensor t : tensors) {
            float[] d = t.data().get();
            if (d.length != FloatTensor.numel(t.shape())) {
                throw new T2lException("GGUF tensor '" + t.name() + "': " + d.length + " values for shape "
                        + java.util.Arrays.toString(t.shape()));
            }
            out.floats(d, t.type());
            out.pad();
        }
    }

    private static void writeValue(Out out, Value v) throws IOException {
        switch (v.type()) {
            case STRING -> out.string((String) v.value());
            case UINT32 -> out.u32((Long) v.value());
            case INT32 -> out.u32((Integer) v.value());
            case FLOAT32 -> out.u32(Float.floatToRawIntBits((Float) v.value()));
            case BOOL -> out.u8((Boolean) v.value() ? 1 : 0);
            case ARRAY -> {
                out.u32(v.elementType().id);
                switch (v.elementType()) {
                    case STRING -> {
                        @SuppressWarnings("unchecked")
                        List<String> l = (List<String>) v.value();
                        out.u64(l.size());
                        for (String s : l) {
                            out.string(s);
                        }
                    }
                    case INT32 -> {
                        int[] a = (int[]) v.value();
                        out.u64(a.length);
                        for (int x : a) {
                            out.u32(x);
                        }
                    }
                    case FLOAT32 -> {
                        float[] a = (float[]) v.value();
                        out.u64(a.length);
                        for (float x : a) {
                            out.u32(Float.floatToRawIntBits(x));
                        }
                    }
                    default -> throw new IllegalStateException(v.elementType().toString());
                }
            }
            default -> throw new IllegalStateException(v.type().toString());
        }
    }

    static long align(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** Little-endian primitives with a running byte count (for alignment padding). */
    private static final class Out {
        private final OutputStream os;
        private final ByteBuffer buf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        private long written;

        Out(OutputStream os) {
            this.os = os;
        }

        void bytes(byte[] b) throws IOException {
            os.write(b);
            written += b.length;
        }

        void u8(int v) throws IOException {
            os.write(v);
            written++;
        }

        void u32(long v) throws IOException {
            buf.clear();
            buf.putInt(0, (int) v);
            os.write(buf.array(), 0, 4);
            written += 4;
        }

        void u64(long v) throws IOException {
            buf.clear();
            buf.putLong(0, v);
            os.write(buf.array(), 0, 8);
            written += 8;
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            bytes(b);
        }

        void pad() throws IOException {
            while (written % ALIGNMENT != 0) {
                u8(0);
            }
        }

        void floats(float[] d, TensorType type) throws IOException {
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            int per = chunk.capacity() / type.bytes;
            for (int i = 0; i < d.length; i += per) {
                int n = Math.min(per, d.length - i);
                chunk.clear();
                for (int j = 0; j < n; j++) {
                    switch (type) {
                        case F32 -> chunk.putFloat(j * 4, d[i + j]);
                        case F16 -> chunk.putShort(j * 2, Half.fromFloat(d[i + j]));
                        case BF16 -> chunk.putShort(j * 2, Half.bf16FromFloat(d[i + j]));
                        default -> throw new IllegalStateException();
                    }
                }
                os.write(chunk.array(), 0, n * type.bytes);
                written += (long) n * type.bytes;
            }
        }
    }
}
