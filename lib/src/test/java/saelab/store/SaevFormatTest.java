package saelab.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Json;
import saelab.store.CacheManifest.PatchLabelInfo;
import saelab.store.SaevFixture.ClassToken;
import saelab.store.SaevFixture.PatchLabels;

/** saev caches of both generations read the same as a native cache of the same activations. */
class SaevFormatTest {

    private static final List<Integer> LAYERS = List.of(6, 10);
    private static final int PATCHES = 16; // a 4 x 4 grid
    private static final int D = 8;
    private static final int N = 13;
    private static final int PER_SHARD = 4;

    @TempDir
    Path tmp;

    /** The same activations as a saelab f32 cache, cut into the same shards as the saev copy. */
    private Path nativeCopy(SaevFixture.Data data, int perShard) throws IOException {
        List<String> classes = IntStream.rangeClosed(0, 200).mapToObj(i -> "class " + i).toList();
        CacheSpec spec = CacheTestData.spec(StorageDtype.F32, new TokenLayout(data.cls(), 0, 4, 4), data.layers(), data.d(),
                new PatchLabelInfo(classes, 0));
        Path dir = tmp.resolve("native");
        try (CacheWriter w = CacheWriter.create(dir, spec, perShard * spec.bytesPerImage())) {
            for (int i = 0; i < data.n(); i++) {
                short[] labels = new short[data.patches()];
                for (int p = 0; p < labels.length; p++) {
                    labels[p] = (short) data.label(i, p);
                }
                w.append(List.of(new ImageRecord(i, "", -1)), data.acts()[i], labels);
            }
            w.finish();
        }
        return dir;
    }

    private record Row(int image, int token, short label, float[] acts) {}

    private static List<Row> oneEpoch(ActivationCache cache, int layer, TokenKind kind) {
        ShuffleOptions o = ShuffleOptions.builder(layer).kind(kind).batchSize(10).seed(5).threads(2)
                .reservoirBytes(30L * D * 4).chunkBytes(2L * PATCHES * D * 4).build();
        long epoch;
        try (ShuffledStream s = cache.shuffled(o.toBuilder().maxSamples(1).build())) {
            epoch = s.samplesPerEpoch();
        }
        List<Row> rows = new ArrayList<>();
        try (ShuffledStream s = cache.shuffled(o.toBuilder().maxSamples(epoch).build())) {
            while (s.hasNext()) {
                TokenBatch b = s.next();
                for (int r = 0; r < b.rows(); r++) {
                    rows.add(new Row(b.image()[r], b.token()[r], b.label()[r],
                            Arrays.copyOfRange(b.acts(), r * b.dModel(), (r + 1) * b.dModel())));
                }
            }
        }
        return rows;
    }

    /** Everything a reader can see of {@code saev} equals the raw data and what {@code reference} shows. */
    private static void assertSameCache(SaevFixture.Data data, ActivationCache saev, ActivationCache reference) {
        assertEquals(reference.nImages(), saev.nImages());
        assertEquals(reference.dModel(), saev.dModel());
        assertEquals(reference.layers(), saev.layers());
        assertEquals(reference.tokens(), saev.tokens());
        assertEquals(StorageDtype.F32, saev.dtype());
        assertTrue(saev.hasPatchLabels());
        assertEquals(0, saev.backgroundLabel());
        assertNull(saev.manifest());
        int tokens = data.tokens();

        for (int i = 0; i < data.n(); i++) {
            assertEquals(new ImageRecord(i, "", -1), saev.image(i));
            short[] labels = saev.patchLabels(i);
            assertArrayEquals(reference.patchLabels(i), labels, "labels of example " + i);
            for (int p = 0; p < data.patches(); p++) {
                assertEquals(data.label(i, p), labels[p]);
            }
            for (int slot = 0; slot < data.layers().size(); slot++) {
                for (int t = 0; t < tokens; t++) {
                    float[] got = saev.read(i, data.layers().get(slot), t);
                    assertArrayEquals(reference.read(i, data.layers().get(slot), t), got);
                    for (int j = 0; j < data.d(); j++) {
                        assertEquals(data.value(i, slot, t, j), got[j], "example " + i + " slot " + slot + " token " + t);
                    }
                }
            }
        }

        List<TokenKind> kinds = data.cls() ? List.of(TokenKind.CLS, TokenKind.PATCHES, TokenKind.ALL) : List.of(TokenKind.PATCHES);
        for (int layer : data.layers()) {
            for (TokenKind kind : kinds) {
                Iterator<TokenBatch> a = saev.sequential(layer, kind, 3);
                Iterator<TokenBatch> b = reference.sequential(layer, kind, 3);
                while (b.hasNext()) {
                    assertTrue(a.hasNext());
                    TokenBatch x = a.next();
                    TokenBatch y = b.next();
                    assertEquals(y.rows(), x.rows());
                    assertArrayEquals(Arrays.copyOf(y.acts(), y.rows() * D), Arrays.copyOf(x.acts(), x.rows() * D),
                            kind + " layer " + layer);
                    assertArrayEquals(y.image(), x.image());
                    assertArrayEquals(y.token(), x.token());
                    assertArrayEquals(y.label(), x.label());
                }
                assertFalse(a.hasNext());
            }

            for (TokenKind kind : data.cls() ? List.of(TokenKind.PATCHES, TokenKind.CLS) : List.of(TokenKind.PATCHES)) {
                List<Row> x = oneEpoch(saev, layer, kind);
                List<Row> y = oneEpoch(reference, layer, kind);
                int perImage = kind == TokenKind.CLS ? 1 : data.patches();
                assertEquals(data.n() * perImage, x.size());
                assertEquals(y.size(), x.size());
                Set<Integer> seen = new HashSet<>();
                int slot = data.layers().indexOf(layer);
                for (int r = 0; r < x.size(); r++) {
                    Row got = x.get(r);
                    Row want = y.get(r);
                    assertEquals(want.image(), got.image(), "shuffled row " + r);
                    assertEquals(want.token(), got.token(), "shuffled row " + r);
                    assertEquals(want.label(), got.label(), "shuffled row " + r);
                    assertArrayEquals(want.acts(), got.acts(), "shuffled row " + r);
                    assertTrue(seen.add(got.image() * tokens + got.token()), "shuffled row " + r + " repeats");
                    assertEquals(data.value(got.image(), slot, got.token(), 0), got.acts()[0]);
                }
            }
        }
    }

    @Test
    void protocol21ReadsLikeTheNativeCopy() throws IOException {
        SaevFixture.Data data = SaevFixture.random(1, LAYERS, PATCHES, ClassToken.FIRST, D, N, PatchLabels.RANDOM);
        Path dir = tmp.resolve("saev21");
        assertEquals(PER_SHARD, SaevFixture.writeCurrent(dir, data, PER_SHARD));
        try (var files = Files.list(dir)) {
            assertEquals(4, files.filter(p -> p.getFileName().toString().startsWith("acts")).count());
        }
        try (ActivationCache saev = ActivationCache.open(dir);
             ActivationCache reference = ActivationCache.open(nativeCopy(data, PER_SHARD))) {
            assertEquals("saev-2.1", saev.format());
            assertEquals(CacheManifest.FORMAT, reference.format());
            assertEquals(new TokenLayout(true, 0, 4, 4), saev.tokens());
            assertSameCache(data, saev, reference);
        }
    }

    @Test
    void paperEraReadsLikeTheNativeCopy() throws IOException {
        SaevFixture.Data data = SaevFixture.random(2, LAYERS, PATCHES, ClassToken.FIRST, D, N, PatchLabels.RANDOM);
        Path dir = tmp.resolve("saev-paper");
        assertEquals(PER_SHARD, SaevFixture.writePaper(dir, data, PER_SHARD));
        try (ActivationCache saev = ActivationCache.open(dir);
             ActivationCache reference = ActivationCache.open(nativeCopy(data, PER_SHARD))) {
            assertEquals("saev-paper", saev.format());
            assertSameCache(data, saev, reference);
        }
    }

    @Test
    void shardSizesFollowTheTokenBudgetWithoutShardsJson() throws IOException {
        // without shards.json the reader must derive the shard sizes from max_tokens_per_shard, as saev does
        SaevFixture.Data data = SaevFixture.random(3, LAYERS, PATCHES, ClassToken.FIRST, D, N, PatchLabels.RANDOM);
        Path dir = tmp.resolve("saev21");
        SaevFixture.writeCurrent(dir, data, PER_SHARD);
        Files.delete(dir.resolve("shards.json"));
        try (ActivationCache saev = ActivationCache.open(dir);
             ActivationCache reference = ActivationCache.open(nativeCopy(data, PER_SHARD))) {
            assertSameCache(data, saev, reference);
        }
    }

    @Test
    void withoutClsTokenOrSquareGridOrLabels() throws IOException {
        SaevFixture.Data data = SaevFixture.random(4, List.of(11), 6, ClassToken.NONE, D, 5, PatchLabels.NONE);
        Path dir = tmp.resolve("saev21");
        SaevFixture.writeCurrent(dir, data, 2);
        try (ActivationCache saev = ActivationCache.open(dir)) {
            assertEquals(new TokenLayout(false, 0, 1, 6), saev.tokens());
            assertFalse(saev.hasPatchLabels());
            assertNull(saev.patchLabels(0));
            assertThrows(IllegalArgumentException.class, () -> saev.sequential(11, TokenKind.CLS, 1));
            Iterator<TokenBatch> it = saev.sequential(11, TokenKind.PATCHES, 5);
            TokenBatch b = it.next();
            assertFalse(it.hasNext());
            assertEquals(30, b.rows());
            for (int r = 0; r < b.rows(); r++) {
                assertEquals(r / 6, b.image()[r]);
                assertEquals(r % 6, b.token()[r]);
                assertEquals(-1, b.label()[r]);
                for (int j = 0; j < D; j++) {
                    assertEquals(data.value(r / 6, 0, r % 6, j), b.get(r, j));
                }
            }
        }
    }

    @Test
    void missingMetadataFieldNamesTheFileAndField() throws IOException {
        SaevFixture.Data data = SaevFixture.random(5, LAYERS, PATCHES, ClassToken.FIRST, D, N, PatchLabels.NONE);
        Path current = tmp.resolve("saev21");
        SaevFixture.writeCurrent(current, data, PER_SHARD);
        removeField(current, "d_model");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(current));
        assertTrue(e.getMessage().contains("metadata.json") && e.getMessage().contains("'d_model'"), e.getMessage());

        Path paper = tmp.resolve("paper");
        SaevFixture.writePaper(paper, data, PER_SHARD);
        removeField(paper, "n_patches_per_shard");
        e = assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(paper));
        assertTrue(e.getMessage().contains("metadata.json") && e.getMessage().contains("'n_patches_per_shard'"),
                e.getMessage());
    }

    @Test
    void shortShardIsAnErrorNamingIt() throws IOException {
        SaevFixture.Data data = SaevFixture.random(6, LAYERS, PATCHES, ClassToken.FIRST, D, N, PatchLabels.NONE);
        Path dir = tmp.resolve("saev21");
        SaevFixture.writeCurrent(dir, data, PER_SHARD);
        Path last = dir.resolve("acts000003.bin");
        byte[] bytes = Files.readAllBytes(last);
        Files.write(last, Arrays.copyOf(bytes, bytes.length - 4));
        // the metadata's sizes are compared with the files before anything is mapped
        var err = assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(dir));
        assertTrue(err.getMessage().contains("acts000003.bin") && err.getMessage().contains("truncated"), err.getMessage());
    }

    private static void removeField(Path dir, String field) throws IOException {
        Path meta = dir.resolve("metadata.json");
        ObjectNode node = (ObjectNode) Json.mapper().readTree(meta.toFile());
        node.remove(field);
        Json.mapper().writeValue(meta.toFile(), node);
    }

    @Test
    void inconsistentMetadataIsRefusedWithTheFileNamed() throws IOException {
        SaevFixture.Data data = SaevFixture.random(7, LAYERS, PATCHES, ClassToken.FIRST, D, N, PatchLabels.NONE);
        Path dir = tmp.resolve("saev21");
        SaevFixture.writeCurrent(dir, data, PER_SHARD);
        Path meta = dir.resolve("metadata.json");
        String good = Files.readString(meta);

        setField(dir, "dtype", "float16");
        IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(dir));
        assertTrue(dtype.getMessage().contains("metadata.json") && dtype.getMessage().contains("'dtype'"), dtype.getMessage());

        Files.writeString(meta, good);
        setField(dir, "n_examples", N + 1);
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(dir));
        assertTrue(count.getMessage().contains("shards.json"), count.getMessage());

        Files.writeString(meta, "{ not json");
        IllegalArgumentException broken = assertThrows(IllegalArgumentException.class, () -> ActivationCache.open(dir));
        assertTrue(broken.getMessage().contains("metadata.json"), broken.getMessage());
    }

    private static void setField(Path dir, String field, Object value) throws IOException {
        Path meta = dir.resolve("metadata.json");
        ObjectNode node = (ObjectNode) Json.mapper().readTree(meta.toFile());
        node.set(field, Json.mapper().valueToTree(value));
        Json.mapper().writeValue(meta.toFile(), node);
    }
}
