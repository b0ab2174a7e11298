package saelab.lm.moondream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import saelab.io.Safetensors;
import saelab.io.SafetensorsFile;
import saelab.model.Golden;

/** The moondream2 golden fixture ({@code src/test/resources/golden/moondream}) and its non-float inputs. */
final class MoondreamFixture {

    static final String NAME = "moondream";

    private MoondreamFixture() {}

    static Path dir() {
        return Golden.dir(NAME);
    }

    /** {@code crops_uint8} [5, 54, 54, 3] as bytes. */
    static byte[] cropsUint8() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(dir().resolve("inputs.safetensors"))) {
            SafetensorsFile.Entry e = f.entry("crops_uint8");
            assertEquals("U8", e.dtype());
            return f.bytes("crops_uint8").toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** A float tensor of {@code inputs.safetensors} or {@code outputs.safetensors} (the files also hold integer tensors). */
    static Safetensors.Tensor tensor(String file, String name) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(dir().resolve(file))) {
            return f.tensor(name);
        }
    }

    /** An I64 tensor of {@code inputs.safetensors} or {@code outputs.safetensors}. */
    static long[] longs(String file, String name) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(dir().resolve(file))) {
            assertEquals("I64", f.entry(name).dtype());
            MemorySegment s = f.bytes(name);
            return s.toArray(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
        }
    }
}
