package saelab.text;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the reference fixtures copied into {@code lib/src/test/resources/golden/} (surefire runs with
 * {@code lib/} as the working directory). A missing fixture fails the test: they are part of the repository.
 */
final class Golden {

    static final Path ROOT = Path.of("src/test/resources/golden");

    private Golden() {}

    /** A file or folder under the fixtures, which must exist. */
    static Path path(String first, String... more) {
        Path p = ROOT.resolve(Path.of(first, more));
        assertTrue(Files.exists(p), "reference fixture " + p.toAbsolutePath() + " is missing");
        return p;
    }

    /** open_clip's BPE vocabulary file. */
    static Path bpeGz() {
        return path("clip_tokenizer", "bpe_simple_vocab_16e6.txt.gz");
    }
}
