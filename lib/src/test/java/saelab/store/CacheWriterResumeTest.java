package saelab.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Sha256;
import saelab.store.CacheManifest.ShardEntry;

/** Interrupted writers (closed early, or killed with SIGKILL) resume into the same bytes as an uninterrupted run. */
class CacheWriterResumeTest {

    private static final long SEED = 3;
    private static final int IMAGES = 23;
    private static final int PER_SHARD = 4;

    @TempDir
    Path tmp;

    private static CacheManifest writeUninterrupted(Path dir, CacheSpec spec, long seed, int images, int perShard)
            throws IOException {
        try (CacheWriter w = CacheWriter.create(dir, spec, CacheTestData.shardBytesFor(spec, perShard))) {
            CacheTestData.writeImages(w, spec, seed, 0, images, 3);
            return w.finish();
        }
    }

    private static List<String> fileNames(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The listed files of the resumed cache have the reference's names, sizes and checksums, and the checksums are true. */
    private static void assertSameShards(CacheManifest reference, Path dir, CacheManifest resumed) throws IOException {
        assertTrue(resumed.complete());
        assertEquals(reference.nImages(), resumed.nImages());
        assertEquals(reference.imagesPerShard(), resumed.imagesPerShard());
        assertEquals(reference.shards().size(), resumed.shards().size());
        for (int s = 0; s < reference.shards().size(); s++) {
            ShardEntry want = reference.shards().get(s);
            ShardEntry got = resumed.shards().get(s);
            assertEquals(want, got, "shard " + s);
            assertEquals(want.sha256(), Sha256.of(dir.resolve(got.file())), "actual checksum of " + got.file());
            assertEquals(want.indexSha256(), Sha256.of(dir.resolve(got.indexFile())));
            assertEquals(want.labelsSha256(), Sha256.of(dir.resolve(got.labelsFile())));
        }
    }

    @Test
    void closedWriterResumesAfterItsLastCompleteShard() throws IOException {
        CacheSpec spec = CacheTestData.spec(StorageDtype.F16);
        CacheManifest reference = writeUninterrupted(tmp.resolve("reference"), spec, SEED, IMAGES, PER_SHARD);
        assertEquals(6, reference.shards().size());

        Path dir = tmp.resolve("resumed");
        try (CacheWriter w = CacheWriter.create(dir, spec, CacheTestData.shardBytesFor(spec, PER_SHARD))) {
            CacheTestData.writeImages(w, spec, SEED, 0, 10, 3);
            assertEquals(10, w.imagesWritten());
            assertEquals(8, w.manifest().nImages());
        } // closed without finish: images 8 and 9 sit in the open shard's partial file
        Path partial = dir.resolve("shard-000002.bin" + CacheWriter.PARTIAL_SUFFIX);
        assertTrue(Files.exists(partial), "partial shard file after close: " + fileNames(dir));
        assertEquals(2 * spec.bytesPerImage(), Files.size(partial));
        CacheManifest stopped = ActivationCache.readManifest(dir);
        assertFalse(stopped.complete());
        assertEquals(2, stopped.shards().size());
        assertEquals(8, stopped.nImages());

        // what a crash can also leave: a renamed shard the manifest never listed, and temporary files
        Files.write(dir.resolve("shard-000002.bin"), new byte[100]);
        Files.write(dir.resolve(".manifest.json.tmp-1f2e3d.json"), new byte[] {'{'});
        Files.write(dir.resolve(".shard-000002.images.tsv.tmp-77.tsv"), new byte[3]);
        Files.writeString(dir.resolve("notes.txt"), "mine");

        CacheManifest finished;
        try (CacheWriter w = CacheWriter.resume(dir)) {
            assertEquals(8, w.imagesWritten());
            assertFalse(Files.exists(partial), "the partial file is deleted on resume");
            List<String> expected = new ArrayList<>(List.of(CacheManifest.FILE_NAME, "notes.txt"));
            for (ShardEntry e : stopped.shards()) {
                expected.addAll(List.of(e.file(), e.indexFile(), e.labelsFile()));
            }
            assertEquals(expected.stream().sorted().toList(), fileNames(dir));
            // feed the rest in other batch sizes than the first run
            CacheTestData.writeImages(w, spec, SEED, 8, IMAGES, 5);
            finished = w.finish();
        }
        assertSameShards(reference, dir, finished);
        assertEquals(finished, ActivationCache.readManifest(dir));
        assertEquals("mine", Files.readString(dir.resolve("notes.txt")));

        try (ActivationCache cache = ActivationCache.open(dir)) {
            Iterator<TokenBatch> it = cache.sequential(7, TokenKind.PATCHES, IMAGES);
            TokenBatch b = it.next();
            for (int r = 0; r < b.rows(); r++) {
                float[] row = new float[b.dModel()];
                System.arraycopy(b.acts(), r * b.dModel(), row, 0, b.dModel());
                assertArrayEquals(CacheTestData.expectedRow(spec, SEED, b.image()[r], 2, b.token()[r]), row);
            }
            for (int i = 0; i < IMAGES; i++) {
                assertEquals(CacheTestData.record(i), cache.image(i));
                assertArrayEquals(CacheTestData.labels(spec, SEED, i), cache.patchLabels(i));
            }
        }
    }

    @Test
    void resumingTwiceAndAtAShardBoundaryGivesTheSameShards() throws IOException {
        CacheSpec spec = CacheTestData.spec(StorageDtype.F32);
        CacheManifest reference = writeUninterrupted(tmp.resolve("reference"), spec, SEED, IMAGES, PER_SHARD);
        Path dir = tmp.resolve("resumed");
        try (CacheWriter w = CacheWriter.create(dir, spec, CacheTestData.shardBytesFor(spec, PER_SHARD))) {
            CacheTestData.writeImages(w, spec, SEED, 0, 8, 4); // exactly two shards, no partial file
        }
        try (CacheWriter w = CacheWriter.resume(dir)) {
            assertEquals(8, w.imagesWritten());
            CacheTestData.writeImages(w, spec, SEED, 8, 15, 7); // completes shard 2; 3 images stay in the partial file
        }
        try (CacheWriter w = CacheWriter.createOrResume(dir, spec, CacheTestData.shardBytesFor(spec, PER_SHARD))) {
            assertEquals(12, w.imagesWritten());
            CacheTestData.writeImages(w, spec, SEED, 12, IMAGES, 1);
            assertSameShards(reference, dir, w.finish());
        }
    }

    @Test
    void writerKilledWithSigkillResumesToTheSameShards() throws Exception {
        CacheSpec spec = KillableWriterMain.spec();
        CacheManifest reference = writeUninterrupted(tmp.resolve("reference"), spec, KillableWriterMain.SEED,
                KillableWriterMain.IMAGES, KillableWriterMain.PER_SHARD);

        Path dir = tmp.resolve("killed");
        Path log = tmp.resolve("child.log");
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), KillableWriterMain.class.getName(), dir.toString(), "100")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Process child = pb.start();
        int shardsSeen = 0;
        try {
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (shardsSeen < 2) {
                if (!child.isAlive()) {
                    fail("the writer exited (" + child.exitValue() + ") before it was killed; its output:\n"
                            + Files.readString(log));
                }
                if (System.nanoTime() > deadline) {
                    fail("the writer did not write 2 shards within 120 s; its output:\n" + Files.readString(log));
                }
                if (Files.exists(dir.resolve(CacheManifest.FILE_NAME))) {
                    shardsSeen = ActivationCache.readManifest(dir).shards().size();
                }
                Thread.sleep(10);
            }
            child.destroyForcibly();
            child.waitFor();
        } finally {
            if (child.isAlive()) {
                child.destroyForcibly();
                child.waitFor();
            }
        }
        assertFalse(Files.readString(log).contains("finished"), "the writer finished before the kill");
        assertTrue(child.exitValue() != 0, "a killed process has a non-zero exit status");

        CacheManifest stopped = ActivationCache.readManifest(dir);
        assertFalse(stopped.complete());
        assertTrue(stopped.shards().size() >= 2);
        assertEquals(0, stopped.nImages() % KillableWriterMain.PER_SHARD);
        for (int s = 0; s < stopped.shards().size(); s++) {
            assertEquals(reference.shards().get(s), stopped.shards().get(s), "shard " + s + " written before the kill");
        }
        try (CacheWriter w = CacheWriter.resume(dir)) {
            assertEquals(stopped.nImages(), w.imagesWritten());
            for (String name : fileNames(dir)) {
                assertFalse(name.endsWith(CacheWriter.PARTIAL_SUFFIX) || name.startsWith("."), "left over after resume: " + name);
            }
            CacheTestData.writeImages(w, spec, KillableWriterMain.SEED, (int) w.imagesWritten(), KillableWriterMain.IMAGES,
                    KillableWriterMain.BATCH);
            assertSameShards(reference, dir, w.finish());
        }
        try (ActivationCache cache = ActivationCache.open(dir)) {
            assertEquals(KillableWriterMain.IMAGES, cache.nImages());
            int last = KillableWriterMain.IMAGES - 1;
            assertArrayEquals(CacheTestData.expectedRow(spec, KillableWriterMain.SEED, last, 1, 4), cache.read(last, 5, 4));
        }
    }
}
