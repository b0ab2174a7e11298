package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static saelab.cli.CliRun.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.cli.CliRun.Result;

/** {@code saelab toy world}, {@code saelab toy backbone} and {@code saelab toy vlm}. */
class ToyCliTest {

    @TempDir
    Path dir;

    @Test
    void worldIsWrittenOnceThenUnchanged() {
        Path out = dir.resolve("world");
        Result r = run("toy", "world", "--out", out.toString(), "--images", "12", "--seed", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("toy world written: " + out), r.out());
        assertTrue(r.out().contains("12 images of 64x64, seed 3"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("world.json")));
        Result again = run("toy", "world", "--out", out.toString(), "--images", "12", "--seed", "3");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().startsWith("toy world unchanged: "), again.out());
    }

    @Test
    void exportWritesARealLayoutAndABadLayoutIsOneSentence() {
        Path out = dir.resolve("cub");
        Result r = run("toy", "export", "--layout", "cub200", "--images", "6", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("train 6 images, test 1 images; read it as cub200:" + out), r.out());
        assertTrue(Files.isRegularFile(out.resolve("CUB_200_2011/images.txt")));
        Result bad = run("toy", "export", "--layout", "coco", "--images", "6", "--out", dir.resolve("x").toString());
        assertEquals(2, bad.code());
        assertEquals("saelab toy export: error: --layout is 'coco'; expected imagenet, inat2021, ade20k or cub200", bad.err().strip());
    }

    private static String[] tiny(String kind, Path out, String... more) {
        String[] base = {"toy", "backbone", "--kind", kind, "--world-seed", "3", "--out", out.toString(), "--size", "quick", "--steps", "4",
            "--width", "16", "--layers", "1", "--heads", "2", "--train-images", "64", "--held-out-images", "32", "--batch", "16"};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void backboneTrainsSavesAndReports() throws IOException {
        Path out = dir.resolve("toy-clip");
        Result r = run(tiny("clip", out));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("toy clip model  " + out), r.out());
        assertTrue(r.out().contains("held-out       caption_retrieval_top1"), r.out());
        assertTrue(r.out().contains("linear probe   CLS"), r.out());
        assertTrue(r.err().contains("toy clip training: 4/4 (100%) steps"), "progress on stderr: " + r.err());
        for (String f : new String[] {"config.json", "model.safetensors", "vocab.json", "report.json", "training/training-curve.csv"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        Result again = run(tiny("clip", out));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("already holds this model"), again.err());
        assertEquals(r.out(), again.out(), "the same report");
    }

    @Test
    void badInputIsOneLine() throws IOException {
        Result r = run(tiny("vit", dir.resolve("m")));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("toy backbone kind 'vit' is not known; expected clip or dinov2"), r.err());
        assertFalse(r.err().contains("at saelab."), "no stack trace: " + r.err());

        Path file = Files.writeString(dir.resolve("file"), "x");
        r = run(tiny("dinov2", file));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("is a file"), r.err());

        r = run("toy", "backbone", "--kind", "dinov2", "--world-seed", "0", "--out", dir.resolve("m").toString(), "--steps", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("field 'steps' must be a positive integer, got 0"), r.err());

        r = run("toy", "backbone", "--kind", "clip", "--world-seed", "0", "--out", dir.resolve("m").toString(), "--size", "huge");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--size is 'huge'; expected demo or quick"), r.err());
    }

    @Test
    void vlmTrainsOverATinyClipAndReportsEveryQuestionType() throws IOException {
        Path clip = dir.resolve("toy-clip");
        Result b = run("toy", "backbone", "--kind", "clip", "--world-seed", "3", "--out", clip.toString(), "--size", "quick", "--steps", "4",
                "--width", "16", "--layers", "2", "--heads", "2", "--train-images", "64", "--held-out-images", "32", "--batch", "16");
        assertEquals(0, b.code(), b.err()); // the VLM reads the second to last of at least two blocks
        Path out = dir.resolve("toy-vlm");
        String[] args = {"toy", "vlm", "--backbone", clip.toString(), "--out", out.toString(), "--world-seed", "3", "--size", "quick",
            "--steps", "3", "--width", "16", "--layers", "1", "--heads", "2", "--kv-heads", "1", "--train-images", "32",
            "--held-out-images", "8", "--batch", "8"};
        Result r = run(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("toy vlm model   " + out), r.out());
        for (String type : new String[] {"colour_of_shape", "count", "caption"}) {
            assertTrue(r.out().contains("  " + type + " "), type + " in " + r.out());
        }
        assertTrue(r.err().contains("toy vlm training: 3/3 (100%) steps"), "progress on stderr: " + r.err());
        for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json", "report.json", "training/training-curve.csv"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        Result again = run(args);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("already holds this model"), again.err());

        Result missing = run("toy", "vlm", "--backbone", dir.resolve("none").toString(), "--out", dir.resolve("v2").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().startsWith("saelab toy vlm: error: ") && missing.err().contains("expected a toy CLIP folder"), missing.err());
        assertFalse(missing.err().contains("at saelab."), "no stack trace: " + missing.err());
    }
}
