package saelab.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256Test {

    /** FIPS 180-2, appendix B.1: SHA-256("abc"). */
    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    /** FIPS 180-2, appendix B.2: a two-block message. */
    private static final String TWO_BLOCKS = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";

    @TempDir
    Path dir;

    @Test
    void knownDigestsOfBytes() {
        assertEquals(ABC, Sha256.of("abc".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(EMPTY, Sha256.of(new byte[0]));
        assertEquals(TWO_BLOCKS,
                Sha256.of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void incrementalDigestMatches() {
        MessageDigest d = Sha256.newDigest();
        d.update("a".getBytes(StandardCharsets.US_ASCII));
        d.update("bc".getBytes(StandardCharsets.US_ASCII));
        assertEquals(ABC, Sha256.hex(d));
    }

    @Test
    void filesAndStreamsGiveTheSameDigestAsBytes() throws IOException {
        Path abc = dir.resolve("abc.txt");
        Files.writeString(abc, "abc", StandardCharsets.US_ASCII);
        assertEquals(ABC, Sha256.of(abc));
        Path empty = Files.createFile(dir.resolve("empty"));
        assertEquals(EMPTY, Sha256.of(empty));

        // larger than the 1 MiB read buffer, and not a multiple of it
        byte[] big = new byte[(3 << 20) + 12345];
        new SplittableRandom(1).nextBytes(big);
        Path bigFile = dir.resolve("big.bin");
        Files.write(bigFile, big);
        String expected = Sha256.of(big);
        assertEquals(expected, Sha256.of(bigFile));
        assertEquals(expected, Sha256.of(new ByteArrayInputStream(big)));
        assertTrue(expected.matches("[0-9a-f]{64}"));
    }

    @Test
    void matchesChecksSizeAndChecksum() throws IOException {
        Path abc = dir.resolve("abc.txt");
        Files.writeString(abc, "abc", StandardCharsets.US_ASCII);
        assertTrue(Sha256.matches(abc, 3, ABC));
        assertFalse(Sha256.matches(abc, 4, ABC));
        assertFalse(Sha256.matches(abc, 3, EMPTY));
        assertFalse(Sha256.matches(dir.resolve("missing"), 3, ABC));
        assertFalse(Sha256.matches(dir, 3, ABC));
    }

    @Test
    void missingFileIsAnErrorNamingIt() {
        Path missing = dir.resolve("nope.bin");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Sha256.of(missing));
        assertTrue(e.getMessage().contains("nope.bin"), e.getMessage());
    }
}
