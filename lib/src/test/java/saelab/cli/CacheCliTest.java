package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code saelab cache ...} and {@code saelab bench loader} through Main.run, with the output captured. */
class CacheCliTest {

    @TempDir
    Path tmp;

    /** Exit code and what the run printed. */
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
            System.out.flush();
            System.err.flush();
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code cache synth --images 6 --tokens 5 --d 8 --dtype f16 --out DIR}. */
    private Path synth(String name) {
        return synth(name, "f16");
    }

    private Path synth(String name, String dtype, String... extra) {
        Path dir = tmp.resolve(name);
        List<String> args = new java.util.ArrayList<>(List.of("cache", "synth", "--images", "6", "--tokens", "5", "--d", "8",
                "--dtype", dtype, "--out", dir.toString()));
        args.addAll(List.of(extra));
        Outcome r = run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("wrote " + dir) && r.out().contains("6 images in 1 shard(s)"), r.all());
        return dir;
    }

    private static void assertNoStackTrace(Outcome r) {
        assertFalse(r.err().lines().anyMatch(l -> l.startsWith("\tat ")), "no stack trace expected:\n" + r.all());
    }

    @Test
    void synthThenInfoDescribesTheCache() {
        Path dir = synth("info");
        Outcome r = run("cache", "info", dir.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("saelab-cache/1"), r.all());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("images\\s+6")), r.all());
        assertTrue(r.out().contains("stored as f16"), r.all());
        assertTrue(r.out().contains("d_model   8"), r.all());
        assertTrue(r.out().contains("2x2 patches = 5 per image"), r.all());
        assertTrue(r.out().contains("complete"), r.all());
        assertTrue(r.out().contains("labels    none"), r.all());
    }

    @Test
    void infoShowsPatchLabels() {
        Path dir = synth("labelled", "bf16", "--label-classes", "3");
        Outcome r = run("cache", "info", dir.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("stored as bf16"), r.all());
        assertTrue(r.out().contains("per patch, 3 classes, background 0"), r.all());
    }

    @Test
    void verifyOfASoundCacheSaysOk() {
        Path dir = synth("sound");
        Outcome r = run("cache", "verify", dir.toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("ok"), r.all());
        assertTrue(r.out().contains("checked shard-000000.bin"), r.all());

        Outcome quiet = run("cache", "verify", "--quiet", dir.toString());
        assertEquals(0, quiet.code(), quiet.all());
        assertEquals(1, quiet.out().lines().count(), quiet.all());
    }

    @Test
    void verifyOfADamagedShardExitsOneNamingIt() throws IOException {
        Path dir = synth("damaged");
        Path shard = dir.resolve("shard-000000.bin");
        try (RandomAccessFile f = new RandomAccessFile(shard.toFile(), "rw")) {
            f.seek(40);
            int b = f.read();
            f.seek(40);
            f.write(b ^ 0xff);
        }
        Outcome r = run("cache", "verify", dir.toString());
        assertEquals(1, r.code(), r.all());
        assertTrue(r.err().contains("1 problem(s)"), r.all());
        assertTrue(r.err().contains(shard.toString()) && r.err().contains("SHA-256"), r.all());
        assertFalse(r.out().contains("ok:"), r.all());
    }

    @Test
    void infoOfAnEmptyFolderIsAOneLineError() throws IOException {
        assumeFalse("1".equals(System.getenv("SAELAB_DEBUG")), "SAELAB_DEBUG adds stack traces on purpose");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Outcome r = run("cache", "info", empty.toString());
        assertEquals(2, r.code(), r.all());
        assertNoStackTrace(r);
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), r.all());
        assertTrue(lines.getFirst().contains("error") && lines.getFirst().contains(empty.toString())
                && lines.getFirst().contains("manifest.json"), r.all());
    }

    @Test
    void infoOfABrokenManifestIsAUserError() throws IOException {
        assumeFalse("1".equals(System.getenv("SAELAB_DEBUG")));
        Path dir = synth("broken");
        Files.writeString(dir.resolve("manifest.json"), "{\"format\": 3");
        Outcome r = run("cache", "info", dir.toString());
        assertEquals(2, r.code(), r.all());
        assertNoStackTrace(r);
        assertTrue(r.err().contains("manifest.json"), r.all());
    }

    @Test
    void synthIntoAnExistingCacheIsAUserError() {
        assumeFalse("1".equals(System.getenv("SAELAB_DEBUG")));
        Path dir = synth("twice");
        Outcome r = run("cache", "synth", "--images", "2", "--d", "8", "--tokens", "5", "--out", dir.toString());
        assertEquals(2, r.code(), r.all());
        assertNoStackTrace(r);
        assertTrue(r.err().contains("already holds a cache"), r.all());
    }

    @Test
    void synthWithABadDtypeNamesTheOption() {
        assumeFalse("1".equals(System.getenv("SAELAB_DEBUG")));
        Outcome r = run("cache", "synth", "--images", "2", "--dtype", "f8", "--out", tmp.resolve("x").toString());
        assertEquals(2, r.code(), r.all());
        assertNoStackTrace(r);
        assertTrue(r.err().contains("--dtype") && r.err().contains("'f8'"), r.all());
        assertFalse(Files.exists(tmp.resolve("x")), r.all());
    }

    @Test
    void synthWithoutImagesIsAUsageError() {
        Outcome r = run("cache", "synth", "--out", tmp.resolve("y").toString());
        assertEquals(2, r.code(), r.all());
        assertTrue(r.err().contains("--images"), r.all());
    }

    @Test
    void benchLoaderPrintsRatesAndShuffleQuality() {
        Path dir = synth("bench");
        Outcome r = run("bench", "loader", "--cache", dir.toString(), "--rows", "1000", "--batch", "16",
                "--reservoir-mb", "1", "--threads", "2");
        assertEquals(0, r.code(), r.all());
        long rateLines = r.out().lines().filter(l -> l.contains("rows/s")).count();
        assertEquals(5, rateLines, "raw read, sequential reader, shuffled stream, and the shuffled stream without and with"
                + " the integrity check:\n" + r.all());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("without (skip)") && l.contains("rows/s")), r.all());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("with (verify)") && l.contains("rows/s")), r.all());
        assertTrue(r.out().contains("the check added"), r.all());
        assertTrue(r.out().contains("shuffle quality"), r.all());
        assertTrue(r.out().contains("6 images x 4 patches, d_model 8, f16"), r.all());
    }

    @Test
    void benchLoaderWithDefaultThreadsRuns() {
        Path dir = synth("bench-default");
        Outcome r = run("bench", "loader", "--cache", dir.toString(), "--rows", "1000", "--batch", "16",
                "--reservoir-mb", "1");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("rows/s"), r.all());
        assertTrue(r.out().contains("shuffle quality"), r.all());
    }

    @Test
    void benchLoaderOfAMissingCacheIsAUserError() {
        assumeFalse("1".equals(System.getenv("SAELAB_DEBUG")));
        Outcome r = run("bench", "loader", "--cache", tmp.resolve("none").toString());
        assertEquals(2, r.code(), r.all());
        assertNoStackTrace(r);
    }
}
