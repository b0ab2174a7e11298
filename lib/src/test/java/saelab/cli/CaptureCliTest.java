package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.store.ActivationCache;

/** {@code saelab capture}, {@code saelab cache merge} and {@code saelab bench decode} from the command line. */
class CaptureCliTest {

    @TempDir
    Path tmp;

    record Outcome(int code, String out, String err) {}

    private static Outcome run(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    private Path model() throws Exception {
        Path dir = tmp.resolve("model");
        Files.createDirectories(dir);
        Path src = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null && src == null; d = d.getParent()) {
            for (Path g : new Path[] {d.resolve("src/test/resources/golden/dinov2_registers"), d.resolve("lib/src/test/resources/golden/dinov2_registers")}) {
                if (Files.isDirectory(g)) {
                    src = g;
                }
            }
        }
        assertTrue(src != null, "golden fixture dinov2_registers not found from " + Path.of("").toAbsolutePath());
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("preprocessor_config.json"), "{\"image_processor_type\": \"BitImageProcessor\", \"size\": {\"shortest_edge\": 64},"
                + " \"crop_size\": {\"height\": 56, \"width\": 56}}");
        return dir;
    }

    private Path images(int n) throws Exception {
        Path dir = tmp.resolve("images");
        Files.createDirectories(dir);
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(60 + i * 9, 70, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 70; y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    img.setRGB(x, y, (x * 4 + i * 30) << 16 & 0xFF0000 | (y * 3 & 0xFF) << 8 | (x * y + i) & 0xFF);
                }
            }
            ImageIO.write(img, "png", dir.resolve("i" + i + ".png").toFile());
        }
        return dir;
    }

    @Test
    void captureTwoPartsMergeThemAndBenchDecode() throws Exception {
        Path model = model();
        Path images = images(5);
        for (int part = 0; part < 2; part++) {
            Outcome o = run("capture", "--model", model.toString(), "--dataset", "folder:" + images, "--layers", "0,2", "--tokens",
                    "cls,registers", "--dtype", "bf16", "--batch", "2", "--threads", "2", "--part", part + "/2",
                    "--out", tmp.resolve("part" + part).toString());
            assertEquals(0, o.code(), o.err());
            assertTrue(o.out().contains("capture finished"), o.out());
        }
        Outcome m = run("cache", "merge", tmp.resolve("part1").toString(), tmp.resolve("part0").toString(), "--out",
                tmp.resolve("merged").toString());
        assertEquals(0, m.code(), m.err());
        assertTrue(m.out().contains("5 images"), m.out());
        try (ActivationCache c = ActivationCache.open(tmp.resolve("merged"))) {
            assertEquals(5, c.nImages());
            assertEquals(5, c.tokens().tokens());
        }
        Outcome b = run("bench", "decode", "--dataset", "folder:" + images, "--model", model.toString(), "--limit", "4");
        assertEquals(0, b.code(), b.err());
        String[] lines = b.out().strip().split("\n");
        assertTrue(lines[lines.length - 1].matches("images/s: [0-9.]+"), b.out());
        Outcome bad = run("capture", "--model", model.toString(), "--dataset", "folder:" + images, "--layers", "7", "--out",
                tmp.resolve("bad").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--layers") && bad.err().contains("0..2"), bad.err());
    }

    @Test
    void aSavedDatasetManifestCapturesTheSameShards() throws Exception {
        Path model = model();
        Path images = images(4);
        Path list = tmp.resolve("list.json");
        Outcome made = run("dataset", "manifest", "folder:" + images, "--out", list.toString());
        assertEquals(0, made.code(), made.err());
        for (String spec : List.of("folder:" + images, "manifest:" + list)) {
            Outcome o = run("capture", "--model", model.toString(), "--dataset", spec, "--layers", "1", "--tokens", "cls,patches",
                    "--dtype", "f32", "--batch", "2", "--threads", "1", "--out", tmp.resolve(spec.substring(0, 4)).toString());
            assertEquals(0, o.code(), o.err());
        }
        try (ActivationCache a = ActivationCache.open(tmp.resolve("fold")); ActivationCache b = ActivationCache.open(tmp.resolve("mani"))) {
            assertEquals(a.manifest().shards().stream().map(sh -> sh.sha256()).toList(),
                    b.manifest().shards().stream().map(sh -> sh.sha256()).toList());
            assertEquals(4, b.nImages());
        }
    }
}
