package ai.t2l.io;

import java.util.Locale;

/** Safetensors element types. Only the float types can be read as float32; the others are recognised by name. */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public boolean isFloat() {
        return this == F32 || this == F16 || this == BF16 || this == F64;
    }

    /** Parses a safetensors dtype string; null when unknown (the caller names file and tensor in its error). */
    public static DType parse(String name) {
        try {
            return DType.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
