package saelab.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StorageDtypeTest {

    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Encodes then decodes through a heap segment. */
    private static float[] roundTrip(StorageDtype dtype, float[] values) {
        MemorySegment seg = MemorySegment.ofArray(new byte[values.length * dtype.bytes()]);
        dtype.encode(values, 0, values.length, seg, 0);
        float[] back = new float[values.length];
        dtype.decode(seg, 0, back, 0, values.length);
        return back;
    }

    private static float roundTrip(StorageDtype dtype, float value) {
        return roundTrip(dtype, new float[] {value})[0];
    }

    /** The 16 stored bits of one value. */
    private static short bits(StorageDtype dtype, float value) {
        MemorySegment seg = MemorySegment.ofArray(new byte[2]);
        dtype.encode(new float[] {value}, 0, 1, seg, 0);
        return seg.get(LE16, 0);
    }

    /** Values spread over many binades: +-[2^-12, 2^15], inside float16's normal range. */
    private static float[] spreadValues(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            double mag = Math.pow(2, rng.nextDouble(-12, 15));
            v[i] = (float) (rng.nextBoolean() ? mag : -mag);
        }
        return v;
    }

    @Test
    void f32IsExact() {
        float[] v = {0f, -0f, 1f, -3.25f, Float.MIN_VALUE, Float.MAX_VALUE, -Float.MIN_NORMAL, 1e-30f, 123456.789f,
                Float.POSITIVE_INFINITY, Float.NaN};
        float[] back = roundTrip(StorageDtype.F32, v);
        for (int i = 0; i < v.length; i++) {
            assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(back[i]), "value " + v[i]);
        }
        float[] random = spreadValues(1000, 3);
        assertArrayEquals(random, roundTrip(StorageDtype.F32, random));
    }

    @Test
    void f32IsStoredLittleEndian() {
        MemorySegment seg = MemorySegment.ofArray(new byte[4]);
        StorageDtype.F32.encode(new float[] {1f}, 0, 1, seg, 0);
        // 1.0f = 0x3f800000
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f}, seg.toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void f16RoundTripIsWithinHalfAnUlp() {
        float[] v = spreadValues(20_000, 11);
        float[] back = roundTrip(StorageDtype.F16, v);
        double bound = Math.scalb(1.0, -11);
        for (int i = 0; i < v.length; i++) {
            double rel = Math.abs((double) back[i] - v[i]) / Math.abs(v[i]);
            assertTrue(rel <= bound, "f16 of " + v[i] + " came back as " + back[i] + " (relative error " + rel + ")");
            assertEquals(CacheTestData.quantize(StorageDtype.F16, v[i]), back[i], "f16 of " + v[i]);
        }
    }

    @Test
    void bf16RoundTripIsWithinHalfAnUlp() {
        SplittableRandom rng = new SplittableRandom(12);
        float[] v = new float[20_000];
        for (int i = 0; i < v.length; i++) {
            // bfloat16 has float32's exponent range: go far beyond float16's
            double mag = Math.pow(2, rng.nextDouble(-120, 120));
            v[i] = (float) (rng.nextBoolean() ? mag : -mag);
        }
        float[] back = roundTrip(StorageDtype.BF16, v);
        double bound = Math.scalb(1.0, -8);
        for (int i = 0; i < v.length; i++) {
            double rel = Math.abs((double) back[i] - v[i]) / Math.abs(v[i]);
            assertTrue(rel <= bound, "bf16 of " + v[i] + " came back as " + back[i] + " (relative error " + rel + ")");
            assertEquals(CacheTestData.quantize(StorageDtype.BF16, v[i]), back[i], "bf16 of " + v[i]);
        }
    }

    @Test
    void halfTypesKeepValuesTheyCanRepresent() {
        float[] exact = {0f, 1f, -2f, 0.5f, 1.5f, -1024f, 0.1171875f, 3f / 4f};
        assertArrayEquals(exact, roundTrip(StorageDtype.F16, exact));
        assertArrayEquals(exact, roundTrip(StorageDtype.BF16, exact));
        assertEquals((short) 0x3c00, bits(StorageDtype.F16, 1f));
        assertEquals((short) 0x3f80, bits(StorageDtype.BF16, 1f));
        assertEquals((short) 0xc000, bits(StorageDtype.BF16, -2f));
    }

    @Test
    void f16TiesRoundToEven() {
        // 1 + 2^-11 lies exactly between 1 (even significand) and 1 + 2^-10 (odd): goes down to 1
        float lowTie = 1f + (float) Math.scalb(1.0, -11);
        assertEquals(1f, roundTrip(StorageDtype.F16, lowTie));
        assertEquals((short) 0x3c00, bits(StorageDtype.F16, lowTie));
        // 1 + 3 * 2^-11 lies between 1 + 2^-10 (odd) and 1 + 2^-9 (even): goes up
        float highTie = 1f + 3f * (float) Math.scalb(1.0, -11);
        assertEquals(1f + (float) Math.scalb(1.0, -9), roundTrip(StorageDtype.F16, highTie));
        assertEquals((short) 0x3c02, bits(StorageDtype.F16, highTie));
        // just above a tie rounds up, just below rounds down
        assertEquals((short) 0x3c01, bits(StorageDtype.F16, Math.nextUp(lowTie)));
        assertEquals((short) 0x3c01, bits(StorageDtype.F16, Math.nextDown(highTie)));
        // negative ties mirror the positive ones
        assertEquals(-1f, roundTrip(StorageDtype.F16, -lowTie));
    }

    @Test
    void bf16TiesRoundToEven() {
        // bfloat16 keeps 7 fraction bits: 1 + 2^-8 is a tie between 1 (even) and 1 + 2^-7 (odd)
        float lowTie = 1f + (float) Math.scalb(1.0, -8);
        assertEquals((short) 0x3f80, bits(StorageDtype.BF16, lowTie));
        assertEquals(1f, roundTrip(StorageDtype.BF16, lowTie));
        // 1 + 3 * 2^-8 is a tie between 1 + 2^-7 (odd) and 1 + 2^-6 (even)
        float highTie = 1f + 3f * (float) Math.scalb(1.0, -8);
        assertEquals((short) 0x3f82, bits(StorageDtype.BF16, highTie));
        assertEquals(1f + (float) Math.scalb(1.0, -6), roundTrip(StorageDtype.BF16, highTie));
        // one float32 ulp off the tie decides the direction
        assertEquals((short) 0x3f81, bits(StorageDtype.BF16, Math.nextUp(lowTie)));
        assertEquals((short) 0x3f81, bits(StorageDtype.BF16, Math.nextDown(highTie)));
        // a tie with a carry into the exponent: (2 - 2^-8) lies between 2 - 2^-7 (odd) and 2 (even)
        float carry = 2f - (float) Math.scalb(1.0, -8);
        assertEquals(2f, roundTrip(StorageDtype.BF16, carry));
        assertEquals((short) 0xbf80, bits(StorageDtype.BF16, -lowTie));
    }

    @Test
    void bf16KeepsNaNAndInfinities() {
        assertTrue(Float.isNaN(roundTrip(StorageDtype.BF16, Float.NaN)));
        // NaNs whose payload sits only in the low 16 bits must not turn into infinity when truncated
        float lowPayload = Float.intBitsToFloat(0x7f800001);
        float negLowPayload = Float.intBitsToFloat(0xff800001);
        assertTrue(Float.isNaN(lowPayload));
        assertTrue(Float.isNaN(roundTrip(StorageDtype.BF16, lowPayload)), "NaN 0x7f800001");
        assertTrue(Float.isNaN(roundTrip(StorageDtype.BF16, negLowPayload)), "NaN 0xff800001");
        // a NaN whose payload would round up must not carry into the sign or become infinity
        float allOnes = Float.intBitsToFloat(0x7fffffff);
        assertTrue(Float.isNaN(roundTrip(StorageDtype.BF16, allOnes)), "NaN 0x7fffffff");
        assertEquals(Float.POSITIVE_INFINITY, roundTrip(StorageDtype.BF16, Float.POSITIVE_INFINITY));
        assertEquals(Float.NEGATIVE_INFINITY, roundTrip(StorageDtype.BF16, Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(roundTrip(StorageDtype.F16, Float.NaN)));
        // beyond float16's range
        assertEquals(Float.POSITIVE_INFINITY, roundTrip(StorageDtype.F16, 1e6f));
        assertEquals(Float.NEGATIVE_INFINITY, roundTrip(StorageDtype.F16, -70000f));
        assertEquals(65504f, roundTrip(StorageDtype.F16, 65504f));
    }

    @Test
    void f16SubnormalsAreRoundedToTheirGrid() {
        // float16's smallest subnormal is 2^-24; values are multiples of it below 2^-14
        float tiny = (float) Math.scalb(1.0, -24);
        assertEquals(tiny, roundTrip(StorageDtype.F16, tiny));
        assertEquals(3 * tiny, roundTrip(StorageDtype.F16, 3.2f * tiny));
        // half the smallest subnormal is a tie with 0 (even): rounds to 0
        assertEquals(0f, roundTrip(StorageDtype.F16, tiny / 2));
        assertEquals(CacheTestData.quantize(StorageDtype.F16, 5.5f * tiny), roundTrip(StorageDtype.F16, 5.5f * tiny));
    }

    @ParameterizedTest
    @EnumSource(StorageDtype.class)
    void decodesAtAnUnalignedOffsetAndIntoAnOffsetOfTheArray(StorageDtype dtype) {
        // more values than the converter's internal block, so blocks after the first are exercised too
        int n = 10_000;
        float[] v = spreadValues(n, 21);
        long offset = 7; // odd: every value is unaligned
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(offset + (long) n * dtype.bytes() + 5);
            seg.fill((byte) 0x5a);
            dtype.encode(v, 0, n, seg, offset);
            // the bytes before and after are untouched
            assertEquals((byte) 0x5a, seg.get(ValueLayout.JAVA_BYTE, offset - 1));
            assertEquals((byte) 0x5a, seg.get(ValueLayout.JAVA_BYTE, offset + (long) n * dtype.bytes()));

            float[] dst = new float[n + 13];
            java.util.Arrays.fill(dst, -7f);
            dtype.decode(seg, offset, dst, 9, n);
            for (int i = 0; i < 9; i++) {
                assertEquals(-7f, dst[i]);
            }
            for (int i = 0; i < n; i++) {
                assertEquals(CacheTestData.quantize(dtype, v[i]), dst[9 + i], "value " + i);
            }
            for (int i = 9 + n; i < dst.length; i++) {
                assertEquals(-7f, dst[i]);
            }

            // a read starting in the middle: value k sits at offset + k * bytes
            float[] part = new float[3];
            dtype.decode(seg, offset + 4000L * dtype.bytes(), part, 0, 3);
            for (int i = 0; i < 3; i++) {
                assertEquals(CacheTestData.quantize(dtype, v[4000 + i]), part[i]);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(StorageDtype.class)
    void encodesASliceOfTheSourceArray(StorageDtype dtype) {
        float[] src = {9f, 9f, 1.5f, -2.25f, 3f, 9f};
        MemorySegment seg = MemorySegment.ofArray(new byte[3 * dtype.bytes()]);
        dtype.encode(src, 2, 3, seg, 0);
        float[] back = new float[3];
        dtype.decode(seg, 0, back, 0, 3);
        assertArrayEquals(new float[] {1.5f, -2.25f, 3f}, back);
    }

    @Test
    void parsesNamesAndAliases() {
        assertEquals(StorageDtype.F32, StorageDtype.parse("f32", "x"));
        assertEquals(StorageDtype.F32, StorageDtype.parse("float32", "x"));
        assertEquals(StorageDtype.F16, StorageDtype.parse(" F16 ", "x"));
        assertEquals(StorageDtype.F16, StorageDtype.parse("float16", "x"));
        assertEquals(StorageDtype.BF16, StorageDtype.parse("bf16", "x"));
        assertEquals(StorageDtype.BF16, StorageDtype.parse("BFloat16", "x"));
        for (StorageDtype d : StorageDtype.values()) {
            assertEquals(d, StorageDtype.parse(d.id(), "x"));
        }
        assertEquals("bf16", StorageDtype.BF16.id());
        assertEquals(4, StorageDtype.F32.bytes());
        assertEquals(2, StorageDtype.F16.bytes());
        assertEquals(2, StorageDtype.BF16.bytes());
    }

    @Test
    void badNameIsAnErrorNamingTheFieldAndTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StorageDtype.parse("fp8", "--dtype"));
        assertTrue(e.getMessage().contains("--dtype"), e.getMessage());
        assertTrue(e.getMessage().contains("fp8"), e.getMessage());
        assertTrue(e.getMessage().contains("bf16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StorageDtype.parse(null, "dtype"));
        assertThrows(IllegalArgumentException.class, () -> StorageDtype.parse("", "dtype"));
    }
}
