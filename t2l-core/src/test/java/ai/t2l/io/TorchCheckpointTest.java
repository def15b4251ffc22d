package ai.t2l.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.t2l.Shared;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TorchCheckpointTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"L_1024", "L_384", "M_384", "S_384", "recon_L_factorized_384", "recon_M_384"})
    void readsEveryFixtureKeyShapeAndOrder(String variant) {
        Path dir = Shared.golden("t2l", variant);
        JsonNode index = Json.read(dir.resolve("hypermod_state_dict_index.json"));
        Map<String, FloatTensor> sd = TorchCheckpoint.readAll(dir.resolve("hypermod.pt"));
        List<String> keys = new ArrayList<>(sd.keySet());
        assertEquals(index.size(), keys.size(), "number of tensors");
        for (int i = 0; i < index.size(); i++) {
            JsonNode e = index.get(i);
            assertEquals(e.get("key").asText(), keys.get(i), "key at position " + i);
            long[] shape = new long[e.get("shape").size()];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = e.get("shape").get(d).asLong();
            }
            assertArrayEquals(shape, sd.get(keys.get(i)).shape(), keys.get(i));
        }
    }

    @Test
    void rebuildsStridedViewsAndAnyPrefix() throws IOException {
        // a 2x3 storage [0..5] seen through a transposed view (offset 0, size (3,2), stride (1,3)), archive/ prefix
        Pickle p = new Pickle().proto().global("collections", "OrderedDict").emptyTuple().reduce().mark()
                .str("w").global("torch._utils", "_rebuild_tensor_v2").mark()
                .mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").int1(6).tuple().persid()
                .int1(0).int1(3).int1(2).tuple2().int1(1).int1(3).tuple2().newFalse()
                .global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce()
                .setItems().emptyDict().build().stop();
        Path f = writeZip("archive/", p.bytes(), floats(0, 1, 2, 3, 4, 5));
        FloatTensor w = TorchCheckpoint.readAll(f).get("w");
        assertArrayEquals(new long[] {3, 2}, w.shape());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, w.data());
    }

    @ParameterizedTest
    @ValueSource(strings = {"os\nsystem", "posix\nsystem", "builtins\neval", "subprocess\nPopen", "torch\nload"})
    void refusesEveryOtherGlobalWithoutCallingIt(String global) throws IOException {
        String[] mn = global.split("\n");
        Path marker = tmp.resolve("pwned");
        // the classic payload: GLOBAL os.system, ("touch pwned",), REDUCE
        Pickle p = new Pickle().proto().global(mn[0], mn[1]).str("touch " + marker).tuple1().reduce().stop();
        Path f = writeZip("hypermod/", p.bytes(), null);
        T2lException e = assertThrows(T2lException.class, () -> TorchCheckpoint.open(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("'" + mn[0] + "." + mn[1] + "'"), e.getMessage());
        assertTrue(!Files.exists(marker), "nothing may run");
    }

    @Test
    void refusesGlobalsHiddenBehindStackGlobal() throws IOException {
        Pickle p = new Pickle().proto().str("builtins").str("eval").op(0x93).str("1+1").tuple1().reduce().stop();
        Path f = writeZip("x/", p.bytes(), null);
        T2lException e = assertThrows(T2lException.class, () -> TorchCheckpoint.open(f));
        assertTrue(e.getMessage().contains("builtins.eval"), e.getMessage());
    }

    @Test
    void truncatedOrGarbledInputGivesClearErrors() throws IOException {
        byte[] real = Files.readAllBytes(Shared.golden("t2l", "S_384", "hypermod.pt"));
        // a truncated file: the zip directory is gone
        Path cut = tmp.resolve("cut.pt");
        Files.write(cut, java.util.Arrays.copyOf(real, real.length / 2));
        T2lException e1 = assertThrows(T2lException.class, () -> TorchCheckpoint.open(cut));
        assertTrue(e1.getMessage().contains("cut.pt"), e1.getMessage());
        // not a zip at all
        Path junk = tmp.resolve("junk.pt");
        Files.write(junk, "hello".getBytes(StandardCharsets.UTF_8));
        assertThrows(T2lException.class, () -> TorchCheckpoint.open(junk));
        // a pickle cut mid-way: every prefix fails cleanly, none hangs
        byte[] pkl;
        try (var z = new java.util.zip.ZipFile(Shared.golden("t2l", "S_384", "hypermod.pt").toFile())) {
            pkl = z.getInputStream(z.getEntry("hypermod/data.pkl")).readAllBytes();
        }
        for (int n : new int[] {0, 1, 2, 30, 100, 157, pkl.length / 2, pkl.length - 1}) {
            byte[] part = java.util.Arrays.copyOf(pkl, n);
            T2lException e = assertThrows(T2lException.class, () -> SafeUnpickler.load(part, "data.pkl"), "cut " + n);
            assertTrue(e.getMessage().startsWith("data.pkl: "), e.getMessage());
        }
        // a lying string length (4 GiB) must not allocate
        byte[] lying = {(byte) 0x80, 2, 'X', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 'a'};
        T2lException e2 = assertThrows(T2lException.class, () -> SafeUnpickler.load(lying, "lie"));
        assertTrue(e2.getMessage().contains("truncated"), e2.getMessage());
    }

    @Test
    void storageThatClaimsMoreThanTheArchiveHoldsIsRefused() throws IOException {
        Pickle p = new Pickle().proto().emptyDict().str("w").global("torch._utils", "_rebuild_tensor_v2").mark()
                .mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").int4(1 << 30).tuple()
                .persid().int1(0).int1(4).tuple1().int1(1).tuple1().newFalse().emptyDict().tuple().reduce()
                .setItem().stop();
        Path f = writeZip("a/", p.bytes(), floats(1, 2, 3, 4));
        try (TorchCheckpoint c = TorchCheckpoint.open(f)) {
            T2lException e = assertThrows(T2lException.class, () -> c.read("w"));
            assertTrue(e.getMessage().contains("storage '0' holds 16 bytes"), e.getMessage());
        }
    }

    @Test
    void nonFloatStorageIsAClearError() throws IOException {
        Pickle p = new Pickle().proto().emptyDict().str("w").global("torch._utils", "_rebuild_tensor_v2").mark()
                .mark().str("storage").global("torch", "HalfStorage").str("0").str("cpu").int1(2).tuple()
                .persid().int1(0).int1(2).tuple1().int1(1).tuple1().newFalse().emptyDict().tuple().reduce()
                .setItem().stop();
        Path f = writeZip("a/", p.bytes(), new byte[4]);
        try (TorchCheckpoint c = TorchCheckpoint.open(f)) {
            T2lException e = assertThrows(T2lException.class, () -> c.read("w"));
            assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("HalfStorage"), e.getMessage());
        }
    }

    /** A state dict {"w": view of a 4-float storage with the given size and stride}, as a pickle. */
    private static byte[] viewPickle(long offset, long[] size, long[] stride) {
        Pickle p = new Pickle().proto().emptyDict().str("w").global("torch._utils", "_rebuild_tensor_v2").mark()
                .mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").int1(4).tuple().persid()
                .long8(offset).mark();
        for (long d : size) {
            p.long8(d);
        }
        p.tuple().mark();
        for (long d : stride) {
            p.long8(d);
        }
        return p.tuple().newFalse().emptyDict().tuple().reduce().setItem().stop().bytes();
    }

    /** Issue 10 item 6: each of these once allocated gigabytes, ran out of memory or indexed out of bounds. */
    @ParameterizedTest
    @ValueSource(strings = {
        "0;1073741824;0",              // zero stride: 2^30 elements copied out of 4 floats (a 4 GiB allocation)
        "0;65536,65536;0,0",           // 2^32 elements: (int) numel is 0, then NegativeArraySize/AIOOBE
        "0;3;4611686018427387904",     // (size-1)*stride wraps around 2^63 to a small index
        "0;2,4611686018427387904;1,1", // numel overflows a long
        "9223372036854775807;1;1",     // offset + 0 is in range of nothing
        "-1;1;1",                      // negative offset
    })
    void viewsThatOverflowOrExceedTheirStorageAreRefusedBeforeAllocating(String spec) throws IOException {
        String[] p = spec.split(";");
        long[] size = java.util.Arrays.stream(p[1].split(",")).mapToLong(Long::parseLong).toArray();
        long[] stride = java.util.Arrays.stream(p[2].split(",")).mapToLong(Long::parseLong).toArray();
        Path f = writeZip("a/", viewPickle(Long.parseLong(p[0]), size, stride), floats(1, 2, 3, 4));
        try (TorchCheckpoint c = TorchCheckpoint.open(f)) {
            T2lException e = assertThrows(T2lException.class, () -> c.read("w"));
            assertTrue(e.getMessage().contains("tensor 'w'") && e.getMessage().contains(f.toString()), e.getMessage());
        }
    }

    @Test
    void anInBoundsStridedViewStillReads() throws IOException {
        // control for the test above: a 2x2 view with a row stride of 2 reads [1 2; 3 4]
        Path f = writeZip("a/", viewPickle(0, new long[] {2, 2}, new long[] {2, 1}), floats(1, 2, 3, 4));
        assertArrayEquals(new float[] {1, 2, 3, 4}, TorchCheckpoint.readAll(f).get("w").data());
    }

    @Test
    void selfReferentialPickleIsRefusedNotAStackOverflow() {
        // 13 bytes: PROTO 2, {}, [] memoised, the list appended to itself, then used as a dict key
        byte[] pkl = {(byte) 0x80, 2, '}', ']', 'q', 0, 'h', 0, 'a', 'K', 0, 's', '.'};
        T2lException e = assertThrows(T2lException.class, () -> SafeUnpickler.load(pkl, "loop.pkl"));
        assertTrue(e.getMessage().startsWith("loop.pkl: ") && e.getMessage().contains("dict key"), e.getMessage());
    }

    @Test
    void deepNestingIsBounded() {
        byte[] pkl = new byte[2 + 100_000];
        pkl[0] = (byte) 0x80;
        pkl[1] = 2;
        java.util.Arrays.fill(pkl, 2, pkl.length, (byte) '(');
        T2lException e = assertThrows(T2lException.class, () -> SafeUnpickler.load(pkl, "deep.pkl"));
        assertTrue(e.getMessage().contains("nests more than 256"), e.getMessage());
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    private Path writeZip(String prefix, byte[] pkl, byte[] storage0) throws IOException {
        Path f = Files.createTempFile(tmp, "ckpt", ".pt");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(f))) {
            put(z, prefix + "data.pkl", pkl);
            if (storage0 != null) {
                put(z, prefix + "data/0", storage0);
            }
            put(z, prefix + "version", "3\n".getBytes(StandardCharsets.UTF_8));
        }
        return f;
    }

    private static void put(ZipOutputStream z, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED); // as torch writes them
        e.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        z.putNextEntry(e);
        z.write(data);
        z.closeEntry();
    }

    /** Hand assembly of pickle opcodes (protocol 2), so tests need no Python. */
    static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int b) {
            out.write(b);
            return this;
        }

        Pickle proto() {
            return op(0x80).op(2);
        }

        Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
            return this;
        }

        Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
            out.writeBytes(b);
            return this;
        }

        Pickle int1(int v) {
            return op('K').op(v);
        }

        Pickle int4(int v) {
            op('J');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
            return this;
        }

        Pickle mark() {
            return op('(');
        }

        Pickle tuple() {
            return op('t');
        }

        Pickle tuple1() {
            return op(0x85);
        }

        Pickle tuple2() {
            return op(0x86);
        }

        Pickle emptyTuple() {
            return op(')');
        }

        Pickle emptyDict() {
            return op('}');
        }

        Pickle reduce() {
            return op('R');
        }

        Pickle persid() {
            return op('Q');
        }

        Pickle newFalse() {
            return op(0x89);
        }

        Pickle setItem() {
            return op('s');
        }

        Pickle setItems() {
            return op('u');
        }

        Pickle build() {
            return op('b');
        }

        Pickle stop() {
            return op('.');
        }

        /** LONG1 with 8 bytes: any signed 64-bit value. */
        Pickle long8(long v) {
            op(0x8a).op(8);
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        @SuppressWarnings("unused")
        void writeTo(OutputStream os) throws IOException {
            out.writeTo(os);
        }
    }
}
