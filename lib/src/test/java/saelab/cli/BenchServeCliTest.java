package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.cli.CliRun.Result;

/** {@code saelab bench serve}: bad options get one sentence naming the option and exit code 2, before anything is timed. */
class BenchServeCliTest {

    @TempDir
    Path tmp;

    private static void oneSentence(Result r, String expected) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("saelab bench serve: error: "), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertTrue(r.out().isEmpty(), "nothing timed: " + r.out());
    }

    @Test
    void anUnknownPartIsRefused() {
        oneSentence(CliRun.run("bench", "serve", "--parts", "http,maps"), "part 'maps' is not one of http, vit, map");
    }

    @Test
    void aWorkFolderWithoutADemoRunIsRefused() {
        oneSentence(CliRun.run("bench", "serve", "--parts", "http", "--work", tmp.toString()),
                "--work " + tmp + " holds no demo.json; run 'saelab demo' first");
    }

    @Test
    void noTimedMovesIsRefused() {
        oneSentence(CliRun.run("bench", "serve", "--parts", "vit", "--edits", "0"), "--edits is 0; expected 1..10000");
    }

    @Test
    void aModelWidthThatTheHeadsDoNotDivideIsRefused() {
        oneSentence(CliRun.run("bench", "serve", "--parts", "vit", "--width", "100", "--heads", "12"),
                "the random model needs width a multiple of heads");
    }

    @Test
    void aNonNumericOptionIsRefused() {
        Result r = CliRun.run("bench", "serve", "--redraws", "many");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("saelab bench serve: error: "), r.err());
        assertTrue(r.err().contains("--redraws"), r.err());
    }
}
