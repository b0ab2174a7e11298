package saelab.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Sha256;
import saelab.store.ActivationCache;
import saelab.store.CacheManifest;
import saelab.store.CacheManifest.ShardEntry;

/** A capture killed with SIGKILL and run again with the same options ends with the shards of an uninterrupted capture. */
class CaptureKillTest {

    @TempDir
    Path tmp;

    @Test
    void aCaptureKilledMidwayResumesIntoByteIdenticalShards() throws Exception {
        Path model = CaptureTestData.model(tmp.resolve("model"));
        Path images = tmp.resolve("images");
        CaptureTestData.images(images, 16);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        CaptureSummary ref = CapturePipeline.run(CaptureTestData.killOptions(model, images, tmp.resolve("reference")), quiet);
        CacheManifest reference = ref.manifest();
        assertEquals(6, reference.shards().size(), "16 images, 3 per shard");

        Path dir = tmp.resolve("killed");
        Path log = tmp.resolve("child.log");
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process child = new ProcessBuilder(java, "-Xmx256m", "--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true",
                "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"), KillableCaptureMain.class.getName(),
                model.toString(), images.toString(), dir.toString(), "150")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + 120_000_000_000L;
            int shards = 0;
            while (shards < 2) {
                if (!child.isAlive()) {
                    fail("the capture exited (" + child.exitValue() + ") before it was killed; its output:\n" + Files.readString(log));
                }
                if (System.nanoTime() > deadline) {
                    fail("the capture wrote no 2 shards within 120 s; its output:\n" + Files.readString(log));
                }
                if (Files.exists(dir.resolve(CacheManifest.FILE_NAME))) {
                    shards = ActivationCache.readManifest(dir).shards().size();
                }
                Thread.sleep(10);
            }
            child.destroyForcibly(); // SIGKILL on Unix
            child.waitFor();
        } finally {
            if (child.isAlive()) {
                child.destroyForcibly();
                child.waitFor();
            }
        }
        assertFalse(Files.readString(log).contains("finished"), "the capture finished before the kill");
        CacheManifest stopped = ActivationCache.readManifest(dir);
        assertFalse(stopped.complete());
        assertTrue(stopped.shards().size() >= 2 && stopped.shards().size() < 6, stopped.shards().toString());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CaptureSummary resumed = CapturePipeline.run(CaptureTestData.killOptions(model, images, dir),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertTrue(resumed.resumedAt() >= 6, "resumed after the complete shards, at " + resumed.resumedAt());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("resuming"), out.toString(StandardCharsets.UTF_8));
        CacheManifest m = resumed.manifest();
        assertTrue(m.complete());
        assertEquals(reference.nImages(), m.nImages());
        assertEquals(reference.shards().size(), m.shards().size());
        for (int s = 0; s < reference.shards().size(); s++) {
            ShardEntry want = reference.shards().get(s);
            ShardEntry got = m.shards().get(s);
            assertEquals(want, got, "shard " + s + " (names, sizes, checksums)");
            assertEquals(want.sha256(), Sha256.of(dir.resolve(got.file())), "actual checksum of " + got.file());
            assertEquals(want.indexSha256(), Sha256.of(dir.resolve(got.indexFile())));
        }
        assertEquals(reference.preprocessing(), m.preprocessing());
        assertEquals(reference.model(), m.model());

        // the same command once more: nothing to do
        CaptureSummary again = CapturePipeline.run(CaptureTestData.killOptions(model, images, dir), quiet);
        assertEquals(0, again.processed());
    }
}
