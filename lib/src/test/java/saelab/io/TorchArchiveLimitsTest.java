package saelab.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import net.razorvine.pickle.Opcodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile {@code torch.save} archives whose {@code data.pkl} declares more than it holds: an oversized pickle
 * (over {@link TorchArchive#MAX_PICKLE}, whether the zip says so or hides it) and pickle opcodes whose declared
 * length exceeds the bytes left are refused with one sentence naming the file, before anything of the declared
 * size is allocated.
 */
class TorchArchiveLimitsTest {

    @TempDir
    Path dir;

    /** A zip of {@code archive/byteorder} ("little") and {@code archive/data.pkl} = {@code pickle}, deflated. */
    private static byte[] archive(byte[] pickle) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.putNextEntry(new ZipEntry("archive/byteorder"));
            z.write("little".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            z.closeEntry();
            z.putNextEntry(new ZipEntry("archive/data.pkl"));
            z.write(pickle);
            z.closeEntry();
        }
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] zip) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, zip);
        return f;
    }

    private static IllegalArgumentException refused(Path file) {
        return assertThrows(IllegalArgumentException.class, () -> {
            try (TorchArchive a = TorchArchive.open(file, 0, Files.size(file))) {
                // opened: the test fails below
            }
        });
    }

    private static void assertNames(IllegalArgumentException e, String... parts) {
        String m = e.getMessage();
        assertTrue(m.lines().count() == 1, "one line: " + m);
        for (String p : parts) {
            assertTrue(m.contains(p), "should name " + p + ": " + m);
        }
    }

    @Test
    void aPickleOverTheCapIsRefusedFromItsDeclaredSize() throws IOException {
        Path f = write("big.pt", archive(new byte[TorchArchive.MAX_PICKLE + 1]));
        assertNames(refused(f), f.toString(), "data.pkl", "has " + (TorchArchive.MAX_PICKLE + 1) + " bytes, more than the "
                + TorchArchive.MAX_PICKLE);
    }

    /**
     * The zip's central directory claims 100 bytes for a {@code data.pkl} that inflates to more than the cap: the
     * read stops at the cap instead of trusting the directory.
     */
    @Test
    void aPickleOverTheCapBehindAFalseSizeIsRefusedWhileReading() throws IOException {
        byte[] zip = archive(new byte[TorchArchive.MAX_PICKLE + 1]);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        boolean patched = false;
        for (int i = 0; i + 46 < zip.length; i++) {
            // central directory file header PK\1\2: uncompressed size at +24, file name length at +28, name at +46
            if (b.getInt(i) == 0x02014b50 && new String(zip, i + 46, b.getShort(i + 28), java.nio.charset.StandardCharsets.UTF_8)
                    .equals("archive/data.pkl")) {
                b.putInt(i + 24, 100);
                patched = true;
            }
        }
        assertTrue(patched, "central directory entry of data.pkl found");
        Path f = write("lying.pt", zip);
        assertNames(refused(f), f.toString(), "data.pkl", "more than " + TorchArchive.MAX_PICKLE);
    }

    /** PROTO 2, then {@code opcode} with a little-endian length of {@code width} bytes = {@code declared}, then 3 bytes. */
    private static byte[] lengthPrefixed(short opcode, int width, long declared) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(Opcodes.PROTO);
        p.write(4);
        p.write(opcode);
        for (int i = 0; i < width; i++) {
            p.write((int) (declared >>> (8 * i)) & 0xff);
        }
        p.writeBytes(new byte[] {'a', 'b', 'c'});
        p.write(Opcodes.STOP);
        return p.toByteArray();
    }

    @Test
    void aStringDeclaringMoreBytesThanThePickleHoldsIsRefused() throws IOException {
        Path f = write("unicode.pt", archive(lengthPrefixed(Opcodes.BINUNICODE, 4, 0x7fff_fff0L)));
        assertNames(refused(f), f.toString(), "data.pkl", "declares " + 0x7fff_fff0L + " bytes", "only 4 are left");
    }

    @Test
    void bytesDeclaringMoreThanThePickleHoldsAreRefused() throws IOException {
        Path f = write("bytes8.pt", archive(lengthPrefixed(Opcodes.BINBYTES8, 8, 1L << 40)));
        assertNames(refused(f), f.toString(), "data.pkl", "declares " + (1L << 40) + " bytes");
        Path g = write("bytes4.pt", archive(lengthPrefixed(Opcodes.BINBYTES, 4, 1_000_000_000L)));
        assertNames(refused(g), g.toString(), "data.pkl", "declares 1000000000 bytes");
    }

    @Test
    void aFrameLongerThanThePickleIsRefused() throws IOException {
        Path f = write("frame.pt", archive(lengthPrefixed(Opcodes.FRAME, 8, 1L << 33)));
        assertNames(refused(f), f.toString(), "data.pkl", "declares " + (1L << 33) + " bytes");
    }
}
