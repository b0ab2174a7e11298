package saelab.store;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * How activations are stored on disk: little-endian IEEE float32, float16 (binary16) or bfloat16.
 * Readers always hand out float32; conversion happens here, in bulk loops the JIT vectorises
 * (float16 uses the JDK's {@code Float.float16ToFloat}, an intrinsic on current x86 and ARM CPUs).
 *
 * <p>Encoding rounds to nearest, ties to even, for both half types (the IEEE 754 default, and what
 * PyTorch's {@code .half()} and {@code .bfloat16()} do). NaN stays NaN; values beyond the float16
 * range become infinities.
 */
public enum StorageDtype {
    F32(4),
    F16(2),
    BF16(2);

    static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int CONVERT_BLOCK = 4096;
    private static final ThreadLocal<short[]> SCRATCH = ThreadLocal.withInitial(() -> new short[CONVERT_BLOCK]);

    private final int bytes;

    StorageDtype(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per value. */
    public int bytes() {
        return bytes;
    }

    /** The name used in manifests and on the command line: {@code f32}, {@code f16}, {@code bf16}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code f32|f16|bf16} (also {@code float32|float16|bfloat16}); {@code source} names the field for the error. */
    public static StorageDtype parse(String text, String source) {
        if (text != null) {
            switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "f32", "float32" -> { return F32; }
                case "f16", "float16" -> { return F16; }
                case "bf16", "bfloat16" -> { return BF16; }
                default -> { }
            }
        }
        throw new IllegalArgumentException(source + " is '" + text + "'; expected f32, f16 or bf16");
    }

    /** Reads {@code count} values starting at byte {@code offset} of {@code src} into {@code dst[dstOffset...]}. */
    public void decode(MemorySegment src, long offset, float[] dst, int dstOffset, int count) {
        if (this == F32) {
            MemorySegment.copy(src, LE_FLOAT, offset, dst, dstOffset, count);
            return;
        }
        short[] tmp = SCRATCH.get();
        for (int done = 0; done < count; ) {
            int n = Math.min(CONVERT_BLOCK, count - done);
            MemorySegment.copy(src, LE_SHORT, offset + (long) done * 2, tmp, 0, n);
            int o = dstOffset + done;
            if (this == F16) {
                for (int i = 0; i < n; i++) {
                    dst[o + i] = Float.float16ToFloat(tmp[i]);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    dst[o + i] = Float.intBitsToFloat(tmp[i] << 16);
                }
            }
            done += n;
        }
    }

    /** Writes {@code count} values of {@code src[srcOffset...]} at byte {@code offset} of {@code dst}. */
    public void encode(float[] src, int srcOffset, int count, MemorySegment dst, long offset) {
        if (this == F32) {
            MemorySegment.copy(src, srcOffset, dst, LE_FLOAT, offset, count);
            return;
        }
        short[] tmp = SCRATCH.get();
        for (int done = 0; done < count; ) {
            int n = Math.min(CONVERT_BLOCK, count - done);
            int o = srcOffset + done;
            if (this == F16) {
                for (int i = 0; i < n; i++) {
                    tmp[i] = Float.floatToFloat16(src[o + i]);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    tmp[i] = toBfloat16(src[o + i]);
                }
            }
            MemorySegment.copy(tmp, 0, dst, LE_SHORT, offset + (long) done * 2, n);
            done += n;
        }
    }

    /** float32 to bfloat16 bits, round to nearest even; NaN stays a (quiet) NaN. */
    static short toBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }
}
