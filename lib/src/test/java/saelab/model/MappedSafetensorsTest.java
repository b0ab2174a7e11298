package saelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mapped, per-tensor safetensors reader: dtype conversion, ownership of the loaded memory, and its errors. */
class MappedSafetensorsTest {

    @TempDir
    Path dir;

    private Path handMade(String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer buf = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            buf.put((byte) ' ');
        }
        buf.put(data);
        Path f = dir.resolve("t.safetensors");
        Files.write(f, buf.array());
        return f;
    }

    @Test
    void everyDtypeLoadsAndOutlivesTheMapping() throws IOException {
        ByteBuffer d = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        d.putFloat(1.25f).putFloat(-2f);                                                             // F32 [2]   0..8
        d.putShort(Float.floatToFloat16(0.5f)).putShort(Float.floatToFloat16(-3.75f));              // F16 [2]   8..12
        d.putShort((short) (Float.floatToIntBits(6f) >>> 16)).putShort((short) (Float.floatToIntBits(-0.125f) >>> 16)); // BF16 12..16
        d.putDouble(2.5);                                                                            // F64 [1]  16..24
        d.putLong(49407L).putLong(-1L);                                                              // I64 [2]  24..40
        d.putInt(7).putInt(8);                                                                       // I32 [2]  40..48
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"f\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[1,2],\"data_offsets\":[8,12]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[12,16]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[16,24]},"
                + "\"l\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[24,40]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[40,48]}}";
        Path f = handMade(header, Arrays.copyOf(d.array(), 48));
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray fa;
            NDArray ha;
            NDArray ba;
            NDArray da;
            NDArray la;
            NDArray ia;
            try (MappedSafetensors m = MappedSafetensors.open(f)) {
                assertEquals("pt", m.metadata().get("format"));
                fa = m.load("f", nd);
                ha = m.load("h", nd);
                ba = m.load("b", nd);
                da = m.load("d", nd);
                la = m.load("l", nd);
                ia = m.load("i", nd);
            }
            Files.write(f, new byte[Math.toIntExact(Files.size(f))]); // the arrays must not read the file any more
            assertArrayEquals(new float[] {1.25f, -2f}, fa.toFloatArray());
            assertArrayEquals(new float[] {0.5f, -3.75f}, ha.toFloatArray());
            assertArrayEquals(new long[] {1, 2}, ha.getShape().getShape());
            assertArrayEquals(new float[] {6f, -0.125f}, ba.toFloatArray());
            assertEquals(2.5f, da.getFloat());
            assertEquals(0, da.getShape().dimension());
            assertEquals(DataType.INT64, la.getDataType());
            assertArrayEquals(new long[] {49407L, -1L}, la.toLongArray());
            assertArrayEquals(new long[] {7, 8}, ia.toLongArray());
        }
    }

    @Test
    void errorsNameFileAndTensor() throws IOException {
        Path f = handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]);
        IllegalArgumentException cut = assertThrows(IllegalArgumentException.class, () -> MappedSafetensors.open(f));
        assertTrue(cut.getMessage().contains(f.toString()) && cut.getMessage().contains("'x'") && cut.getMessage().contains("truncated"),
                cut.getMessage());
        // U8 is a valid safetensors dtype (the header opens) that saelab does not load
        Path g = handMade("{\"x\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8]}}", new byte[8]);
        try (MappedSafetensors m = MappedSafetensors.open(g); NDManager nd = NDManager.newBaseManager()) {
            IllegalArgumentException dt = assertThrows(IllegalArgumentException.class, () -> m.load("x", nd));
            assertTrue(dt.getMessage().contains("'x'") && dt.getMessage().contains("U8"), dt.getMessage());
        }
        Path q = handMade("{\"x\":{\"dtype\":\"Q9\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[8]);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> MappedSafetensors.open(q));
        assertTrue(unknown.getMessage().contains("'x'") && unknown.getMessage().contains("Q9"), unknown.getMessage());
        Path h = handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]);
        try (MappedSafetensors m = MappedSafetensors.open(h); NDManager nd = NDManager.newBaseManager()) {
            IllegalArgumentException miss = assertThrows(IllegalArgumentException.class, () -> m.load("y", nd));
            assertTrue(miss.getMessage().contains(h.toString()) && miss.getMessage().contains("'y'") && miss.getMessage().contains("[x]"),
                    miss.getMessage());
        }
        Files.write(h, new byte[] {1, 2, 3});
        assertThrows(IllegalArgumentException.class, () -> MappedSafetensors.open(h));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> MappedSafetensors.open(dir.resolve("none.safetensors")));
    }

    @Test
    void nanOrInfiniteWeightsAreRefusedNamingTensorAndIndex() throws IOException {
        ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        d.putFloat(1f).putFloat(2f).putFloat(Float.NaN).putFloat(Float.POSITIVE_INFINITY);
        Path f = handMade("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", d.array());
        try (MappedSafetensors m = MappedSafetensors.open(f); NDManager nd = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.load("w", nd));
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("'w'") && e.getMessage().contains("NaN")
                    && e.getMessage().contains("index 2"), e.getMessage());
        }
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0x3f80).putShort((short) 0xff80); // bf16 1.0 and -inf
        Path g = handMade("{\"w\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}", b.array());
        try (MappedSafetensors m = MappedSafetensors.open(g); NDManager nd = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.load("w", nd));
            assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("Infinity") && e.getMessage().contains("index 1"),
                    e.getMessage());
        }
    }
}
