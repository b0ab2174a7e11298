package saelab.hub;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The reference fixtures under {@code src/test/resources/golden/} (surefire runs in {@code lib/}). */
final class Golden {

    static final Path ROOT = Path.of("src/test/resources/golden");

    private Golden() {}

    /** A fixture file; fails the test (not skips it) when it is missing. */
    static Path file(String dir, String name) {
        Path p = ROOT.resolve(dir).resolve(name);
        assertTrue(Files.isRegularFile(p), "fixture " + p.toAbsolutePath() + " is missing; expected the golden"
                + " fixtures in lib/src/test/resources/golden (part of the repository)");
        return p;
    }

    /** A fixture file's bytes. */
    static byte[] bytes(String dir, String name) {
        try {
            return Files.readAllBytes(file(dir, name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
