package saelab.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Safetensors.Tensor;

class SafetensorsTest {

    @TempDir
    Path dir;

    private static Map<String, Tensor> sample() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("matrix", new Tensor(new long[] {2, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, -0f, 1e30f}));
        t.put("vector", new Tensor(new long[] {4}, new float[] {0.1f, 0.2f, 0.3f, 0.4f}));
        t.put("scalar", new Tensor(new long[] {}, new float[] {7}));
        t.put("empty", new Tensor(new long[] {0, 5}, new float[0]));
        return t;
    }

    /** The header length field and the header text. */
    private static long headerLength(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        return ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** A file with the given header JSON and data bytes (header padded to 8 bytes with spaces). */
    private Path handMade(String name, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer buf = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(padded);
        buf.put(json);
        for (int i = json.length; i < padded; i++) {
            buf.put((byte) ' ');
        }
        buf.put(data);
        Path file = dir.resolve(name);
        Files.write(file, buf.array());
        return file;
    }

    @Test
    void roundTripKeepsTensorsOrderAndMetadata() throws IOException {
        Path file = dir.resolve("t.safetensors");
        Map<String, String> meta = Map.of("format", "test/1", "note", "{\"json\": [1, 2]} ünïcode");
        Safetensors.write(file, sample(), meta);
        Safetensors.Contents c = Safetensors.read(file);
        assertEquals(List.of("matrix", "vector", "scalar", "empty"), List.copyOf(c.tensors().keySet()));
        for (Map.Entry<String, Tensor> e : sample().entrySet()) {
            Tensor got = c.tensors().get(e.getKey());
            assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
            assertArrayEquals(e.getValue().values(), got.values(), e.getKey());
        }
        assertEquals(meta, c.metadata());
        assertEquals(0, (8 + headerLength(file)) % 8);
    }

    @Test
    void noMetadataReadsAsEmpty() throws IOException {
        Path file = dir.resolve("plain.safetensors");
        Safetensors.write(file, sample(), null);
        assertTrue(Safetensors.read(file).metadata().isEmpty());
        assertTrue(!Files.readString(file, StandardCharsets.ISO_8859_1).contains("__metadata__"));
    }

    @Test
    void headerIsAlwaysEightByteAligned() throws IOException {
        for (int len = 1; len <= 16; len++) {
            Path file = dir.resolve("a" + len + ".safetensors");
            Safetensors.write(file, Map.of("t".repeat(len), new Tensor(new long[] {1}, new float[] {len})), Map.of());
            long n = headerLength(file);
            assertEquals(0, (8 + n) % 8, "name length " + len);
            assertEquals(8 + n + 4, Files.size(file));
            assertEquals(len, Safetensors.read(file).tensors().get("t".repeat(len)).values()[0]);
        }
    }

    @Test
    void requireNamesFileTensorAndShapes() throws IOException {
        Path file = dir.resolve("r.safetensors");
        Safetensors.write(file, sample(), Map.of());
        Safetensors.Contents c = Safetensors.read(file);
        assertEquals(4, c.require(file, "vector", 4).values().length);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> c.require(file, "nope", 1));
        assertTrue(missing.getMessage().contains(file.toString()) && missing.getMessage().contains("'nope'"), missing.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> c.require(file, "matrix", 3, 2));
        assertTrue(shape.getMessage().contains("[2, 3]") && shape.getMessage().contains("[3, 2]"), shape.getMessage());
    }

    @Test
    void truncatedFileNamesFileAndTensor() throws IOException {
        Path file = dir.resolve("cut.safetensors");
        Safetensors.write(file, sample(), Map.of());
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, all.length - 6));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("'"), e.getMessage());

        // cut inside the header
        Files.write(file, Arrays.copyOf(all, 20));
        IllegalArgumentException h = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(file));
        assertTrue(h.getMessage().contains(file.toString()) && h.getMessage().contains("header length"), h.getMessage());
    }

    @Test
    void badHeaderLengthNamesTheFile() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        Safetensors.write(file, sample(), Map.of());
        byte[] all = Files.readAllBytes(file);
        for (long n : new long[] {0, -5, 1L << 40, Safetensors.MAX_HEADER + 1}) {
            ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(n);
            Files.write(file, all);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(file), "n=" + n);
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("header length " + n), e.getMessage());
        }
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(tiny));
        assertTrue(e.getMessage().contains(tiny.toString()), e.getMessage());
    }

    @Test
    void headerThatIsNotJsonNamesTheFile() throws IOException {
        Path file = handMade("notjson.safetensors", "{\"a\": [1, 2", new byte[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("JSON"), e.getMessage());
    }

    @Test
    void unsupportedDtypeNamesTensorAndDtype() throws IOException {
        Path file = handMade("int.safetensors", "{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("'ids'") && e.getMessage().contains("I64"),
                e.getMessage());
    }

    @Test
    void otherFloatTypesAreConverted() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(2 * 2 + 2 * 2 + 2 * 8).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-0.25f));
        data.putShort((short) (Float.floatToIntBits(-3.0f) >>> 16)).putShort((short) (Float.floatToIntBits(0.5f) >>> 16));
        data.putDouble(2.25).putDouble(-1e-3);
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[1,2],\"data_offsets\":[8,24]},"
                + "\"__metadata__\":{\"k\":\"v\"}}";
        Path file = handMade("mixed.safetensors", header, data.array());
        Safetensors.Contents c = Safetensors.read(file);
        assertArrayEquals(new float[] {1.5f, -0.25f}, c.tensors().get("h").values());
        assertArrayEquals(new float[] {-3.0f, 0.5f}, c.tensors().get("b").values());
        assertArrayEquals(new float[] {2.25f, (float) -1e-3}, c.tensors().get("d").values());
        assertEquals(Map.of("k", "v"), c.metadata());
    }

    @Test
    void reservedNameAndShapeMismatchAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Tensor(new long[] {2, 2}, new float[3]));
        Path file = dir.resolve("reserved.safetensors");
        assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(file, Map.of("__metadata__", new Tensor(new long[] {1}, new float[1])), Map.of()));
    }
}
