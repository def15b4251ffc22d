package ai.t2l.io;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes float32 (or, on request, float16) safetensors files the way the Rust serializer lays them out: compact JSON header
 * ({@code __metadata__} first when given), tensors sorted by name, contiguous offsets, header padded with spaces to
 * a multiple of 8 bytes. The file is written to a temporary sibling and renamed into place.
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    public static void write(Path target, Map<String, FloatTensor> tensors, Map<String, String> metadata) {
        AtomicFiles.writeFile(target, tmp -> writeTo(tmp, tensors, metadata, false));
    }

    /** Stores every tensor as F16 (half the bytes; readers widen it back to float32). */
    public static void writeHalf(Path target, Map<String, FloatTensor> tensors, Map<String, String> metadata) {
        AtomicFiles.writeFile(target, tmp -> writeTo(tmp, tensors, metadata, true));
    }

    /** A tensor written in its own dtype (F32, F16 or BF16) from a supplier called once, when its turn comes. */
    public record LazyTensor(String name, DType dtype, long[] shape, java.util.function.Supplier<float[]> data) {
        public LazyTensor {
            if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
                throw new T2lException("tensor '" + name + "': cannot write dtype " + dtype + " (F32, F16 or BF16)");
            }
        }
    }

    /**
     * Writes tensors of mixed float dtypes, reading each one's values only while it is written (a merged 8B model
     * never sits in memory whole); same layout as {@link #write}.
     */
    public static void writeLazy(Path target, List<LazyTensor> tensors, Map<String, String> metadata) {
        Map<String, RawTensor> raw = new TreeMap<>();
        for (LazyTensor t : tensors) {
            raw.put(t.name(), new RawTensor(t.dtype(), t.shape(), out -> writeConverted(t, out)));
        }
        writeRaw(target, raw, metadata);
    }

    /** The tensor's values, fetched now, in its dtype (little-endian), in 64 KiB chunks. */
    private static void writeConverted(LazyTensor t, OutputStream os) throws IOException {
        float[] d = t.data().get();
        if (d.length != FloatTensor.numel(t.shape())) {
            throw new T2lException("tensor '" + t.name() + "': " + d.length + " values for shape "
                    + java.util.Arrays.toString(t.shape()));
        }
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        int width = t.dtype().bytes;
        for (int i = 0; i < d.length; ) {
            int n = Math.min(d.length - i, chunk.capacity() / width);
            for (int j = 0; j < n; j++) {
                switch (t.dtype()) {
                    case F32 -> chunk.putFloat(j * 4, d[i + j]);
                    case F16 -> chunk.putShort(j * 2, Half.fromFloat(d[i + j]));
                    default -> chunk.putShort(j * 2, Half.bf16FromFloat(d[i + j]));
                }
            }
            os.write(chunk.array(), 0, n * width);
            i += n;
        }
    }

    /**
     * Writes tensors of any dtype (e.g. int8 weights with float32 scales, or bf16 shards), streaming each body;
     * the byte count each body writes is checked against its dtype and shape.
     */
    public static void writeRaw(Path target, Map<String, RawTensor> tensors, Map<String, String> metadata) {
        AtomicFiles.writeFile(target, tmp -> writeRawTo(tmp, tensors, metadata));
    }

    private static void writeRawTo(Path out, Map<String, RawTensor> tensors, Map<String, String> metadata)
            throws IOException {
        TreeMap<String, RawTensor> sorted = new TreeMap<>(tensors);
        ObjectNode header = Json.MAPPER.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, RawTensor> e : sorted.entrySet()) {
            RawTensor t = e.getValue();
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", t.dtype().name());
            ArrayNode shape = n.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            n.putArray("data_offsets").add(offset).add(offset + t.byteLength());
            offset += t.byteLength();
        }
        byte[] json = Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            os.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, padded).array());
            os.write(json);
            for (int i = json.length; i < padded; i++) {
                os.write(' ');
            }
            for (Map.Entry<String, RawTensor> e : sorted.entrySet()) {
                long[] count = {0};
                OutputStream counting = new java.io.FilterOutputStream(os) {
                    @Override
                    public void write(int b) throws IOException {
                        os.write(b);
                        count[0]++;
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        os.write(b, off, len);
                        count[0] += len;
                    }
                };
                e.getValue().body().writeTo(counting);
                if (count[0] != e.getValue().byteLength()) {
                    throw new IllegalStateException("tensor '" + e.getKey() + "' wrote " + count[0] + " bytes, expected "
                            + e.getValue().byteLength());
                }
            }
        }
    }

    /** Writes the buffer's contents and empties it. */
    private static void drain(FileChannel ch, ByteBuffer b) throws IOException {
        b.flip();
        while (b.hasRemaining()) {
            ch.write(b);
        }
        b.clear();
    }

    private static void writeTo(Path out, Map<String, FloatTensor> tensors, Map<String, String> metadata,
            boolean half) throws IOException {
        int width = half ? 2 : 4;
        TreeMap<String, FloatTensor> sorted = new TreeMap<>(tensors);
        ObjectNode header = Json.MAPPER.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        List<FloatTensor> order = new ArrayList<>();
        for (Map.Entry<String, FloatTensor> e : sorted.entrySet()) {
            FloatTensor t = e.getValue();
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", half ? "F16" : "F32");
            ArrayNode shape = n.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            long len = (long) width * t.data().length;
            n.putArray("data_offsets").add(offset).add(offset + len);
            offset += len;
            order.add(t);
        }
        byte[] json = Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        // one copy into a direct buffer, then straight to the file: through a stream each MB was copied twice more
        // (BufferedOutputStream, then FileOutputStream's native buffer)
        ByteBuffer chunk = ByteBuffer.allocateDirect(Math.max(1 << 20, 8 + padded)).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            chunk.putLong(padded).put(json);
            for (int i = json.length; i < padded; i++) {
                chunk.put((byte) ' ');
            }
            for (FloatTensor t : order) {
                float[] d = t.data();
                for (int i = 0; i < d.length; ) {
                    if (chunk.remaining() < width) {
                        drain(ch, chunk);
                    }
                    int n = Math.min(d.length - i, chunk.remaining() / width);
                    if (half) {
                        for (int j = 0; j < n; j++) {
                            chunk.putShort(Half.fromFloat(d[i + j]));
                        }
                    } else {
                        chunk.asFloatBuffer().put(d, i, n);
                        chunk.position(chunk.position() + 4 * n);
                    }
                    i += n;
                }
            }
            drain(ch, chunk);
        }
    }
}
