package ai.t2l.model;

import ai.t2l.compute.Unmap;
import ai.t2l.io.TensorSource;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a model's 16-bit matrices ahead of the quantizer that loads them, on a background thread: the tensors in the
 * order the loader takes them, mapped {@link #PIECE} bytes at a time, one read per page, and unmapped at once (the
 * pages stay in the page cache, where the quantizer's own mapping finds them). Without it the quantizer's page faults
 * were the only reads, and no read was in flight while it computed, so a model read from disk loaded at the disk's
 * and the quantizer's speeds one after the other (docs/WEIGHTS.md, "Quantized folders"). It stays at most
 * {@link #AHEAD} bytes ahead of the loader, so that what it read is still cached when the loader gets there, and
 * ignores its own failures: the loader meets the same file and reports what is wrong with it.
 */
final class Readahead implements AutoCloseable {
    static final long AHEAD = 512L << 20;
    static final long PIECE = 64L << 20;
    private static final int PAGE = 4096;

    private final long ahead;
    private final long piece;
    private final TensorSource source;
    private final List<String> names;
    private final long[] start; // bytes of the tensors before each, in order
    private final long[] size;
    private final Map<String, Integer> index = new HashMap<>();
    private final Thread reader;
    private long reached; // the loader's position, in the same bytes; guarded by this
    private boolean closed; // guarded by this

    /** Starts reading {@code names} (16-bit tensors of a mappable source) in that order. */
    Readahead(TensorSource source, List<String> names) {
        this(source, names, AHEAD, PIECE);
    }

    /** With other sizes than {@link #AHEAD} and {@link #PIECE} (tests). */
    Readahead(TensorSource source, List<String> names, long ahead, long piece) {
        this.ahead = ahead;
        this.piece = piece;
        this.source = source;
        this.names = List.copyOf(names);
        this.start = new long[names.size()];
        this.size = new long[names.size()];
        long at = 0;
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
            start[i] = at;
            size[i] = 2 * ai.t2l.io.FloatTensor.numel(source.shape(names.get(i)));
            at += size[i];
        }
        reader = new Thread(this::readAll, "t2l-readahead");
        reader.setDaemon(true);
        if (!this.names.isEmpty()) { // int8 from float32 files or an in-memory source: nothing to read ahead
            reader.start();
        }
    }

    /** The loader is at byte {@code offset} of tensor {@code name} (a tensor not read ahead: ignored). */
    synchronized void reached(String name, long offset) {
        Integer i = index.get(name);
        if (i != null) {
            reached = Math.max(reached, start[i] + offset);
            notifyAll();
        }
    }

    private void readAll() {
        for (int i = 0; i < names.size(); i++) {
            for (long off = 0; off < size[i]; off += piece) {
                if (!waitForRoom(start[i] + off)) {
                    return;
                }
                try {
                    touch(source.mapBytes(names.get(i), off, Math.min(piece, size[i] - off)));
                } catch (RuntimeException | InternalError e) {
                    // the loader reads the same bytes and reports the problem with its own context (InternalError:
                    // a page past the end of a file cut short after it was mapped)
                }
            }
        }
    }

    /** Waits until {@code position} is less than {@code ahead} past the loader's; false once closed. */
    private synchronized boolean waitForRoom(long position) {
        while (!closed && position >= reached + ahead) {
            try {
                wait();
            } catch (InterruptedException e) {
                return false;
            }
        }
        return !closed;
    }

    private static void touch(ByteBuffer b) {
        try {
            byte x = 0;
            for (int i = 0; i < b.capacity(); i += PAGE) {
                x ^= b.get(i);
            }
            sink = x;
        } finally {
            Unmap.now(b);
        }
    }

    private static volatile byte sink; // keeps the reads

    /** Stops the reader (it finishes the piece in hand) and waits for it. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
