package saelab.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ModelLocator}: a directory as is, a hub id through the hub, anything else an error. */
class ModelLocatorTest {

    static final String COMMIT = "fedcba9876543210fedcba9876543210fedcba98";

    @TempDir
    Path tmp;

    @Test
    void anExistingDirectoryIsReturnedAsItIs() throws IOException {
        Path dir = Golden.file("dinov2", "config.json").getParent();
        assertEquals(dir, ModelLocator.resolve(dir.toString(), null));
    }

    @Test
    void aHubIdIsDownloaded() throws IOException {
        byte[] config = Golden.bytes("dinov2", "config.json");
        byte[] model = Golden.bytes("dinov2", "model.safetensors");
        try (FakeHub hub = new FakeHub().repo("test/tiny", COMMIT, Map.of("config.json", new FakeHub.Entry(config, false),
                "model.safetensors", new FakeHub.Entry(model, true)));
             HubClient c = new HubClient(HubSettings.builder(tmp).endpoint(hub.endpoint()).attempts(1, Duration.ZERO).build())) {
            ModelLocator loc = new ModelLocator(c);
            Path dir = loc.locate("test/tiny@" + COMMIT, null);
            assertEquals(tmp.resolve("models--test--tiny/snapshots").resolve(COMMIT), dir);
            assertArrayEquals(model, Files.readAllBytes(dir.resolve("model.safetensors")));
            assertEquals(dir, loc.locate("test/tiny", "main"));
            assertEquals(dir, loc.locate("test/tiny", null));

            IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> loc.locate("test/tiny@v1", "v2"));
            assertTrue(both.getMessage().contains("v1") && both.getMessage().contains("v2"), both.getMessage());
        }
    }

    @Test
    void anythingElseSaysWhatWasExpected() {
        try (HubClient c = new HubClient(HubSettings.builder(tmp).offline(true).build())) {
            ModelLocator loc = new ModelLocator(c);
            for (String bad : List.of("dinov2", "a/b/c", "test/tiny@", "not a model")) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loc.locate(bad, null), bad);
                assertTrue(e.getMessage().contains("'" + bad + "'") && e.getMessage().contains("owner/name"), e.getMessage());
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loc.locate(tmp.resolve("nope").toString(), null));
            assertTrue(e.getMessage().contains("is not an existing directory"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> loc.locate("", null));
            HubException offline = assertThrows(HubException.class, () -> loc.locate("test/absent", null));
            assertTrue(offline.getMessage().contains("test/absent revision main"), offline.getMessage());
        }
    }
}
