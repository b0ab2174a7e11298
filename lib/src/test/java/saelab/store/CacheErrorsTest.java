package saelab.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.store.CacheManifest.PatchLabelInfo;

/** What the writer and the reader refuse, and that their messages say why. */
class CacheErrorsTest {

    private static final long SEED = 17;

    @TempDir
    Path tmp;

    private static void assertMentions(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(p),
                    "expected '" + p + "' in the message: " + e.getMessage());
        }
    }

    private Path finishedCache(CacheSpec spec, int images, int perShard) throws IOException {
        Path dir = tmp.resolve("cache");
        try (CacheWriter w = CacheWriter.create(dir, spec, CacheTestData.shardBytesFor(spec, perShard))) {
            CacheTestData.writeImages(w, spec, SEED, 0, images, 2);
            w.finish();
        }
        return dir;
    }

    @Test
    void createOrResumeWithAnotherSpecNamesTheField() throws IOException {
        CacheSpec spec = CacheTestData.spec(StorageDtype.F16);
        Path dir = tmp.resolve("cache");
        try (CacheWriter w = CacheWriter.create(dir, spec, CacheTestData.shardBytesFor(spec, 3))) {
            CacheTestData.writeImages(w, spec, SEED, 0, 4, 2);
        }
        IllegalStateException dtype = assertThrows(IllegalStateException.class,
                () -> CacheWriter.createOrResume(dir, CacheTestData.spec(StorageDtype.BF16), 1 << 20));
        assertMentions(dtype, "'dtype'", dir.toString());

        CacheSpec otherLayers = CacheTestData.spec(StorageDtype.F16, CacheTestData.LAYOUT, List.of(2, 5), CacheTestData.D,
                CacheTestData.LABELS);
        assertMentions(assertThrows(IllegalStateException.class, () -> CacheWriter.createOrResume(dir, otherLayers, 1 << 20)),
                "'layers'");
        CacheSpec otherWidth = CacheTestData.spec(StorageDtype.F16, CacheTestData.LAYOUT, CacheTestData.LAYERS, 32,
                CacheTestData.LABELS);
        assertMentions(assertThrows(IllegalStateException.class, () -> CacheWriter.createOrResume(dir, otherWidth, 1 << 20)),
                "'d_model'");
        CacheSpec otherTokens = CacheTestData.spec(StorageDtype.F16, new TokenLayout(true, 0, 3, 4), CacheTestData.LAYERS,
                CacheTestData.D, CacheTestData.LABELS);
        assertMentions(assertThrows(IllegalStateException.class, () -> CacheWriter.createOrResume(dir, otherTokens, 1 << 20)),
                "'tokens'");
        CacheSpec otherLabels = CacheTestData.spec(StorageDtype.F16, CacheTestData.LAYOUT, CacheTestData.LAYERS,
                CacheTestData.D, new PatchLabelInfo(List.of("a", "b"), -1));
        assertMentions(assertThrows(IllegalStateException.class, () -> CacheWriter.createOrResume(dir, otherLabels, 1 << 20)),
                "'patch_labels'");

        // the refused attempts changed nothing: the same spec resumes after the last complete shard
        try (CacheWriter w = CacheWriter.createOrResume(dir, spec, 1 << 20)) {
            assertEquals(3, w.imagesWritten());
            assertEquals(3, w.manifest().imagesPerShard(), "images per shard is fixed at creation");
        }
    }

    @Test
    void aFinishedCacheCannotBeResumedOrCreatedAgain() throws IOException {
        CacheSpec spec = CacheTestData.spec(StorageDtype.F32);
        Path dir = finishedCache(spec, 3, 2);
        assertMentions(assertThrows(IllegalStateException.class, () -> CacheWriter.create(dir, spec, 1 << 20)),
                "already holds a cache");
        assertMentions(assertThrows(IllegalStateException.class, () -> CacheWriter.resume(dir)), "complete");
        assertMentions(assertThrows(IllegalStateException.class, () -> CacheWriter.createOrResume(dir, spec, 1 << 20)),
                "complete");
        // an unfinished one cannot be created again either
        Path other = tmp.resolve("other");
        CacheWriter.create(other, spec, 1 << 20).close();
        assertThrows(IllegalStateException.class, () -> CacheWriter.create(other, spec, 1 << 20));
    }

    @Test
    void appendRejectsBadBatchesWithUsefulMessages() throws IOException {
        CacheSpec spec = CacheTestData.spec(StorageDtype.F32);
        int v = spec.valuesPerImage();
        int p = spec.tokens().patches();
        try (CacheWriter w = CacheWriter.create(tmp.resolve("cache"), spec, 1 << 20)) {
            List<ImageRecord> two = List.of(CacheTestData.record(0), CacheTestData.record(1));
            short[] labels = new short[2 * p];

            IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                    () -> w.append(two, new float[2 * v - 1], labels));
            assertMentions(size, String.valueOf(2 * v - 1), String.valueOf(2 * v), "2 x 3 x 15 x 16");

            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> w.append(two, new float[2 * v], null));
            assertMentions(missing, "patch labels");

            IllegalArgumentException labelSize = assertThrows(IllegalArgumentException.class,
                    () -> w.append(two, new float[2 * v], new short[2 * p + 1]));
            assertMentions(labelSize, String.valueOf(2 * p + 1), "2 x " + p);

            float[] nan = new float[2 * v];
            nan[v + 17] = Float.NaN;
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> w.append(two, nan, labels));
            assertMentions(bad, "NaN", "image 1", "batch row 1", "value 17");
            assertEquals(0, w.imagesWritten(), "a rejected batch stores nothing");

            float[] inf = new float[2 * v];
            inf[3] = Float.NEGATIVE_INFINITY;
            assertMentions(assertThrows(IllegalArgumentException.class, () -> w.append(two, inf, labels)), "Infinity");
        }

        CacheSpec unlabelled = CacheTestData.spec(StorageDtype.F32, CacheTestData.LAYOUT, CacheTestData.LAYERS,
                CacheTestData.D, null);
        try (CacheWriter w = CacheWriter.create(tmp.resolve("plain"), unlabelled, 1 << 20)) {
            IllegalArgumentException extra = assertThrows(IllegalArgumentException.class,
                    () -> w.append(List.of(CacheTestData.record(0)), new float[v], new short[p]));
            assertMentions(extra, "no patch labels");
        }

        CacheSpec noPatches = CacheTestData.spec(StorageDtype.F32, new TokenLayout(true, 0, 0, 0), CacheTestData.LAYERS,
                CacheTestData.D, CacheTestData.LABELS);
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> CacheWriter.create(tmp.resolve("cls-only"), noPatches, 1 << 20)), "patch");
    }

    @Test
    void aRejectedBatchLeavesTheCacheAsItWas() throws IOException {
        // the finiteness check must not leave earlier images of the same batch half-stored
        CacheSpec spec = CacheTestData.spec(StorageDtype.F32);
        int v = spec.valuesPerImage();
        Path dir = tmp.resolve("cache");
        try (CacheWriter w = CacheWriter.create(dir, spec, CacheTestData.shardBytesFor(spec, 2))) {
            CacheTestData.writeImages(w, spec, SEED, 0, 1, 1);
            float[] acts = new float[2 * v];
            System.arraycopy(CacheTestData.acts(spec, SEED, 1), 0, acts, 0, v);
            acts[v + 5] = Float.NaN;
            short[] labels = new short[2 * spec.tokens().patches()];
            assertThrows(IllegalArgumentException.class,
                    () -> w.append(List.of(CacheTestData.record(1), CacheTestData.record(2)), acts, labels));
            assertEquals(1, w.imagesWritten(), "images written after a rejected batch");
            CacheTestData.writeImages(w, spec, SEED, 1, 3, 2);
            w.finish();
        }
        try (ActivationCache cache = ActivationCache.open(dir)) {
            assertEquals(3, cache.nImages());
            for (int i = 0; i < 3; i++) {
                assertEquals(CacheTestData.record(i), cache.image(i));
                assertArrayEquals(CacheTestData.expectedRow(spec, SEED, i, 0, 3), cache.read(i, 2, 3));
            }
        }
    }

    @Test
    void incompleteCacheOpensOnlyWhenAllowed() throws IOException {
        CacheSpec spec = CacheTestData.spec(StorageDtype.BF16);
        Path dir = tmp.resolve("cache");
        try (CacheWriter w = CacheWriter.create(dir, spec, CacheTestData.shardBytesFor(spec, 2))) {
            CacheTestData.writeImages(w, spec, SEED, 0, 5, 5);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ActivationCache.open(dir));
        assertMentions(e, "incomplete", "ALLOW_INCOMPLETE", dir.toString());
        try (ActivationCache cache = ActivationCache.open(dir, Completeness.ALLOW_INCOMPLETE)) {
            assertEquals(4, cache.nImages());
            assertArrayEquals(CacheTestData.expectedRow(spec, SEED, 3, 2, 14), cache.read(3, 7, 14));
            assertThrows(IndexOutOfBoundsException.class, () -> cache.read(4, 7, 14));
        }
    }

    @Test
    void folderWithoutCacheNamesTheExpectedFiles() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(empty));
        assertMentions(e, empty.toString(), "manifest.json", "metadata.json");
        assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(tmp.resolve("missing")));
        assertMentions(assertThrows(UncheckedIOException.class, () -> CacheWriter.resume(empty)), "manifest.json");
    }

    @Test
    void invalidManifestIsAnErrorNamingFileAndField() throws IOException {
        Path dir = finishedCache(CacheTestData.spec(StorageDtype.F32), 3, 2);
        Path manifest = dir.resolve(CacheManifest.FILE_NAME);
        String json = Files.readString(manifest);
        Files.writeString(manifest, json.replace("\"dtype\" : \"f32\"", "\"dtype\" : \"f64\""));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(dir)),
                "manifest.json", "'dtype'", "f64");
        Files.writeString(manifest, json.replace("\"d_model\" : 16", "\"d_model\" : 0"));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(dir)), "'d_model'");
        Files.writeString(manifest, json.replace("\"d_model\" : 16,", "\"d_model\" : 16, \"colour\" : \"red\","));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(dir)),
                "manifest.json", "colour");
        Files.writeString(manifest, json.replace("\"images_per_shard\"", "\"images_per_shart\""));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(dir)),
                "manifest.json", "images_per_sha");
    }

    @Test
    void truncatedShardIsRefusedAtOpenNamingTheShard() throws IOException {
        CacheSpec spec = CacheTestData.spec(StorageDtype.F16);
        Path dir = finishedCache(spec, 6, 2);
        Path shard1 = dir.resolve("shard-000001.bin");
        try (FileChannel ch = FileChannel.open(shard1, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 10);
        }
        // sizes are compared with the manifest before anything is mapped, so every reader is refused
        assertMentions(assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(dir)), "shard-000001.bin",
                "truncated", "shards[1].bytes");
    }

    @Test
    void missingShardIsAnErrorNamingTheShard() throws IOException {
        Path dir = finishedCache(CacheTestData.spec(StorageDtype.F32), 4, 2);
        Files.delete(dir.resolve("shard-000001.bin"));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(dir)), "shard-000001.bin", "missing");
    }
}
