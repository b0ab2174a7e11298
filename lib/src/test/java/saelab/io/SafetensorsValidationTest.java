package saelab.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile safetensors headers are refused as the reference implementation (Hugging Face
 * {@code safetensors}, {@code Metadata::validate}) refuses them: overlapping or gapped byte ranges,
 * element counts that overflow, duplicate names, a header that is not an object, and metadata that is
 * not a string-to-string map. Each refusal is one sentence naming the file.
 */
class SafetensorsValidationTest {

    @TempDir
    Path dir;

    private Path handMade(String name, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer buf = ByteBuffer.allocate(8 + padded + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            buf.put((byte) ' ');
        }
        Path file = dir.resolve(name);
        Files.write(file, buf.array());
        return file;
    }

    private static String f32(String name, long n, long begin) {
        return "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[" + n + "],\"data_offsets\":[" + begin + "," + (begin + 4 * n) + "]}";
    }

    /** Both readers (the convenience {@link Safetensors#read} and the mapped one) refuse {@code file} with every fragment. */
    private static void refused(Path file, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        for (String s : fragments) {
            assertTrue(e.getMessage().contains(s), "'" + s + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void overlappingTensorsAreRefused() throws IOException {
        // b reuses the last 4 bytes of a: each range fits the data section, but they overlap
        refused(handMade("overlap.safetensors", "{" + f32("a", 2, 0) + "," + f32("b", 2, 4) + "}", 12), "'b'", "overlap");
    }

    @Test
    void gapBetweenTensorsAndTrailingBytesAreRefused() throws IOException {
        refused(handMade("gap.safetensors", "{" + f32("a", 2, 0) + "," + f32("b", 2, 12) + "}", 20), "'b'", "gap");
        refused(handMade("trailing.safetensors", "{" + f32("a", 2, 0) + "}", 12), "8", "12");
    }

    @Test
    void elementCountOverflowIsASentence() throws IOException {
        long big = 1L << 40;
        refused(handMade("overflow.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[" + big + "," + big + "],\"data_offsets\":[0,0]}}", 0), "'a'", "overflow");
        // the count fits a long, count x itemsize does not
        long n = (1L << 62) + 1;
        refused(handMade("bytes.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[" + n + "],\"data_offsets\":[0,4]}}", 4), "'a'", "overflow");
    }

    @Test
    void duplicateTensorNamesAreRefused() throws IOException {
        refused(handMade("dup.safetensors", "{" + f32("a", 2, 0) + "," + f32("a", 2, 0) + "}", 8), "duplicate", "a");
    }

    @Test
    void headerThatIsNotAnObjectIsRefused() throws IOException {
        refused(handMade("array.safetensors", "[1, 2, 3]", 0), "JSON object");
    }

    @Test
    void metadataThatIsNotAStringMapIsRefused() throws IOException {
        refused(handMade("meta-number.safetensors", "{\"__metadata__\":{\"k\":5}}", 0), "__metadata__", "'k'");
        refused(handMade("meta-text.safetensors", "{\"__metadata__\":\"x\"}", 0), "__metadata__");
    }

    @Test
    void nonIntegerOffsetsAreRefused() throws IOException {
        refused(handMade("offsets.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8.5]}}", 8), "'a'",
                "data_offsets");
    }
}
