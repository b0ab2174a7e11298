package saelab.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

    @TempDir
    Path dir;

    /** Bytes of a .npy file with the given header dict and data, in format version {@code major}. */
    private static byte[] npy(int major, String dict, byte[] data) {
        int prefix = major == 1 ? 10 : 12;
        String header = dict;
        int pad = (64 - (prefix + header.length() + 1) % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x93);
        out.writeBytes("NUMPY".getBytes(StandardCharsets.US_ASCII));
        out.write(major);
        out.write(0);
        ByteBuffer len = ByteBuffer.allocate(major == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
        if (major == 1) {
            len.putShort((short) header.length());
        } else {
            len.putInt(header.length());
        }
        out.writeBytes(len.array());
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static String dict(String descr, boolean fortran, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
    }

    private static byte[] floats(int n) {
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat(i * 0.5f - 1);
        }
        return b.array();
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    /** Reading {@code f} fails with a message naming the file and containing every fragment. */
    private static void rejects(Path f, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.readFloatMatrix(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        for (String s : fragments) {
            assertTrue(e.getMessage().contains(s), "'" + s + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void writeThenReadRoundTrips() throws IOException {
        float[] v = {1, -2.5f, 3e-8f, Float.MAX_VALUE, -0f, 6, 7, 8, 9, 10, 11, 12};
        Path f = dir.resolve("m.npy");
        Npy.writeFloatMatrix(f, 4, 3, v);
        Npy.Matrix m = Npy.readFloatMatrix(f);
        assertEquals(4, m.rows());
        assertEquals(3, m.cols());
        assertArrayEquals(v, m.values());
        // version 1.0 header, data aligned to 64 bytes as NumPy writes it
        byte[] b = Files.readAllBytes(f);
        int headerLen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        assertEquals(0, (10 + headerLen) % 64);
        assertEquals(10 + headerLen + 4 * v.length, b.length);
        String header = new String(b, 10, headerLen, StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("'descr': '<f4'") && header.contains("(4, 3)") && header.endsWith("\n"), header);
    }

    @Test
    void handWrittenFilesOfEachVersionAreRead() throws IOException {
        for (int major = 1; major <= 3; major++) {
            Path f = file("v" + major + ".npy", npy(major, dict("<f4", false, "(2, 5)"), floats(10)));
            Npy.Matrix m = Npy.readFloatMatrix(f);
            assertEquals(2, m.rows());
            assertEquals(5, m.cols());
            assertEquals(-1f, m.values()[0]);
            assertEquals(3.5f, m.values()[9]);
        }
    }

    @Test
    void emptyMatrixIsRead() throws IOException {
        Npy.Matrix m = Npy.readFloatMatrix(file("e.npy", npy(1, dict("<f4", false, "(0, 7)"), new byte[0])));
        assertEquals(0, m.rows());
        assertEquals(7, m.cols());
    }

    @Test
    void float64IsRejectedWithTheDtype() throws IOException {
        rejects(file("f8.npy", npy(1, dict("<f8", false, "(2, 2)"), new byte[32])), "'<f8'", "float32");
    }

    @Test
    void bigEndianFloat32IsRejected() throws IOException {
        rejects(file("be.npy", npy(1, dict(">f4", false, "(2, 2)"), new byte[16])), "'>f4'");
    }

    @Test
    void rank1AndRank3AreRejectedWithTheShape() throws IOException {
        rejects(file("r1.npy", npy(1, dict("<f4", false, "(6,)"), floats(6))), "[6]", "2-D");
        rejects(file("r3.npy", npy(1, dict("<f4", false, "(2, 3, 4)"), floats(24))), "[2, 3, 4]", "2-D");
    }

    @Test
    void fortranOrderIsRejected() throws IOException {
        rejects(file("fo.npy", npy(1, dict("<f4", true, "(2, 3)"), floats(6))), "Fortran");
    }

    @Test
    void truncatedDataIsRejectedWithByteCounts() throws IOException {
        byte[] whole = npy(1, dict("<f4", false, "(3, 4)"), floats(12));
        Path f = file("cut.npy", java.util.Arrays.copyOf(whole, whole.length - 5));
        rejects(f, "truncated", "48", "43");
        // and extra bytes at the end are not silently ignored
        Path g = file("long.npy", java.util.Arrays.copyOf(whole, whole.length + 4));
        rejects(g, "52", "48");
    }

    @Test
    void truncatedHeaderIsRejected() throws IOException {
        byte[] whole = npy(1, dict("<f4", false, "(3, 4)"), floats(12));
        rejects(file("head.npy", java.util.Arrays.copyOf(whole, 40)), "header");
    }

    @Test
    void otherFilesAreNotNpy() throws IOException {
        rejects(file("text.npy", "a,b,c\n1,2,3\n4,5,6\n".getBytes(StandardCharsets.US_ASCII)), "not a .npy");
        rejects(file("empty.npy", new byte[0]), "not a .npy");
        byte[] v9 = npy(1, dict("<f4", false, "(1, 1)"), floats(1));
        v9[6] = 9;
        rejects(file("v9.npy", v9), "version 9");
        rejects(file("nodescr.npy", npy(1, "{'fortran_order': False, 'shape': (1, 1), }", floats(1))), "descr");
    }

    @Test
    void writeChecksTheValueCount() {
        assertThrows(IllegalArgumentException.class, () -> Npy.writeFloatMatrix(dir.resolve("x.npy"), 2, 3, new float[5]));
    }

    @Test
    void garbageShapeTextIsASentenceNamingTheField() throws IOException {
        rejects(file("letters.npy", npy(1, dict("<f4", false, "(2, x)"), floats(4))), "shape", "(2, x)");
        rejects(file("huge-dim.npy", npy(1, dict("<f4", false, "(99999999999999999999, 2)"), floats(4))), "shape");
        rejects(file("negative.npy", npy(1, dict("<f4", false, "(-2, 2)"), floats(4))), "shape");
    }

    @Test
    void shapeFarLargerThanTheFileIsRefusedBeforeAllocating() throws IOException {
        // 2^31 x 2^31 float32 values would be 2^64 bytes: the count overflows before any comparison with the file
        rejects(file("vast.npy", npy(1, dict("<f4", false, "(2147483648, 2147483648)"), floats(4))), "shape");
        // count x 4 wraps around a long to 12 = the real data size: refused by the general mapped reader too
        Path wrap = file("wrap.npy", npy(1, dict("<f4", false, "(4611686018427387907,)"), floats(3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.open(wrap, "<f4", -1).close());
        assertTrue(e.getMessage().contains(wrap.toString()) && e.getMessage().contains("shape"), e.getMessage());
        Path vast = file("vast1.npy", npy(1, dict("<f4", false, "(2147483648, 2147483648)"), floats(3)));
        assertThrows(IllegalArgumentException.class, () -> Npy.open(vast, "<f4", -1, -1).close());
    }

    @Test
    void hugeHeaderLengthIsRefused() throws IOException {
        // a valid dict padded to 1 MiB: NumPy's np.load refuses headers over 10000 bytes by default
        String padded = dict("<f4", false, "(1, 1)") + " ".repeat(1 << 20);
        rejects(file("big-header.npy", npy(2, padded, floats(1))), "header", "10000");
        // a version-2 length field of 4 GiB in a small file
        byte[] b = npy(2, dict("<f4", false, "(1, 1)"), floats(1));
        ByteBuffer.wrap(b, 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(-16);
        rejects(file("claims.npy", b), "header");
    }
}
