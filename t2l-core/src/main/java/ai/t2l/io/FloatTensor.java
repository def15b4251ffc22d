package ai.t2l.io;

import java.util.Arrays;

/** A dense row-major float32 array with its shape: the exchange type between IO and the tensor engine. */
public record FloatTensor(float[] data, long[] shape) {
    public FloatTensor {
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + n + " values but data has " + data.length);
        }
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
