package saelab.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shuffled training stream over a small multi-shard cache with patch labels. */
class ShuffledStreamTest {

    private static final long SEED = 7;
    private static final int IMAGES = 23;
    private static final int LAYER = 5;
    private static final int SLOT = 1;
    private static final int PATCHES = CacheTestData.LAYOUT.patches();
    private static final int EPOCH = IMAGES * PATCHES;

    @TempDir
    static Path tmp;

    private static CacheSpec spec;
    private static ActivationCache cache;

    /** One delivered row, copied out of its (reused) batch. */
    record Row(int image, int token, short label, float[] acts) {
        long id() {
            return (long) image * CacheTestData.LAYOUT.tokens() + token;
        }

        boolean sameAs(Row o) {
            return image == o.image && token == o.token && label == o.label && Arrays.equals(acts, o.acts);
        }
    }

    @BeforeAll
    static void writeCache() throws IOException {
        spec = CacheTestData.spec(StorageDtype.F16);
        Path dir = tmp.resolve("cache");
        try (CacheWriter w = CacheWriter.create(dir, spec, CacheTestData.shardBytesFor(spec, 5))) {
            CacheTestData.writeImages(w, spec, SEED, 0, IMAGES, 4);
            w.finish();
        }
        cache = ActivationCache.open(dir);
    }

    @AfterAll
    static void closeCache() {
        cache.close();
    }

    /** Small reservoir (50 rows, well below an epoch) and chunks of two images, so shuffling really mixes. */
    private static ShuffleOptions base() {
        long rowBytes = (long) spec.dModel() * spec.dtype().bytes();
        return ShuffleOptions.builder(LAYER).batchSize(37).seed(123).reservoirBytes(50 * rowBytes)
                .chunkBytes(2 * PATCHES * rowBytes).threads(2).build();
    }

    private static List<Row> collect(ShuffleOptions o) {
        List<Row> rows = new ArrayList<>();
        try (ShuffledStream s = cache.shuffled(o)) {
            int batches = 0;
            long expectTotal = o.maxSamples();
            while (s.hasNext()) {
                TokenBatch b = s.next();
                batches++;
                long left = expectTotal - rows.size();
                assertEquals(Math.min(o.batchSize(), left), b.rows(), "batch " + batches);
                for (int r = 0; r < b.rows(); r++) {
                    float[] a = Arrays.copyOfRange(b.acts(), r * b.dModel(), (r + 1) * b.dModel());
                    rows.add(new Row(b.image()[r], b.token()[r], b.label()[r], a));
                }
            }
            assertEquals(o.startSample() + o.maxSamples(), s.samplesDelivered());
            assertThrows(NoSuchElementException.class, s::next);
        }
        assertEquals(o.maxSamples(), rows.size());
        return rows;
    }

    private static List<Long> ids(List<Row> rows) {
        return rows.stream().map(Row::id).toList();
    }

    private static void assertSameRows(List<Row> expected, List<Row> actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            if (!expected.get(i).sameAs(actual.get(i))) {
                throw new AssertionError(what + ": row " + i + " differs: expected image " + expected.get(i).image()
                        + " token " + expected.get(i).token() + ", got image " + actual.get(i).image() + " token "
                        + actual.get(i).token());
            }
        }
    }

    /** Every row carries the values, label and indices the cache holds for it. */
    private static void assertRowsAreTrue(List<Row> rows) {
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            assertTrue(r.image() >= 0 && r.image() < IMAGES, "image " + r.image());
            int patch = r.token() - CacheTestData.LAYOUT.firstPatch();
            if (patch >= 0 && patch < PATCHES) {
                assertEquals(CacheTestData.labels(spec, SEED, r.image())[patch], r.label(), "label of row " + i);
            } else {
                assertEquals(-1, r.label(), "label of non-patch row " + i);
            }
            assertArrayEquals(CacheTestData.expectedRow(spec, SEED, r.image(), SLOT, r.token()), r.acts(),
                    "values of row " + i + " (image " + r.image() + ", token " + r.token() + ")");
        }
    }

    @Test
    void oneEpochDeliversEveryPatchExactlyOnce() {
        ShuffleOptions o = base();
        try (ShuffledStream s = cache.shuffled(o.toBuilder().maxSamples(1).build())) {
            assertEquals(EPOCH, s.samplesPerEpoch());
            assertEquals(50, s.reservoirRows());
        }
        List<Row> rows = collect(o.toBuilder().maxSamples(EPOCH).build());
        Set<Long> seen = new HashSet<>();
        for (Row r : rows) {
            assertTrue(r.token() >= CacheTestData.LAYOUT.firstPatch() && r.token() < CacheTestData.LAYOUT.tokens(),
                    "token " + r.token() + " is not a patch");
            assertTrue(seen.add(r.id()), "row of image " + r.image() + " token " + r.token() + " delivered twice");
        }
        assertEquals(EPOCH, seen.size());
        assertRowsAreTrue(rows);
        // shuffled: not in storage order, and images of all shards mixed into the first rows
        List<Long> sorted = new ArrayList<>(ids(rows));
        sorted.sort(null);
        assertNotEquals(sorted, ids(rows));
    }

    @Test
    void sameSeedGivesTheSameSequenceAndAnotherSeedAnotherOrder() {
        ShuffleOptions o = base().toBuilder().maxSamples(EPOCH + 60).build();
        List<Row> a = collect(o);
        List<Row> b = collect(o);
        assertSameRows(a, b, "same seed");
        List<Row> c = collect(o.toBuilder().seed(124).build());
        assertNotEquals(ids(a), ids(c));
        // ... but the same rows in an epoch
        assertEquals(new HashSet<>(ids(a.subList(0, EPOCH))), new HashSet<>(ids(c.subList(0, EPOCH))));
    }

    @Test
    void threadCountDoesNotChangeTheSequence() {
        ShuffleOptions o = base().toBuilder().maxSamples(2L * EPOCH).build();
        List<Row> one = collect(o.toBuilder().threads(1).build());
        List<Row> three = collect(o.toBuilder().threads(3).build());
        assertSameRows(one, three, "1 vs 3 threads");
        // batch size changes how rows are grouped, not their order
        assertSameRows(one, collect(o.toBuilder().threads(3).batchSize(5).build()), "batch size 37 vs 5");
    }

    @Test
    void laterEpochsAreNewPermutations() {
        List<Row> rows = collect(base().toBuilder().maxSamples(3L * EPOCH).build());
        List<Long> ids = ids(rows);
        Set<Long> first = new HashSet<>(ids.subList(0, EPOCH));
        for (int e = 1; e < 3; e++) {
            List<Long> epoch = ids.subList(e * EPOCH, (e + 1) * EPOCH);
            assertEquals(EPOCH, new HashSet<>(epoch).size(), "epoch " + e + " repeats a row");
            assertEquals(first, new HashSet<>(epoch), "epoch " + e + " covers other rows");
            assertNotEquals(ids.subList(0, EPOCH), epoch, "epoch " + e + " repeats epoch 0's order");
        }
        assertRowsAreTrue(rows);
    }

    @Test
    void startSampleResumesExactlyTheTailOfTheSequence() {
        long total = 2L * EPOCH + 40;
        List<Row> full = collect(base().toBuilder().maxSamples(total).build());
        long[] starts = {1, 36, 37, 100, EPOCH - 1, EPOCH, EPOCH + 13, 2L * EPOCH, 2L * EPOCH + 39};
        for (long k : starts) {
            List<Row> tail = collect(base().toBuilder().startSample(k).maxSamples(total - k).build());
            assertSameRows(full.subList((int) k, (int) total), tail, "start sample " + k);
        }
    }

    @Test
    void samplingWithReplacementDeliversValidRows() {
        ShuffleOptions o = base().toBuilder().withReplacement().maxSamples(500).build();
        List<Row> rows = collect(o);
        assertRowsAreTrue(rows);
        for (Row r : rows) {
            assertTrue(r.token() >= CacheTestData.LAYOUT.firstPatch(), "token " + r.token());
        }
        Set<Long> distinct = new HashSet<>(ids(rows));
        // 500 draws from 276 rows: many distinct rows, and repeats by pigeonhole
        assertTrue(distinct.size() > 100, "only " + distinct.size() + " distinct rows");
        assertTrue(distinct.size() < 500, "no row repeated in 500 draws from " + EPOCH);
        assertSameRows(rows, collect(o.toBuilder().threads(1).build()), "with replacement, 2 vs 1 threads");
        List<Row> resumed = collect(o.toBuilder().startSample(123).maxSamples(500 - 123).build());
        assertSameRows(rows.subList(123, 500), resumed, "with replacement, resumed at 123");
    }

    @Test
    void dropBackgroundSkipsBackgroundAndKeepsEveryOtherPatchOncePerEpoch() {
        Set<Long> foreground = new HashSet<>();
        for (int i = 0; i < IMAGES; i++) {
            short[] l = CacheTestData.labels(spec, SEED, i);
            for (int p = 0; p < l.length; p++) {
                if (l[p] != 0) {
                    foreground.add((long) i * CacheTestData.LAYOUT.tokens() + CacheTestData.LAYOUT.firstPatch() + p);
                }
            }
        }
        assertTrue(foreground.size() < EPOCH && foreground.size() > EPOCH / 3, "test data has background patches");
        ShuffleOptions o = base().toBuilder().dropBackground().build();
        try (ShuffledStream s = cache.shuffled(o.toBuilder().maxSamples(1).build())) {
            assertEquals(foreground.size(), s.samplesPerEpoch());
        }
        List<Row> rows = collect(o.toBuilder().maxSamples(2L * foreground.size()).build());
        for (int e = 0; e < 2; e++) {
            List<Row> epoch = rows.subList(e * foreground.size(), (e + 1) * foreground.size());
            List<Long> ids = ids(epoch);
            assertEquals(foreground.size(), new HashSet<>(ids).size(), "a row repeats in epoch " + e);
            assertEquals(foreground, new HashSet<>(ids));
        }
        for (Row r : rows) {
            assertNotEquals(0, r.label(), "background patch of image " + r.image() + " delivered");
        }
        assertRowsAreTrue(rows);

        List<Row> drawn = collect(o.toBuilder().withReplacement().maxSamples(300).build());
        for (Row r : drawn) {
            assertNotEquals(0, r.label(), "background patch drawn with replacement");
        }
        assertRowsAreTrue(drawn);
    }

    @Test
    void clsStreamDeliversOneRowPerImage() {
        ShuffleOptions o = base().toBuilder().kind(TokenKind.CLS).batchSize(6).build();
        try (ShuffledStream s = cache.shuffled(o.toBuilder().maxSamples(1).build())) {
            assertEquals(IMAGES, s.samplesPerEpoch());
        }
        List<Row> rows = collect(o.toBuilder().maxSamples(IMAGES).build());
        Set<Integer> images = new HashSet<>();
        for (Row r : rows) {
            assertEquals(0, r.token());
            assertEquals(-1, r.label());
            assertTrue(images.add(r.image()), "image " + r.image() + " twice");
        }
        assertEquals(IMAGES, images.size());
        assertRowsAreTrue(rows);
    }

    @Test
    void invalidOptionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> base().toBuilder().kind(TokenKind.ALL).build());
        assertThrows(IllegalArgumentException.class, () -> base().toBuilder().kind(TokenKind.REGISTERS).build());
        assertThrows(IllegalArgumentException.class, () -> base().toBuilder().batchSize(0).build());
        assertThrows(IllegalArgumentException.class, () -> base().toBuilder().startSample(-1).build());
        assertThrows(IllegalArgumentException.class, () -> base().toBuilder().maxSamples(0).build());
        IllegalArgumentException layer = assertThrows(IllegalArgumentException.class,
                () -> cache.shuffled(ShuffleOptions.builder(3).maxSamples(10).build()));
        assertTrue(layer.getMessage().contains("layer 3"), layer.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> cache.shuffled(base().toBuilder().kind(TokenKind.CLS).dropBackground().maxSamples(10).build()));
    }
}
