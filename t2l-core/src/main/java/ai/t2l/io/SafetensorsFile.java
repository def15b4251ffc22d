package ai.t2l.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reader for the safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian header
 * length, a JSON header of {name: {dtype, shape, data_offsets}} plus optional {@code __metadata__}, then the data.
 * The header is validated completely on open, so every later read is in bounds; tensors are memory-mapped one at
 * a time (a single tensor may not exceed 2 GiB, shards of any size are fine).
 */
public final class SafetensorsFile implements TensorSource {
    /** Headers larger than this are refused: real model headers are well under 1 MiB. */
    private static final long MAX_HEADER_BYTES = 100L << 20;

    public record Entry(String name, DType dtype, long[] shape, long begin, long end) {
        public long numel() {
            return FloatTensor.numel(shape);
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path file, FileChannel channel, long dataStart, Map<String, Entry> entries,
            Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path file) {
        InputFiles.requireRegular(file);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new T2lException(file + ": no such file");
        } catch (IOException e) {
            throw new T2lException(file + ": cannot open: " + e.getMessage(), e);
        }
        try {
            return parse(file, ch);
        } catch (RuntimeException | IOException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing
            }
            if (e instanceof T2lException t) {
                throw t;
            }
            throw new T2lException(file + ": cannot read safetensors header: " + e.getMessage(), e);
        }
    }

    private static SafetensorsFile parse(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new T2lException(file + ": truncated safetensors file: " + size + " bytes, expected at least 8");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long headerLen = lenBuf.getLong(0);
        if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || 8 + headerLen > size) {
            throw new T2lException(file + ": invalid safetensors header length " + headerLen + " (file has " + size
                    + " bytes): truncated or not a safetensors file");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
        readFully(ch, hb, 8);
        JsonNode root = parseHeader(file, hb.array());
        long dataStart = 8 + headerLen;
        long dataLen = size - dataStart;
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("__metadata__")) {
                readMetadata(file, f.getValue(), metadata);
                continue;
            }
            entries.put(f.getKey(), parseEntry(file, f.getKey(), f.getValue(), dataLen));
        }
        checkCoverage(file, entries.values(), dataLen);
        return new SafetensorsFile(file, ch, dataStart, Collections.unmodifiableMap(entries),
                Collections.unmodifiableMap(metadata));
    }

    private static Entry parseEntry(Path file, String name, JsonNode node, long dataLen) {
        String where = file + ": tensor '" + name + "'";
        JsonNode dt = node.get("dtype");
        JsonNode shapeNode = node.get("shape");
        JsonNode offs = node.get("data_offsets");
        if (dt == null || shapeNode == null || offs == null || !shapeNode.isArray() || !offs.isArray()
                || offs.size() != 2) {
            throw new T2lException(where + ": header entry needs dtype, shape and two data_offsets, found " + node);
        }
        if (!dt.isTextual()) {
            throw new T2lException(where + ": dtype must be a string, found " + dt);
        }
        DType dtype = DType.parse(dt.asText());
        if (dtype == null) {
            throw new T2lException(where + ": unknown dtype '" + dt.asText()
                    + "' (expected one of " + Arrays.toString(DType.values()) + ")");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            // integers only: the reference refuses "4" and 4.0 where Jackson's asLong would quietly convert them
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw new T2lException(where + ": shape must hold non-negative integers, found " + shapeNode);
            }
            shape[i] = d.asLong();
        }
        for (JsonNode o : offs) {
            if (!o.isIntegralNumber() || !o.canConvertToLong()) {
                throw new T2lException(where + ": data_offsets must be two non-negative integers, found " + offs);
            }
        }
        long begin = offs.get(0).asLong();
        long end = offs.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw new T2lException(where + ": invalid data_offsets " + offs);
        }
        if (end > dataLen) {
            throw new T2lException(where + ": data_offsets " + offs + " run past the end of the data ("
                    + dataLen + " bytes): the file is truncated or the header is wrong");
        }
        long expected;
        try {
            expected = Math.multiplyExact(FloatTensor.numel(shape), dtype.bytes);
        } catch (ArithmeticException e) {
            throw new T2lException(where + ": shape " + shapeNode + " is too large");
        }
        if (end - begin != expected) {
            throw new T2lException(where + ": data_offsets " + offs + " span " + (end - begin) + " bytes but dtype "
                    + dtype + " x shape " + Arrays.toString(shape) + " needs " + expected);
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /**
     * The reference library's rule (safetensors {@code Metadata::validate}): sorted by offset, each tensor starts
     * where the previous one ended, the first at 0, and the last ends at the end of the file. Overlaps (two names
     * for the same bytes), gaps and trailing bytes (data no tensor accounts for) are refused.
     */
    private static void checkCoverage(Path file, Iterable<Entry> all, long dataLen) {
        List<Entry> sorted = new ArrayList<>();
        all.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry prev = null;
        for (Entry cur : sorted) {
            if (cur.begin() < covered) {
                throw new T2lException(file + ": tensors '" + prev.name() + "' " + "[" + prev.begin() + ", "
                        + prev.end() + ") and '" + cur.name() + "' [" + cur.begin() + ", " + cur.end()
                        + ") overlap in the data section");
            }
            if (cur.begin() > covered) {
                throw new T2lException(file + ": data bytes [" + covered + ", " + cur.begin()
                        + ") belong to no tensor (tensor '" + cur.name() + "' starts at " + cur.begin()
                        + ", expected " + covered + "); the header is wrong");
            }
            covered = cur.end();
            prev = cur;
        }
        if (covered != dataLen) {
            throw new T2lException(file + ": the data section has " + dataLen + " bytes but the tensors cover "
                    + covered + "; " + (dataLen - covered) + " trailing bytes belong to no tensor");
        }
    }

    /** Strict UTF-8 (no replacement characters for bad bytes) and no duplicate names, as the reference requires. */
    private static JsonNode parseHeader(Path file, byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new T2lException(file + ": safetensors header is not valid UTF-8 (" + e + ")");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(text);
        } catch (IOException e) {
            String msg = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new T2lException(file + ": safetensors header is not valid JSON: " + msg);
        }
        if (root == null || !root.isObject()) {
            throw new T2lException(file + ": safetensors header must be a JSON object");
        }
        return root;
    }

    private static void readMetadata(Path file, JsonNode meta, Map<String, String> out) {
        if (!meta.isObject()) {
            throw new T2lException(file + ": __metadata__ must be an object of strings, found " + meta);
        }
        meta.fields().forEachRemaining(m -> {
            if (!m.getValue().isTextual()) {
                throw new T2lException(file + ": __metadata__ field '" + m.getKey() + "' must be a string, found "
                        + m.getValue());
            }
            out.put(m.getKey(), m.getValue().asText());
        });
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    public Path file() {
        return file;
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new T2lException(file + ": missing tensor '" + name + "'");
        }
        return e;
    }

    @Override
    public Set<String> names() {
        return entries.keySet();
    }

    @Override
    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    @Override
    public long[] shape(String name) {
        return entry(name).shape().clone();
    }

    @Override
    public String describe() {
        return file.toString();
    }

    @Override
    public FloatTensor read(String name) {
        Entry e = entry(name);
        if (!e.dtype().isFloat()) {
            throw new T2lException(file + ": tensor '" + name + "' has dtype " + e.dtype()
                    + ", expected a float type (F32, F16, BF16, F64)");
        }
        long n = e.numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new T2lException(file + ": tensor '" + name + "' has " + n + " elements, more than one Java array holds");
        }
        ByteBuffer buf = map(e);
        float[] out = new float[(int) n];
        switch (e.dtype()) {
            case F32 -> buf.asFloatBuffer().get(out);
            case F64 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) buf.getDouble(i * 8);
                }
            }
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Half.toFloat(buf.getShort(i * 2));
                }
            }
            case BF16 -> {
                // bfloat16 is the top half of a float32: widen exactly in Java (DJL must never see a bf16 array).
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((buf.getShort(i * 2) & 0xFFFF) << 16);
                }
            }
            default -> throw new IllegalStateException();
        }
        Finite.require(out, e.shape(), file + ": tensor '" + name + "'");
        return new FloatTensor(out, e.shape().clone());
    }

    @Override
    public DType dtype(String name) {
        return entry(name).dtype();
    }

    @Override
    public boolean canMap() {
        return true;
    }

    @Override
    public ByteBuffer mapBytes(String name, long offset, long length) {
        Entry e = entry(name);
        if (offset < 0 || length < 0 || offset + length > e.end() - e.begin() || length > Integer.MAX_VALUE) {
            throw new T2lException(file + ": tensor '" + name + "': bytes [" + offset + ", " + (offset + length)
                    + ") are outside its " + (e.end() - e.begin()) + " bytes");
        }
        try {
            if (channel.size() < dataStart + e.end()) { // the file shrank after it was opened
                throw new T2lException(file + ": truncated: tensor '" + name + "' needs bytes up to "
                        + (dataStart + e.end()) + " but the file now has " + channel.size());
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin() + offset, length)
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException ex) {
            throw new T2lException(file + ": cannot map tensor '" + name + "': " + ex.getMessage(), ex);
        }
    }

    /** The raw little-endian bytes of one tensor. */
    public ByteBuffer map(Entry e) {
        try {
            long len = e.end() - e.begin();
            if (len == 0) {
                return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), len).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException ex) {
            throw new T2lException(file + ": cannot read tensor '" + e.name() + "': " + ex.getMessage(), ex);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only channel
        }
    }
}
