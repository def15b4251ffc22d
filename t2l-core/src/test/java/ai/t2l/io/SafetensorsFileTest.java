package ai.t2l.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir
    Path tmp;

    @Test
    void readsGoldenModelAndBf16CopyAgrees() {
        try (SafetensorsFile f32 = SafetensorsFile.open(Shared.golden("llama", "model.safetensors"));
                SafetensorsFile bf16 = SafetensorsFile.open(Shared.golden("llama_bf16", "model.safetensors"))) {
            String name = "model.layers.0.self_attn.q_proj.weight";
            assertEquals(DType.F32, f32.entry(name).dtype());
            assertEquals(DType.BF16, bf16.entry(name).dtype());
            float[] a = f32.read(name).data();
            float[] b = bf16.read(name).data();
            assertArrayEquals(new long[] {64, 64}, f32.shape(name));
            for (int i = 0; i < a.length; i++) {
                // bf16 keeps 8 bits of mantissa: relative error below 2^-8
                assertEquals(a[i], b[i], Math.abs(a[i]) / 128 + 1e-30, "element " + i);
            }
        }
    }

    @Test
    void halfWriteRoundsToNearestFloat16AndReadsBack() {
        // exact halves, a value needing rounding (1/3), a subnormal half, overflow, and halfway ties to even
        float[] in = {0, -0f, 1, -2.5f, 65504, 1f / 3, 0x1p-20f, 1e6f, 1 + 0x1p-11f, 1 + 3 * 0x1p-11f, 0.05f};
        float[] want = {0, -0f, 1, -2.5f, 65504, 0.33325195f, 0x1p-20f, Float.POSITIVE_INFINITY, 1,
                1 + 0x1p-9f, 0.049987793f};
        Path file = tmp.resolve("h.safetensors");
        SafetensorsWriter.writeHalf(file, Map.of("x", new FloatTensor(in, new long[] {in.length})), null);
        try (SafetensorsFile f = SafetensorsFile.open(file);
                SafetensorsFile bits = SafetensorsFile.open(file)) {
            // 1e6 overflows to a half infinity, which reading refuses (issue 10 item 8); the raw bits show it
            T2lException e = assertThrows(T2lException.class, () -> f.read("x"));
            assertTrue(e.getMessage().contains("tensor 'x' holds Infinity at index [7]"), e.getMessage());
            ByteBuffer raw = bits.map(bits.entry("x"));
            float[] got = new float[in.length];
            for (int i = 0; i < got.length; i++) {
                got[i] = Half.toFloat(raw.getShort(2 * i));
            }
            assertArrayEquals(want, got);
        }
        for (int h = 0; h < 0x7C00; h++) { // every finite positive half survives float32 and back
            assertEquals(h, Half.fromFloat(Half.toFloat((short) h)) & 0xFFFF, "half bits " + h);
        }
    }

    @Test
    void writeThenReadRoundTripsExactly() {
        Map<String, FloatTensor> m = new LinkedHashMap<>();
        m.put("b", new FloatTensor(new float[] {1, -2, 3.5f, Float.MIN_VALUE, 5, 6}, new long[] {2, 3}));
        m.put("a", new FloatTensor(new float[] {7}, new long[] {1}));
        Path file = tmp.resolve("x.safetensors");
        SafetensorsWriter.write(file, m, null);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(java.util.List.of("a", "b"), new java.util.ArrayList<>(f.names()));
            assertArrayEquals(m.get("b").data(), f.read("b").data());
            assertArrayEquals(new long[] {2, 3}, f.shape("b"));
            assertTrue(f.metadata().isEmpty());
        }
        // header padded to 8 bytes, no __metadata__ key
        try {
            byte[] bytes = Files.readAllBytes(file);
            long len = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, len % 8);
            assertFalse(new String(bytes, 8, (int) len, StandardCharsets.UTF_8).contains("__metadata__"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void halfPrecisionIsWidenedExactly() throws IOException {
        // 0x3C00 = 1.0, 0xC000 = -2.0, 0x0001 = 2^-24 (subnormal), 0x7BFF = 65504
        short[] halves = {0x3C00, (short) 0xC000, 0x0001, 0x7BFF};
        Path file = rawFile("h", "F16", "[4]", 0, 8, halves);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertArrayEquals(new float[] {1f, -2f, 0x1p-24f, 65504f}, f.read("h").data());
        }
    }

    private Path rawFile(String name, String dtype, String shape, long begin, long end, short[] data)
            throws IOException {
        String header = "{\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape
                + ",\"data_offsets\":[" + begin + "," + end + "]}}";
        return rawFile(header, data.length * 2, data);
    }

    private Path rawFile(String header, int dataBytes, short[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        if (data != null) {
            for (short s : data) {
                b.putShort(s);
            }
        }
        Path file = Files.createTempFile(tmp, "raw", ".safetensors");
        Files.write(file, b.array());
        return file;
    }

    private String errorOf(Path file) {
        T2lException e = assertThrows(T2lException.class, () -> {
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                f.names().forEach(f::read);
            }
        });
        return e.getMessage();
    }

    @Test
    void badFilesGiveErrorsNamingFileAndTensor() throws IOException {
        record Case(String what, String header, int dataBytes, String expect) {}
        var cases = new Case[] {
            new Case("offsets run past the data", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8,
                    "run past the end"),
            new Case("offsets disagree with dtype x shape",
                    "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "needs 12"),
            new Case("overlapping tensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                    + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "overlap"),
            new Case("unknown dtype", "{\"w\":{\"dtype\":\"F8_E9\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2,
                    "unknown dtype 'F8_E9'"),
            new Case("header not JSON", "{\"w\":", 0, "not valid JSON"),
        };
        for (Case c : cases) {
            Path file = rawFile(c.header, c.dataBytes, null);
            String msg = errorOf(file);
            assertTrue(msg.contains(file.toString()), c.what + ": message should name the file: " + msg);
            assertTrue(msg.contains(c.expect), c.what + ": expected '" + c.expect + "' in: " + msg);
        }
    }

    /** Issue 10 item 9: what the reference library (safetensors Metadata::validate) refuses, we refuse too. */
    @Test
    void headersTheReferenceRefusesAreRefused() throws IOException {
        record Case(String what, String header, int dataBytes, String expect) {}
        String w = "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        var cases = new Case[] {
            new Case("duplicate name", "{" + w + "," + w + "}", 8, "Duplicate field 'w'"),
            new Case("trailing bytes", "{" + w + "}", 12, "4 trailing bytes"),
            new Case("a gap before a tensor", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                    12, "[0, 4) belong to no tensor"),
            new Case("offsets as strings", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[\"0\",\"8\"]}}",
                    8, "data_offsets must be two non-negative integers"),
            new Case("fractional offset", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8.0]}}",
                    8, "data_offsets must be two non-negative integers"),
            new Case("fractional shape", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}",
                    8, "shape must hold non-negative integers"),
            new Case("shape as string", "{\"w\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}",
                    8, "shape must hold non-negative integers"),
            new Case("metadata not strings", "{\"__metadata__\":{\"format\":1}," + w + "}", 8, "__metadata__"),
        };
        for (Case c : cases) {
            Path file = rawFile(c.header, c.dataBytes, null);
            String msg = errorOf(file);
            assertTrue(msg.contains(file.toString()), c.what + ": message should name the file: " + msg);
            assertTrue(msg.contains(c.expect), c.what + ": expected '" + c.expect + "' in: " + msg);
        }
    }

    @Test
    void invalidUtf8NameIsRefused() throws IOException {
        byte[] h = "{\"w\u00ff\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}".getBytes(
                StandardCharsets.ISO_8859_1); // 0xFF alone is never valid UTF-8
        ByteBuffer b = ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path file = Files.createTempFile(tmp, "utf", ".safetensors");
        Files.write(file, b.array());
        String msg = errorOf(file);
        assertTrue(msg.contains(file.toString()) && msg.contains("not valid UTF-8"), msg);
    }

    /** Issue 10 item 8: a NaN or infinite weight is refused naming the tensor and the first bad index. */
    @Test
    void nonFiniteWeightsAreRefusedNamingTensorAndIndex() throws IOException {
        short nan = 0x7E00;
        short inf = 0x7C00;
        Path withNan = rawFile("w", "F16", "[2,2]", 0, 8, new short[] {0x3C00, 0x3C00, 0x3C00, nan});
        assertTrue(errorOf(withNan).contains("tensor 'w' holds NaN at index [1, 1]"), errorOf(withNan));
        Path withInf = rawFile("w", "F16", "[4]", 0, 8, new short[] {0x3C00, inf, 0x3C00, 0x3C00});
        assertTrue(errorOf(withInf).contains("tensor 'w' holds Infinity at index [1]"), errorOf(withInf));
    }

    @Test
    void truncatedFileIsRefused() throws IOException {
        byte[] whole = Files.readAllBytes(Shared.golden("llama", "model.safetensors"));
        for (int cut : new int[] {0, 5, 100, whole.length / 2, whole.length - 1}) {
            Path file = tmp.resolve("cut" + cut + ".safetensors");
            Files.write(file, Arrays.copyOf(whole, cut));
            String msg = errorOf(file);
            assertTrue(msg.contains(file.toString()) && (msg.contains("truncated") || msg.contains("run past")),
                    "cut at " + cut + ": " + msg);
        }
    }

    @Test
    void missingTensorAndMissingFileAreNamed() {
        try (SafetensorsFile f = SafetensorsFile.open(Shared.golden("llama", "model.safetensors"))) {
            T2lException e = assertThrows(T2lException.class, () -> f.read("nope.weight"));
            assertTrue(e.getMessage().contains("nope.weight"));
        }
        Path missing = tmp.resolve("absent.safetensors");
        T2lException e = assertThrows(T2lException.class, () -> SafetensorsFile.open(missing));
        assertTrue(e.getMessage().contains("absent.safetensors") && e.getMessage().contains("no such file"));
    }
}
