package saelab.cli;

import static saelab.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import saelab.cli.CliRun.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code saelab tokenize}. */
class TokenizeCliTest {

    @TempDir
    Path dir;

    private Path openClipModel(int contextLength) throws IOException {
        Path m = Files.createDirectories(dir.resolve("model"));
        Files.writeString(m.resolve("open_clip_config.json"),
                "{\"model_cfg\": {\"text_cfg\": {\"context_length\": " + contextLength + ", \"vocab_size\": 49408}}}");
        Files.copy(Path.of("src/test/resources/golden/clip_tokenizer/bpe_simple_vocab_16e6.txt.gz"),
                m.resolve("bpe_simple_vocab_16e6.txt.gz"), StandardCopyOption.REPLACE_EXISTING);
        return m;
    }

    @Test
    void printsOneJsonArrayPerText() throws IOException {
        Result r = run("tokenize", "--model", openClipModel(77).toString(), "a photo of a cat", "Hello, world!", "");
        assertEquals(0, r.code(), r.err());
        assertEquals("[49406,320,1125,539,320,2368,49407]\n[49406,3306,267,1002,256,49407]\n[49406,49407]\n", r.out());
    }

    @Test
    void truncatesToTheModelsContextWithTheEndTokenLast() throws IOException {
        Result r = run("tokenize", "--model", openClipModel(4).toString(), "a photo of a cat");
        assertEquals("[49406,320,1125,49407]\n", r.out(), r.err());
        r = run("tokenize", "--model", openClipModel(4).toString(), "--context-length", "3", "a photo of a cat");
        assertEquals("[49406,320,49407]\n", r.out(), r.err());
    }

    @Test
    void userErrorsAreOneLine() throws IOException {
        Result r = run("tokenize", "--model", dir.toString(), "a cat");
        assertEquals(2, r.code());
        assertTrue(r.err().contains(dir + ": no tokenizer files; expected spiece.model"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        r = run("tokenize", "--model", openClipModel(77).toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no TEXT given"), r.err());
        assertEquals(2, run("tokenize", "a cat").code(), "--model is required");
    }
}
