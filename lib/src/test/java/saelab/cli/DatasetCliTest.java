package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.data.DatasetManifest;
import saelab.data.DatasetManifestFiles;

/** {@code saelab dataset manifest|info} through Main.run, with the output captured. */
class DatasetCliTest {

    @TempDir
    Path tmp;

    record Outcome(int code, String out, String err) {
        String all() {
            return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    private static Outcome run(String... args) {
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

    private Path folder() throws IOException {
        Path root = tmp.resolve("pets");
        for (String p : new String[] {"cat/1.png", "cat/2.png", "dog/1.png", "dog/2.png", "dog/3.png"}) {
            Path f = root.resolve(p);
            Files.createDirectories(f.getParent());
            ImageIO.write(new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB), "png", f.toFile());
        }
        return root;
    }

    private static void assertNoStackTrace(Outcome r) {
        assertFalse(r.err().lines().anyMatch(l -> l.startsWith("\tat ")), "no stack trace expected:\n" + r.all());
    }

    @Test
    void manifestThenInfo() throws IOException {
        Path root = folder();
        Path out = tmp.resolve("pets.json");
        Outcome r = run("dataset", "manifest", "folder:" + root, "--sha256", "--out", out.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("wrote " + out + ": 5 images, 2 classes, checksum "), r.all());
        DatasetManifest m = DatasetManifestFiles.read(out);
        assertEquals(5, m.size());
        assertTrue(m.examples().stream().allMatch(e -> e.sha256() != null));

        r = run("dataset", "info", out.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("images    5") && r.out().contains("classes   2, e.g. cat ... dog")
                && r.out().contains(m.checksum()), r.all());
    }

    @Test
    void partWritesOneSliceOfTheList() throws IOException {
        Path out = tmp.resolve("part.json.gz");
        Outcome r = run("dataset", "manifest", "folder:" + folder(), "--part", "1/2", "--out", out.toString());
        assertEquals(0, r.code(), r.all());
        DatasetManifest m = DatasetManifestFiles.read(out);
        assertEquals(3, m.size()); // 5 images: part 0 = [0, 2), part 1 = [2, 5)
        assertEquals(2, m.slice().first());
        r = run("dataset", "info", out.toString());
        assertTrue(r.out().contains("(part 1 of 2: images 2..4 of 5)"), r.all());
        r = run("dataset", "manifest", "folder:" + folder(), "--part", "2/2", "--out", out.toString());
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("--part: expected I/N with 0 <= I < N"), r.all());
    }

    @Test
    void strictStopsAtAMissingFileAndErrorsAreOneSentence() throws IOException {
        Path root = folder();
        Files.createSymbolicLink(root.resolve("dog/4.png"), root.resolve("dog/gone.png"));
        Path out = tmp.resolve("x.json");
        Outcome r = run("dataset", "manifest", "folder:" + root, "--out", out.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("skipped 1 image problem:\n  dog/4.png: missing"), r.all());
        r = run("dataset", "manifest", "folder:" + root, "--strict", "--out", tmp.resolve("y.json").toString());
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("dog/4.png: missing"), r.all());
        assertNoStackTrace(r);
        assertFalse(Files.exists(tmp.resolve("y.json")));

        r = run("dataset", "manifest", "coco:/nowhere", "--out", out.toString());
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("unknown kind 'coco'"), r.all());
        assertNoStackTrace(r);
        r = run("dataset", "info", tmp.resolve("absent.json").toString());
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("absent.json does not exist"), r.all());
        assertNoStackTrace(r);
    }
}
