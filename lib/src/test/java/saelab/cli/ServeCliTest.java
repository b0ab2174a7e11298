package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.cli.CliRun.Result;

/**
 * {@code saelab serve}: a run or feature sets given by folders that cannot be served get one sentence naming the option and
 * exit code 2, before a server starts (the served pages themselves are tested in {@code saelab.web}).
 */
class ServeCliTest {

    @TempDir
    Path tmp;

    private static void oneSentence(Result r, String expected) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("saelab serve: error: "), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertTrue(r.out().isEmpty(), "no server started: " + r.out());
    }

    @Test
    void aMissingCheckpointIsOneSentence() {
        Path sae = tmp.resolve("sae.safetensors");
        oneSentence(CliRun.run("serve", "--sae", sae.toString(), "--analysis", tmp.toString()),
                sae + " does not exist; expected an SAE checkpoint for --sae");
    }

    @Test
    void aFeatureSetWithoutItsAnalysisIsRefusedByPicocli() {
        Result r = CliRun.run("serve", "--sae", tmp.resolve("sae.safetensors").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("saelab serve: error: ") && r.err().contains("--analysis"), r.err());
    }

    @Test
    void aWorkFolderWithoutARunIsOneSentence() {
        oneSentence(CliRun.run("serve", "--work", tmp.toString()), "demo.json");
    }
}
