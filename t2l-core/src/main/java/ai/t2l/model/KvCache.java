package ai.t2l.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.t2l.io.T2lException;

/**
 * Keys and values of every layer for the tokens seen so far, so that decoding runs one token at a time. Storage is
 * preallocated per layer as (batch, kvHeads, capacity, headDim) and written in place; it grows by doubling. For
 * inference only: the in-place writes are not meant to be differentiated. Create with {@link Transformer#newCache}.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final int layers;
    private final int initialCapacity;
    private NDArray[] keys;
    private NDArray[] values;
    private int capacity;
    private int length;
    private int batch = -1;
    private int[][] keyMask = new int[0][];
    private int[] realTokens = new int[0];

    KvCache(NDManager parent, int layers, int initialCapacity) {
        this.manager = parent.newSubManager();
        this.layers = layers;
        this.initialCapacity = Math.max(initialCapacity, 1);
    }

    /** Number of cached positions (including padding). */
    public int length() {
        return length;
    }

    public int batchSize() {
        return batch;
    }

    /** Empties the cache and keeps its storage for the next sequence of the same batch size. */
    public void reset() {
        length = 0;
        keyMask = new int[batch < 0 ? 0 : batch][0];
        realTokens = new int[Math.max(batch, 0)];
    }

    int[] realTokens() {
        return realTokens.length == 0 ? null : realTokens.clone();
    }

    /** The key mask over cached slots followed by the new tokens' mask: (batch, length + seq). */
    int[][] keyMaskWith(int[][] newMask) {
        checkBatch(newMask.length);
        int[][] all = new int[newMask.length][];
        for (int b = 0; b < newMask.length; b++) {
            all[b] = new int[length + newMask[b].length];
            if (length > 0) {
                System.arraycopy(keyMask[b], 0, all[b], 0, length);
            }
            System.arraycopy(newMask[b], 0, all[b], length, newMask[b].length);
        }
        return all;
    }

    private void checkBatch(int b) {
        if (batch >= 0 && batch != b && length > 0) {
            throw new T2lException("KV cache holds a batch of " + batch + " rows, the new tokens have " + b);
        }
    }

    /**
     * Writes the new keys/values (batch, kvHeads, seq, headDim) of {@code layer} at slots [length, length+seq) and
     * returns views over all slots so far, owned by {@code scope}.
     */
    NDArray[] append(NDManager scope, int layer, NDArray k, NDArray v) {
        int used = write(layer, k, v);
        NDIndex upTo = new NDIndex(":, :, :{}", used);
        return new NDArray[] {keys[layer].get(scope, upTo), values[layer].get(scope, upTo)};
    }

    /**
     * Writes the new keys/values (batch, kvHeads, seq, headDim) of {@code layer} at slots [length, length+seq), as
     * {@link #append} does, and returns the slots in use (length + seq); read them from {@link #keyStore} and
     * {@link #valueStore}.
     */
    int write(int layer, NDArray k, NDArray v) {
        Shape s = k.getShape();
        int seq = (int) s.get(2);
        ensureCapacity((int) s.get(0), (int) s.get(1), length + seq, (int) s.get(3));
        NDIndex slots = new NDIndex(":, :, {}:{}", length, length + seq);
        keys[layer].set(slots, k);
        values[layer].set(slots, v);
        return length + seq;
    }

    /** The whole key storage of {@code layer}, (batch, kvHeads, {@link #capacity}, headDim), contiguous. */
    NDArray keyStore(int layer) {
        return keys[layer];
    }

    /** The whole value storage of {@code layer}, laid out as {@link #keyStore}. */
    NDArray valueStore(int layer) {
        return values[layer];
    }

    /** Slots per row and KV head in the storage now. */
    int capacity() {
        return capacity;
    }

    private void ensureCapacity(int b, int kvHeads, int needed, int headDim) {
        Shape shape0 = keys == null ? null : keys[0].getShape();
        boolean sameLayout = shape0 != null && shape0.get(0) == b && shape0.get(1) == kvHeads && shape0.get(3) == headDim;
        if (sameLayout && needed <= capacity) {
            return;
        }
        // Double only to grow a running sequence; a new batch size (after reset) keeps the current capacity.
        int grown = sameLayout ? capacity * 2 : capacity;
        int newCapacity = Math.max(needed, Math.max(initialCapacity, grown));
        NDArray[] nk = new NDArray[layers];
        NDArray[] nv = new NDArray[layers];
        Shape shape = new Shape(b, kvHeads, newCapacity, headDim);
        for (int l = 0; l < layers; l++) {
            nk[l] = manager.zeros(shape);
            nv[l] = manager.zeros(shape);
            if (keys != null && length > 0) {
                NDIndex old = new NDIndex(":, :, :{}", length);
                try (NDManager tmp = manager.newSubManager()) {
                    nk[l].set(old, keys[l].get(tmp, old));
                    nv[l].set(old, values[l].get(tmp, old));
                }
            }
            if (keys != null) {
                keys[l].close();
                values[l].close();
            }
        }
        keys = nk;
        values = nv;
        capacity = newCapacity;
    }

    /** Called by the forward pass after every layer has appended: records the new slots and their mask. */
    void advance(int[][] newMask) {
        int seq = newMask[0].length;
        int[][] all = keyMaskWith(newMask);
        if (batch != newMask.length) {
            batch = newMask.length;
            realTokens = new int[batch];
        }
        for (int b = 0; b < batch; b++) {
            for (int x : newMask[b]) {
                realTokens[b] += x != 0 ? 1 : 0;
            }
        }
        keyMask = all;
        length += seq;
    }

    /** Bytes of native memory held by the preallocated keys and values. */
    public long bytes() {
        return keys == null ? 0 : 2L * layers * keys[0].getShape().size() * Float.BYTES;
    }

    @Override
    public void close() {
        manager.close();
    }
}
