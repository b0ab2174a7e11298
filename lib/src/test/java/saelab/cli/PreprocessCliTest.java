package saelab.cli;

import static saelab.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import saelab.cli.CliRun.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.image.Golden;
import saelab.io.Safetensors;

/** {@code saelab preprocess} against the reference pixel values, and its one-line errors. */
class PreprocessCliTest {

    @TempDir
    Path dir;

    @Test
    void writesPixelValuesOfTheReference() throws IOException {
        // A model folder that holds only the preprocessing config.
        Path model = Files.createDirectories(dir.resolve("clip-model"));
        Files.copy(Golden.path("preprocess", "clip", "preprocessor_config.json"), model.resolve("preprocessor_config.json"));
        Path out = dir.resolve("pixels.safetensors");
        Result r = run("preprocess", "--model", model.toString(), "--image", Golden.path("preprocess", "images", "img1_200x321.png").toString(),
                "--out", out.toString(), "--repeat", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("pixel_values [1, 3, 224, 224]"), r.out());
        assertTrue(r.out().contains("median of 2 repeats"), r.out());
        Safetensors.Contents c = Safetensors.read(out);
        Safetensors.Tensor t = c.require(out, "pixel_values", 1, 3, 224, 224);
        float[] ref = Golden.read(Golden.path("preprocess", "clip", "image1.safetensors")).get("pixel_values").f32();
        assertTrue(Golden.maxAbsDiff(ref, t.values()) <= 1e-6);
        assertArrayEquals(ref, t.values());
        assertTrue(c.metadata().get("preprocess").startsWith("CLIPImageProcessor"), c.metadata().toString());
        assertEquals(64, c.metadata().get("image_sha256").length());
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().contains(".tmp")), "no temporary file left");
        }
    }

    @Test
    void openClipFolderWorksToo() throws IOException {
        Path out = dir.resolve("bioclip.safetensors");
        Result r = run("preprocess", "--model", Golden.path("bioclip").toString(), "--image", Golden.imageFile(0).toString(),
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Safetensors.Contents c = Safetensors.read(out);
        c.require(out, "pixel_values", 1, 3, 32, 32);
    }

    @Test
    void badInputGivesOneSentenceAndExitCode2() throws IOException {
        Path missing = dir.resolve("missing.jpg");
        Result r1 = run("preprocess", "--model", Golden.path("preprocess", "siglip").toString(), "--image", missing.toString(),
                "--out", dir.resolve("x.safetensors").toString());
        assertEquals(2, r1.code());
        assertTrue(r1.err().contains(missing.toString()) && r1.err().contains("does not exist"), r1.err());
        assertFalse(r1.err().contains("\tat "), "no stack trace: " + r1.err());
        Path empty = Files.createDirectories(dir.resolve("no-config"));
        Result r2 = run("preprocess", "--model", empty.toString(), "--image", Golden.imageFile(0).toString(),
                "--out", dir.resolve("y.safetensors").toString());
        assertEquals(2, r2.code());
        assertTrue(r2.err().contains("preprocessor_config.json"), r2.err());
        assertFalse(Files.exists(dir.resolve("x.safetensors")));
        assertFalse(Files.exists(dir.resolve("y.safetensors")));
    }
}
