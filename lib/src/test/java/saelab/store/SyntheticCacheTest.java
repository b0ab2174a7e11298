package saelab.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Verbosity;
import saelab.store.CacheManifest.ShardEntry;

/** The layout, labels, sharding and determinism of SyntheticCache. */
class SyntheticCacheTest {

    @TempDir
    Path tmp;

    private CacheManifest write(String name, long images, int tokens, int d, StorageDtype dtype, int layers, int classes,
                                long seed, long shardBytes) throws IOException {
        return SyntheticCache.write(tmp.resolve(name), images, tokens, d, dtype, layers, classes, seed, shardBytes, Verbosity.QUIET);
    }

    @Test
    void vitBaseTokenCountGivesClsAndA14By14Grid() throws IOException {
        CacheManifest m = write("vit", 2, 197, 8, StorageDtype.F16, 1, 0, 1, 1 << 20);
        assertEquals(new TokenLayout(true, 0, 14, 14), m.tokens());
        assertEquals(197, m.tokens().tokens());
        assertEquals(1, m.tokens().firstPatch());
        try (ActivationCache c = ActivationCache.open(tmp.resolve("vit"))) {
            assertEquals(196, c.tokens().patches());
            assertEquals(2, c.nImages());
        }
    }

    @Test
    void aNonSquarePatchCountIsOneRow() throws IOException {
        // 11 tokens = CLS + 10 patches; 10 is not a square
        CacheManifest m = write("row", 2, 11, 8, StorageDtype.F32, 1, 0, 1, 1 << 20);
        assertEquals(new TokenLayout(true, 0, 1, 10), m.tokens());
    }

    @Test
    void tenTokensGiveASquareThreeByThreeGrid() throws IOException {
        // 10 tokens = CLS + 9 patches, and 9 is a square
        CacheManifest m = write("nine", 2, 10, 8, StorageDtype.F32, 1, 0, 1, 1 << 20);
        assertEquals(new TokenLayout(true, 0, 3, 3), m.tokens());
    }

    @Test
    void aPrimePatchCountIsOneRow() throws IOException {
        CacheManifest m = write("prime", 2, 8, 8, StorageDtype.F32, 1, 0, 1, 1 << 20);
        assertEquals(new TokenLayout(true, 0, 1, 7), m.tokens());
    }

    @Test
    void oneTokenIsClsOnlyAndGetsNoLabels() throws IOException {
        CacheManifest m = write("cls", 3, 1, 8, StorageDtype.F32, 1, 4, 1, 1 << 20);
        assertEquals(new TokenLayout(true, 0, 0, 0), m.tokens());
        assertNull(m.patchLabels(), "no patches, so no patch labels");
        assertTrue(m.shards().stream().allMatch(s -> s.labelsFile() == null));
        assertEquals(List.of(), CacheVerifier.verify(tmp.resolve("cls"), l -> { }));
    }

    @Test
    void labelsUseTheRequestedClassesAndZeroIsBackground() throws IOException {
        int classes = 4;
        CacheManifest m = write("labels", 12, 17, 8, StorageDtype.BF16, 2, classes, 3, 1 << 20);
        assertEquals(List.of("background", "class-1", "class-2", "class-3"), m.patchLabels().classes());
        assertEquals(0, m.patchLabels().background());
        try (ActivationCache c = ActivationCache.open(tmp.resolve("labels"))) {
            assertTrue(c.hasPatchLabels());
            assertEquals(0, c.backgroundLabel());
            int[] seen = new int[classes];
            for (long i = 0; i < c.nImages(); i++) {
                short[] l = c.patchLabels(i);
                assertEquals(16, l.length);
                for (short v : l) {
                    assertTrue(v >= 0 && v < classes, "label " + v);
                    seen[v]++;
                }
            }
            // 192 uniform draws over 4 classes: every class, background included, shows up
            for (int k = 0; k < classes; k++) {
                assertTrue(seen[k] > 0, "class " + k + " never drawn");
            }
        }
    }

    @Test
    void withoutLabelClassesThereAreNoLabelFiles() throws IOException {
        CacheManifest m = write("nolabels", 4, 5, 8, StorageDtype.F32, 1, 0, 3, 1 << 20);
        assertNull(m.patchLabels());
        try (var files = Files.list(tmp.resolve("nolabels"))) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".labels.bin")));
        }
    }

    @Test
    void imagesAreSplitIntoShardsOfTheRequestedSize() throws IOException {
        // 2 layers x 5 tokens x d 8 x 4 bytes = 320 bytes per image; 1000 bytes hold 3 whole images
        CacheManifest m = write("shards", 8, 5, 8, StorageDtype.F32, 2, 2, 4, 1000);
        assertEquals(320, m.bytesPerImage());
        assertEquals(3, m.imagesPerShard());
        assertEquals(8, m.nImages());
        assertTrue(m.complete());
        assertEquals(List.of(3, 3, 2), m.shards().stream().map(ShardEntry::nImages).toList());
        assertEquals(List.of(0L, 3L, 6L), m.shards().stream().map(ShardEntry::firstImage).toList());
        for (ShardEntry s : m.shards()) {
            assertEquals(s.nImages() * 320L, Files.size(tmp.resolve("shards").resolve(s.file())), s.file());
        }
        assertEquals(List.of(0, 1), m.layers());
        assertEquals("f32", m.dtype());
        assertEquals(8, m.dModel());

        try (ActivationCache c = ActivationCache.open(tmp.resolve("shards"))) {
            List<ImageRecord> images = c.images();
            assertEquals(8, images.size());
            for (int i = 0; i < images.size(); i++) {
                assertEquals(new ImageRecord(i, "synthetic/" + i + ".png", i % 10), images.get(i));
            }
            float[] row = c.read(7, 1, 4);
            for (float v : row) {
                assertTrue(Float.isFinite(v) && Math.abs(v) < 10, "a standard-normal draw, got " + v);
            }
        }
        assertEquals(List.of(), CacheVerifier.verify(tmp.resolve("shards"), l -> { }));
    }

    @Test
    void aShardLimitBelowOneImageStillStoresOneImagePerShard() throws IOException {
        CacheManifest m = write("tiny-shards", 3, 5, 8, StorageDtype.F16, 1, 0, 4, 1);
        assertEquals(1, m.imagesPerShard());
        assertEquals(3, m.shards().size());
    }

    @Test
    void theSameSeedGivesByteIdenticalShards() throws IOException {
        Function<CacheManifest, List<String>> checksums = m -> m.shards().stream()
                .flatMap(s -> java.util.stream.Stream.of(s.sha256(), s.indexSha256(), s.labelsSha256())).toList();
        CacheManifest a = write("a", 7, 5, 8, StorageDtype.F16, 2, 3, 42, 700);
        CacheManifest b = write("b", 7, 5, 8, StorageDtype.F16, 2, 3, 42, 700);
        CacheManifest c = write("c", 7, 5, 8, StorageDtype.F16, 2, 3, 43, 700);
        assertTrue(a.shards().size() > 1);
        assertEquals(checksums.apply(a), checksums.apply(b));
        assertEquals(a.shards(), b.shards());
        for (ShardEntry s : a.shards()) {
            assertTrue(java.util.Arrays.equals(Files.readAllBytes(tmp.resolve("a").resolve(s.file())),
                    Files.readAllBytes(tmp.resolve("b").resolve(s.file()))), s.file());
        }
        assertNotEquals(a.shards().getFirst().sha256(), c.shards().getFirst().sha256(), "another seed, other values");
        assertNotEquals(a.shards().getFirst().labelsSha256(), c.shards().getFirst().labelsSha256());
        // the image index does not depend on the seed
        assertEquals(a.shards().getFirst().indexSha256(), c.shards().getFirst().indexSha256());
    }

    @Test
    void theConfigIsRecordedInTheProvenance() throws IOException {
        CacheManifest m = write("prov", 2, 5, 8, StorageDtype.BF16, 1, 2, 11, 1 << 20);
        var config = m.provenance().config();
        assertTrue(config.get("synthetic").asBoolean());
        assertEquals(2, config.get("images").asLong());
        assertEquals("bf16", config.get("dtype").asText());
        assertEquals(11, config.get("seed").asLong());
        assertEquals("synthetic", m.model().id());
        assertEquals("synthetic-2", m.dataset().manifestId());
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsWritten() {
        Path out = tmp.resolve("bad");
        long mb = 1 << 20;
        List<org.junit.jupiter.api.function.Executable> calls = List.of(
                () -> SyntheticCache.write(out, 0, 5, 8, StorageDtype.F32, 1, 0, 0, mb, Verbosity.QUIET),
                () -> SyntheticCache.write(out, -3, 5, 8, StorageDtype.F32, 1, 0, 0, mb, Verbosity.QUIET),
                () -> SyntheticCache.write(out, 2, 0, 8, StorageDtype.F32, 1, 0, 0, mb, Verbosity.QUIET),
                () -> SyntheticCache.write(out, 2, 5, 0, StorageDtype.F32, 1, 0, 0, mb, Verbosity.QUIET),
                () -> SyntheticCache.write(out, 2, 5, 8, StorageDtype.F32, 0, 0, 0, mb, Verbosity.QUIET),
                () -> SyntheticCache.write(out, 2, 5, 8, StorageDtype.F32, 1, -1, 0, mb, Verbosity.QUIET));
        for (var call : calls) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
            assertTrue(e.getMessage().contains("synthetic cache needs"), e.getMessage());
        }
        assertFalse(Files.exists(out), "nothing is created for refused arguments");
    }

    @Test
    void aFolderThatHoldsACacheIsNotOverwritten() throws IOException {
        write("taken", 2, 5, 8, StorageDtype.F32, 1, 0, 1, 1 << 20);
        assertThrows(IllegalStateException.class, () -> write("taken", 2, 5, 8, StorageDtype.F32, 1, 0, 1, 1 << 20));
    }
}
