package saelab.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import saelab.io.Sha256;
import saelab.store.CacheManifest.ShardEntry;

/** Writes caches in every storage type and reads them back through every reader but the shuffled one. */
class CacheRoundTripTest {

    private static final long SEED = 42;
    private static final int IMAGES = 23;
    private static final int PER_SHARD = 5;

    @TempDir
    Path tmp;

    private Path writeCache(CacheSpec spec, String name) throws IOException {
        Path dir = tmp.resolve(name);
        try (CacheWriter w = CacheWriter.create(dir, spec, CacheTestData.shardBytesFor(spec, PER_SHARD))) {
            assertEquals(0, w.imagesWritten());
            // batches of 3 images: shard boundaries fall inside batches
            CacheTestData.writeImages(w, spec, SEED, 0, IMAGES, 3);
            assertEquals(IMAGES, w.imagesWritten());
            w.finish();
        }
        return dir;
    }

    @ParameterizedTest
    @EnumSource(StorageDtype.class)
    void manifestDescribesTheShards(StorageDtype dtype) throws IOException {
        CacheSpec spec = CacheTestData.spec(dtype);
        Path dir = writeCache(spec, "c");
        CacheManifest m = ActivationCache.readManifest(dir);
        assertEquals(CacheManifest.FORMAT, m.format());
        assertTrue(m.complete());
        assertEquals(IMAGES, m.nImages());
        assertEquals(PER_SHARD, m.imagesPerShard());
        assertEquals(dtype.id(), m.dtype());
        assertEquals(spec.layers(), m.layers());
        assertEquals(spec.tokens(), m.tokens());
        assertEquals(spec.dModel(), m.dModel());
        assertEquals(spec.patchLabels(), m.patchLabels());
        assertEquals(spec.model(), m.model());
        assertEquals(spec.dataset(), m.dataset());
        assertEquals(spec.preprocessing(), m.preprocessing());
        assertEquals(5, m.shards().size());
        long first = 0;
        for (int s = 0; s < m.shards().size(); s++) {
            ShardEntry e = m.shards().get(s);
            int expectImages = s < 4 ? PER_SHARD : IMAGES - 4 * PER_SHARD;
            assertEquals(String.format("shard-%06d.bin", s), e.file());
            assertEquals(first, e.firstImage());
            assertEquals(expectImages, e.nImages());
            assertEquals(expectImages * spec.bytesPerImage(), e.bytes());
            assertEquals(e.bytes(), Files.size(dir.resolve(e.file())));
            assertEquals(Sha256.of(dir.resolve(e.file())), e.sha256());
            assertEquals(Sha256.of(dir.resolve(e.indexFile())), e.indexSha256());
            assertEquals(Sha256.of(dir.resolve(e.labelsFile())), e.labelsSha256());
            assertEquals(2L * expectImages * spec.tokens().patches(), Files.size(dir.resolve(e.labelsFile())));
            first += expectImages;
        }
        // nothing but the listed files and the manifest: no temporary or partial files remain
        try (var files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            List<String> expected = new ArrayList<>();
            expected.add(CacheManifest.FILE_NAME);
            for (ShardEntry e : m.shards()) {
                expected.add(e.file());
                expected.add(e.indexFile());
                expected.add(e.labelsFile());
            }
            assertEquals(expected.stream().sorted().toList(), names);
        }
    }

    @ParameterizedTest
    @EnumSource(StorageDtype.class)
    void sequentialReturnsEveryKindOfEveryLayer(StorageDtype dtype) throws IOException {
        CacheSpec spec = CacheTestData.spec(dtype);
        Path dir = writeCache(spec, "c");
        try (ActivationCache cache = ActivationCache.open(dir)) {
            assertEquals(CacheManifest.FORMAT, cache.format());
            assertEquals(IMAGES, cache.nImages());
            assertEquals(dtype, cache.dtype());
            int d = spec.dModel();
            for (int slot = 0; slot < spec.layers().size(); slot++) {
                int layer = spec.layers().get(slot);
                for (TokenKind kind : TokenKind.values()) {
                    int[] range = spec.tokens().range(kind);
                    Iterator<TokenBatch> it = cache.sequential(layer, kind, 4);
                    int nextImage = 0;
                    int batches = 0;
                    while (it.hasNext()) {
                        TokenBatch b = it.next();
                        batches++;
                        int images = Math.min(4, IMAGES - nextImage);
                        assertEquals(images * range[1], b.rows(), kind + " layer " + layer);
                        assertEquals(d, b.dModel());
                        for (int r = 0; r < b.rows(); r++) {
                            int image = nextImage + r / range[1];
                            int token = range[0] + r % range[1];
                            String where = kind + " layer " + layer + " row " + r + " of batch " + batches;
                            assertEquals(image, b.image()[r], where);
                            assertEquals(token, b.token()[r], where);
                            int patch = token - spec.tokens().firstPatch();
                            short expectLabel = patch >= 0 && patch < spec.tokens().patches()
                                    ? CacheTestData.labels(spec, SEED, image)[patch] : -1;
                            assertEquals(expectLabel, b.label()[r], where);
                            float[] row = new float[d];
                            System.arraycopy(b.acts(), r * d, row, 0, d);
                            assertArrayEquals(CacheTestData.expectedRow(spec, SEED, image, slot, token), row, where);
                        }
                        nextImage += images;
                    }
                    assertEquals(IMAGES, nextImage);
                    assertEquals((IMAGES + 3) / 4, batches);
                    assertThrows(NoSuchElementException.class, it::next);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(StorageDtype.class)
    void randomAccessReadsTheRightValues(StorageDtype dtype) throws IOException {
        CacheSpec spec = CacheTestData.spec(dtype);
        Path dir = writeCache(spec, "c");
        try (ActivationCache cache = ActivationCache.open(dir)) {
            SplittableRandom rng = new SplittableRandom(5);
            for (int k = 0; k < 300; k++) {
                int image = rng.nextInt(IMAGES);
                int slot = rng.nextInt(spec.layers().size());
                int token = rng.nextInt(spec.tokens().tokens());
                float[] expected = CacheTestData.expectedRow(spec, SEED, image, slot, token);
                assertArrayEquals(expected, cache.read(image, spec.layers().get(slot), token),
                        "image " + image + " slot " + slot + " token " + token);
                float[] into = new float[spec.dModel() + 5];
                cache.read(image, spec.layers().get(slot), token, into, 3);
                for (int j = 0; j < spec.dModel(); j++) {
                    assertEquals(expected[j], into[3 + j]);
                }
                assertEquals(0f, into[0]);
                assertEquals(0f, into[spec.dModel() + 4]);
            }
            // the very first and very last values of the cache
            int last = spec.tokens().tokens() - 1;
            assertArrayEquals(CacheTestData.expectedRow(spec, SEED, 0, 0, 0), cache.read(0, 2, 0));
            assertArrayEquals(CacheTestData.expectedRow(spec, SEED, IMAGES - 1, 2, last), cache.read(IMAGES - 1, 7, last));
        }
    }

    @Test
    void randomAccessRejectsIndicesOutsideTheCache() throws IOException {
        CacheSpec spec = CacheTestData.spec(StorageDtype.F32);
        Path dir = writeCache(spec, "c");
        try (ActivationCache cache = ActivationCache.open(dir)) {
            IllegalArgumentException layer = assertThrows(IllegalArgumentException.class, () -> cache.read(0, 3, 0));
            assertTrue(layer.getMessage().contains("layer 3") && layer.getMessage().contains("[2, 5, 7]"), layer.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> cache.read(0, 2, spec.tokens().tokens()));
            assertThrows(IndexOutOfBoundsException.class, () -> cache.read(0, 2, -1));
            assertThrows(IndexOutOfBoundsException.class, () -> cache.read(IMAGES, 2, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> cache.read(-1, 2, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> cache.image(IMAGES));
            assertThrows(IllegalArgumentException.class, () -> cache.sequential(4, TokenKind.PATCHES, 2));
            assertThrows(IllegalArgumentException.class, () -> cache.sequential(2, TokenKind.PATCHES, 0));
        }
    }

    @ParameterizedTest
    @EnumSource(StorageDtype.class)
    void imageRecordsAndPatchLabelsComeBack(StorageDtype dtype) throws IOException {
        CacheSpec spec = CacheTestData.spec(dtype);
        Path dir = writeCache(spec, "c");
        try (ActivationCache cache = ActivationCache.open(dir)) {
            assertTrue(cache.hasPatchLabels());
            assertEquals(CacheTestData.LABELS.classes(), cache.labelClasses());
            assertEquals(0, cache.backgroundLabel());
            assertEquals(spec.layers(), cache.layers());
            assertEquals(spec.tokens(), cache.tokens());
            assertEquals(spec.dModel(), cache.dModel());
            List<ImageRecord> all = cache.images();
            assertEquals(IMAGES, all.size());
            // read the last image first, so shards are loaded out of order
            for (int i = IMAGES - 1; i >= 0; i--) {
                assertEquals(CacheTestData.record(i), cache.image(i));
                assertEquals(CacheTestData.record(i), all.get(i));
                assertArrayEquals(CacheTestData.labels(spec, SEED, i), cache.patchLabels(i), "image " + i);
            }
            // the returned labels are a copy
            cache.patchLabels(3)[0] = 99;
            assertArrayEquals(CacheTestData.labels(spec, SEED, 3), cache.patchLabels(3));
        }
    }

    @Test
    void cacheWithoutLabelsOrRegistersReadsBack() throws IOException {
        TokenLayout layout = new TokenLayout(false, 0, 2, 3);
        CacheSpec spec = CacheTestData.spec(StorageDtype.BF16, layout, List.of(0), 8, null);
        Path dir = tmp.resolve("plain");
        try (CacheWriter w = CacheWriter.create(dir, spec, 1)) {
            // a shard limit below one image still stores one image per shard
            CacheTestData.writeImages(w, spec, SEED, 0, 4, 4);
            w.finish();
        }
        try (ActivationCache cache = ActivationCache.open(dir)) {
            assertEquals(4, cache.manifest().shards().size());
            assertFalse(cache.hasPatchLabels());
            assertNull(cache.patchLabels(2));
            assertEquals(List.of(), cache.labelClasses());
            assertEquals(-1, cache.backgroundLabel());
            Iterator<TokenBatch> it = cache.sequential(0, TokenKind.PATCHES, 10);
            TokenBatch b = it.next();
            assertFalse(it.hasNext());
            assertEquals(24, b.rows());
            for (int r = 0; r < b.rows(); r++) {
                assertEquals(-1, b.label()[r]);
                assertEquals(r / 6, b.image()[r]);
                assertEquals(r % 6, b.token()[r]);
                assertEquals(CacheTestData.expected(spec, SEED, r / 6, 0, r % 6, 1), b.get(r, 1));
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> cache.sequential(0, TokenKind.CLS, 1));
            assertTrue(e.getMessage().contains("cls"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> cache.sequential(0, TokenKind.REGISTERS, 1));
        }
    }

    @Test
    void unusualImageRecordsSurviveTheIndex() throws IOException {
        TokenLayout layout = new TokenLayout(true, 0, 1, 2);
        CacheSpec spec = CacheTestData.spec(StorageDtype.F32, layout, List.of(1), 8, null);
        List<ImageRecord> records = List.of(new ImageRecord(0, "", -1), new ImageRecord(5_000_000_000L, "ünï cödé/ä.png", 0),
                new ImageRecord(7, " leading and trailing ", 999), new ImageRecord(8, null, -1));
        Path dir = tmp.resolve("records");
        try (CacheWriter w = CacheWriter.create(dir, spec, 3 * spec.bytesPerImage())) {
            w.append(records, new float[records.size() * spec.valuesPerImage()], null);
            w.finish();
        }
        try (ActivationCache cache = ActivationCache.open(dir)) {
            assertEquals(records, cache.images());
            assertEquals("", cache.image(3).path());
        }
    }
}
