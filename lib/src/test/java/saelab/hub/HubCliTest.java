package saelab.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.cli.Main;

/** {@code saelab hub download|files} through {@link Main#run}, against {@link FakeHub}. */
class HubCliTest {

    static final String COMMIT = "1111111111222222222233333333334444444444";

    @TempDir
    Path tmp;

    record Outcome(int code, String out, String err) {}

    static Outcome run(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run(args);
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void downloadPrintsTheSnapshotFolderAndFilesListsTheRepository() throws IOException {
        byte[] config = Golden.bytes("dinov2", "config.json");
        try (FakeHub hub = new FakeHub().repo("test/cli", COMMIT, Map.of("config.json", new FakeHub.Entry(config, false),
                "model.safetensors", new FakeHub.Entry(Golden.bytes("dinov2", "model.safetensors"), true)))) {
            Path cache = tmp.resolve("cache");
            Outcome o = run("hub", "download", "test/cli@main", "--include", "config.json", "--endpoint", hub.endpoint().toString(),
                    "--cache", cache.toString());
            assertEquals(0, o.code(), o.err());
            Path dir = Path.of(o.out().trim());
            assertEquals(cache.resolve("models--test--cli/snapshots").resolve(COMMIT), dir);
            assertArrayEquals(config, Files.readAllBytes(dir.resolve("config.json")));

            Outcome f = run("hub", "files", "test/cli", "--endpoint", hub.endpoint().toString(), "--cache", cache.toString());
            assertEquals(0, f.code(), f.err());
            assertEquals("commit " + COMMIT + "\nconfig.json\nmodel.safetensors\n", f.out());
        }
    }

    @Test
    void offlineWithoutTheFilesIsOneSentence() {
        Outcome o = run("hub", "download", "test/absent", "--offline", "--cache", tmp.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("offline") && o.err().contains("test/absent revision main"), o.err());
        assertTrue(!o.err().contains("\tat "), "no stack trace: " + o.err());
    }
}
