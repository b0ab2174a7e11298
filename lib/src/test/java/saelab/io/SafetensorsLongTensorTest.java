package saelab.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Safetensors#write} with int64 tensors (token ids): dtype I64, little-endian values, names checked. */
class SafetensorsLongTensorTest {

    @TempDir
    Path dir;

    @Test
    void floatsAndIdsRoundTripThroughTheValidatingReader() throws IOException {
        Path file = dir.resolve("mixed.safetensors");
        long[] ids = {1, 300, Long.MAX_VALUE, -7, 151_646, 0};
        Safetensors.write(file, Map.of("logits", new Safetensors.Tensor(new long[] {2}, new float[] {1.5f, -2f})),
                Map.of("new_ids", new Safetensors.LongTensor(new long[] {2, 3}, ids)), Map.of("format", "pt"));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals("I64", f.entry("new_ids").dtype());
            assertArrayEquals(new long[] {2, 3}, f.entry("new_ids").shape());
            assertArrayEquals(ids, f.bytes("new_ids").toArray(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)));
            assertArrayEquals(new float[] {1.5f, -2f}, f.floats("logits"));
            assertEquals("pt", f.metadata().get("format"));
        }
    }

    @Test
    void aNameGivenTwiceOrAWrongCountIsRefused() {
        Path file = dir.resolve("twice.safetensors");
        String msg = assertThrows(IllegalArgumentException.class, () -> Safetensors.write(file,
                Map.of("x", new Safetensors.Tensor(new long[] {1}, new float[1])),
                Map.of("x", new Safetensors.LongTensor(new long[] {1}, new long[1])), Map.of())).getMessage();
        assertTrue(msg.contains("'x' is given twice"), msg);
        assertTrue(!Files.exists(file));
        assertThrows(IllegalArgumentException.class, () -> new Safetensors.LongTensor(new long[] {2, 2}, new long[3]));
    }
}
