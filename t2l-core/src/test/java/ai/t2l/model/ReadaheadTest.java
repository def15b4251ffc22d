package ai.t2l.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.t2l.io.DType;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.T2lException;
import ai.t2l.io.TensorSource;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The loader's read-ahead reads the tensors in order, piece by piece, never more than its distance past the
 * loader's position, keeps going past pieces it cannot map, and stops when closed.
 */
class ReadaheadTest {
    /** Four bf16 tensors of 1,000 values (2,000 bytes); records each piece mapped as "name@offset+length". */
    private static final class Recording implements TensorSource {
        final List<String> mapped = new ArrayList<>();
        final String failing;

        Recording(String failing) {
            this.failing = failing;
        }

        @Override
        public Set<String> names() {
            return Set.of("t0", "t1", "t2", "t3");
        }

        @Override
        public boolean contains(String name) {
            return names().contains(name);
        }

        @Override
        public long[] shape(String name) {
            return new long[] {10, 100};
        }

        @Override
        public DType dtype(String name) {
            return DType.BF16;
        }

        @Override
        public FloatTensor read(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean canMap() {
            return true;
        }

        @Override
        public ByteBuffer mapBytes(String name, long offset, long length) {
            synchronized (mapped) {
                mapped.add(name + "@" + offset + "+" + length);
                mapped.notifyAll();
            }
            if (name.equals(failing)) {
                throw new T2lException("cannot map " + name);
            }
            return ByteBuffer.allocateDirect((int) length);
        }

        @Override
        public String describe() {
            return "recording";
        }

        @Override
        public void close() {}

        /** The pieces mapped once {@code n} were, after a pause long enough for a wrong extra one to show. */
        List<String> after(int n) throws InterruptedException {
            long end = System.nanoTime() + 10_000_000_000L;
            synchronized (mapped) {
                while (mapped.size() < n && System.nanoTime() < end) {
                    mapped.wait(100);
                }
            }
            Thread.sleep(200);
            synchronized (mapped) {
                return List.copyOf(mapped);
            }
        }
    }

    @Test
    void readsInOrderNoFurtherThanItsDistancePastTheLoader() throws InterruptedException {
        Recording source = new Recording(null);
        try (Readahead ahead = new Readahead(source, List.of("t0", "t1", "t2", "t3"), 1200, 500)) {
            assertEquals(List.of("t0@0+500", "t0@500+500", "t0@1000+500"), source.after(3),
                    "before the loader starts: pieces starting below 1,200 bytes");
            ahead.reached("t0", 2000); // the loader at t1's first byte: up to 3,200
            assertEquals(List.of("t0@0+500", "t0@500+500", "t0@1000+500", "t0@1500+500", "t1@0+500", "t1@500+500",
                    "t1@1000+500"), source.after(7));
            ahead.reached("not read ahead", 0);
            ahead.reached("t0", 0); // the loader never goes back
            assertEquals(7, source.after(7).size());
        }
        int seen = source.after(7).size();
        Thread.sleep(100);
        assertEquals(seen, source.mapped.size(), "nothing read after close");
    }

    @Test
    void aPieceItCannotMapIsSkippedAndTheRestRead() throws InterruptedException {
        Recording source = new Recording("t1");
        try (Readahead unused = new Readahead(source, List.of("t0", "t1", "t2"), 1 << 20, 1000)) {
            assertEquals(List.of("t0@0+1000", "t0@1000+1000", "t1@0+1000", "t1@1000+1000", "t2@0+1000",
                    "t2@1000+1000"), source.after(6));
        }
    }
}
