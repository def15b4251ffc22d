package ai.t2l.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.t2l.compute.F32Matrix;
import ai.t2l.compute.HalfMatrix;
import ai.t2l.compute.Int8Matrix;
import ai.t2l.compute.Unmap;
import ai.t2l.compute.WeightMatrix;
import ai.t2l.compute.WeightPrecision;
import ai.t2l.io.DType;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.T2lException;
import ai.t2l.io.TensorSource;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Builds one big matrix (projection, embedding, lm head) of a model in the precision asked for, from whatever the
 * folder stores: F32/F64 (widened), BF16/F16 (mapped in place or widened), or I8 blocks with a float32
 * {@code <name>_scale} tensor (a quantized folder written by {@link QuantizedFolder}).
 */
final class MatrixLoader {
    /** The scale tensor of an int8 weight in a quantized folder. */
    static String scaleName(String weight) {
        return weight + "_scale";
    }

    /** Bytes of a matrix mapped at a time while quantizing it; not final so a test can force many slabs. */
    static long slabBytes = 256L << 20;

    /**
     * The 16-bit matrices among {@code layout}'s, in its order: what quantizing at load reads from the mapping, and
     * so what a {@link Readahead} should read ahead of it (none when the source cannot map).
     */
    static List<String> mappedHalf(TensorSource w, Map<String, long[]> layout) {
        List<String> out = new ArrayList<>();
        for (String name : layout.keySet()) {
            DType t = Transformer.isMatrix(name) && w.canMap() ? w.dtype(name) : DType.F32;
            if (t == DType.BF16 || t == DType.F16) {
                out.add(name);
            }
        }
        return out;
    }

    private MatrixLoader() {}

    /** Refuses dtypes we cannot use, naming the tensor, before anything is read. */
    static void checkDtype(TensorSource w, String name, long[] shape) {
        DType t = w.dtype(name);
        if (t == DType.I8) {
            String s = scaleName(name);
            long[] expected = {shape[0], Int8Matrix.blocks(shape[1])};
            if (!w.contains(s)) {
                throw new T2lException(w.locate(name) + ": tensor '" + name + "' is int8 but its scales '" + s
                        + "' are missing (a quantized folder stores one float32 scale per block of "
                        + Int8Matrix.BLOCK + ")");
            }
            long[] found = w.shape(s);
            if (!Arrays.equals(found, expected) || w.dtype(s) != DType.F32) {
                throw new T2lException(w.locate(s) + ": scales '" + s + "' are " + w.dtype(s) + " "
                        + Arrays.toString(found) + " but weights '" + name + "' " + Arrays.toString(shape)
                        + " need F32 " + Arrays.toString(expected) + " (one scale per block of " + Int8Matrix.BLOCK
                        + "): the quantized folder's scales do not match its weights");
            }
            return;
        }
        if (!t.isFloat()) {
            throw new T2lException(w.locate(name) + ": tensor '" + name + "' has dtype " + t
                    + ", which is not supported for weights (expected F32, BF16, F16, F64, or I8 with per-block"
                    + " scales from `t2l quantize`)");
        }
    }

    static WeightMatrix load(TensorSource w, String name, long[] shape, WeightPrecision p, NDManager m) {
        return load(w, name, shape, p, m, null);
    }

    /** {@link #load}, telling {@code ahead} (may be null) where it is while it quantizes a mapped matrix. */
    static WeightMatrix load(TensorSource w, String name, long[] shape, WeightPrecision p, NDManager m,
            Readahead ahead) {
        DType t = w.dtype(name);
        long rows = shape[0];
        long cols = shape[1];
        boolean half = (t == DType.BF16 || t == DType.F16) && w.canMap();
        if (t == DType.I8) {
            Int8Matrix q = readInt8(w, name, rows, cols);
            return p == WeightPrecision.F32 ? f32(m, q.toFloat()) : q;
        }
        switch (p) {
            case F32:
                return f32(m, w.read(name));
            case AUTO:
                return half ? mapped(w, name, rows, cols, t == DType.F16) : f32(m, w.read(name));
            case BF16:
                return half ? mapped(w, name, rows, cols, t == DType.F16) : HalfMatrix.roundedToBf16(w.read(name));
            case INT8:
                if (half) {
                    return quantizeMapped(w, name, rows, cols, t == DType.F16, ahead);
                }
                float[] d = w.read(name).data();
                return Int8Matrix.quantize(rows, cols, (r, dst) -> System.arraycopy(d, (int) (r * cols), dst, 0,
                        (int) cols));
            default:
                throw new IllegalStateException(p.toString());
        }
    }

    private static F32Matrix f32(NDManager m, FloatTensor t) {
        return new F32Matrix(m.create(t.data(), new Shape(t.shape())));
    }

    private static HalfMatrix mapped(TensorSource w, String name, long rows, long cols, boolean f16) {
        return HalfMatrix.mapped(rows, cols, f16, (off, len) -> w.mapBytes(name, off, len))
                .requireFinite(w.locate(name) + ": tensor '" + name + "'");
    }

    /**
     * Quantizes a mapped 16-bit matrix in slabs of about 256 MB, unmapping each slab once read: the int8 copy is the
     * only one that stays resident.
     */
    private static Int8Matrix quantizeMapped(TensorSource w, String name, long rows, long cols, boolean f16,
            Readahead ahead) {
        long rowBytes = 2 * cols;
        // whole strips of 16 rows per slab (Int8Matrix.Quantizer), at least one
        int slabRows = (int) Math.min(rows, Math.max(16, slabBytes / rowBytes / 16 * 16));
        Int8Matrix.Quantizer z;
        try {
            z = Int8Matrix.quantizer(rows, cols);
        } catch (T2lException e) {
            throw new T2lException(w.locate(name) + ": tensor '" + name + "': " + e.getMessage(), e);
        }
        for (long r0 = 0; r0 < rows; r0 += slabRows) {
            int n = (int) Math.min(slabRows, rows - r0);
            if (ahead != null) {
                ahead.reached(name, r0 * rowBytes);
            }
            ByteBuffer slab = w.mapBytes(name, r0 * rowBytes, n * rowBytes);
            try {
                HalfMatrix src = HalfMatrix.mapped(n, cols, f16, (off, len) -> slab.slice((int) off, (int) len));
                z.rows(r0, n, (r, dst) -> src.rowInto(r, dst, 0));
            } catch (T2lException e) {
                throw new T2lException(w.locate(name) + ": tensor '" + name + "' " + e.getMessage(), e);
            } finally {
                Unmap.now(slab);
            }
        }
        return z.finish();
    }

    private static Int8Matrix readInt8(TensorSource w, String name, long rows, long cols) {
        long n = rows * cols;
        if (n > Integer.MAX_VALUE - 8) {
            throw new T2lException(w.locate(name) + ": tensor '" + name + "' is too large for one int8 array");
        }
        byte[] q = new byte[(int) n];
        for (long off = 0; off < n; off += 1L << 30) {
            ByteBuffer b = w.mapBytes(name, off, Math.min(1L << 30, n - off));
            try {
                b.get(q, (int) off, b.remaining());
            } finally {
                Unmap.now(b);
            }
        }
        float[] scales = w.read(scaleName(name)).data();
        return Int8Matrix.of(rows, cols, q, scales, w.locate(name) + ": tensor '" + name + "'");
    }
}
