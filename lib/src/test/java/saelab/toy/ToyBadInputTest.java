package saelab.toy;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.data.ToyWorld;

/** Bad input gives an {@link IllegalArgumentException} that names the field or file and what was expected. */
class ToyBadInputTest {

    @TempDir
    Path tmp;

    private static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention '" + p + "'");
        }
    }

    @Test
    void unknownKind() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ToyBackboneKind.parse("vit")), "'vit'", "expected clip or dinov2");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ToyBackboneKind.parse(null)), "expected clip or dinov2");
        assertTrue(ToyBackboneKind.parse(" DINOv2 ") == ToyBackboneKind.DINOV2);
    }

    private static ToyBackboneSpec spec(ToyBackboneKind kind, int width, int heads, int train, int heldOut, int steps, int batch, double lr) {
        return new ToyBackboneSpec(kind, width, 2, heads, train, heldOut, steps, batch, lr, 0);
    }

    @Test
    void nonPositiveAndInconsistentSizes() {
        ToyBackboneKind clip = ToyBackboneKind.CLIP;
        ToyBackboneKind dino = ToyBackboneKind.DINOV2;
        assertMessage(assertThrows(IllegalArgumentException.class, () -> spec(clip, 0, 4, 64, 16, 5, 16, 1e-3)), "'width'", "positive");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> spec(clip, 32, 4, 64, 16, -1, 16, 1e-3)), "'steps'", "positive");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> spec(dino, 32, 4, 64, 0, 5, 16, 1e-3)), "'held_out_images'");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> spec(clip, 32, 4, 64, 1, 5, 16, 1e-3)), "'held_out_images'",
                "at least 2");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> spec(dino, 30, 4, 64, 16, 5, 16, 1e-3)), "width 30", "heads 4");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> spec(clip, 32, 4, 64, 16, 5, 1, 1e-3)), "'batch'", "at least 2");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> spec(clip, 32, 4, 8, 16, 5, 16, 1e-3)), "'batch'", "'train_images'");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> spec(clip, 32, 4, 64, 16, 5, 16, 0)), "'lr'");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new ToyBackboneSpec(null, 32, 2, 4, 64, 16, 5, 16, 1e-3, 0)), "'kind'");
    }

    private static final ToyBackboneSpec TINY = new ToyBackboneSpec(ToyBackboneKind.DINOV2, 16, 1, 2, 32, 16, 2, 16, 1e-3, 0);

    @Test
    void outputThatIsAFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("model"), "not a folder");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ToyBackboneTrainer.train(TINY, ToyWorld.withSeed(0), file, null)),
                file.toString(), "is a file");
    }

    @Test
    void foreignNonEmptyFolder() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("photos"));
        Files.writeString(dir.resolve("holiday.txt"), "keep me");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ToyBackboneTrainer.train(TINY, ToyWorld.withSeed(0), dir, null)),
                dir.toString(), "not empty", "report.json");
        assertTrue(Files.exists(dir.resolve("holiday.txt")));
    }

    @Test
    void corruptReport() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("broken"));
        Files.writeString(dir.resolve("report.json"), "{\"generator\": \"" + ToyBackboneTrainer.GENERATOR + "\", \"spec\": {\"kind\": \"clip\"}}");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ToyBackboneTrainer.train(TINY, ToyWorld.withSeed(0), dir, null)),
                "report.json", "spec.width");
    }

    @Test
    void reportOfAnotherTool() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(dir.resolve("report.json"), "{\"generator\": \"someone-else/3\"}");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ToyBackboneTrainer.train(TINY, ToyWorld.withSeed(0), dir, null)),
                "report.json", "'generator'", "expected a saelab toy backbone report");
    }

    @Test
    void folderOfAnOlderTrainerVersionIsReplaced() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("old"));
        Files.writeString(dir.resolve("report.json"), "{\"generator\": \"saelab-toy-backbone/0\"}");
        Files.writeString(dir.resolve("stale.txt"), "from the old version");
        ToyBackboneReport r = ToyBackboneTrainer.train(TINY, ToyWorld.withSeed(0), dir, null);
        assertTrue(Files.isRegularFile(dir.resolve("model.safetensors")));
        assertTrue(!Files.exists(dir.resolve("stale.txt")), "the whole folder is replaced");
        assertTrue(r.spec().equals(TINY));
    }

    @Test
    void worldWhoseImagesAreNotWholePatches() {
        ToyWorld odd = new ToyWorld(60, 1, 3, 0);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ToyBackboneTrainer.train(TINY, odd, tmp.resolve("m"), null)),
                "image_size 60", "patch size 8");
    }

    @Test
    void missingArguments() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ToyBackboneTrainer.train(null, ToyWorld.withSeed(0), tmp, null)), "no spec");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ToyBackboneTrainer.train(TINY, null, tmp, null)), "no world");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ToyBackboneTrainer.train(TINY, ToyWorld.withSeed(0), null, null)),
                "no output folder");
    }
}
