package saelab.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Sha256;
import saelab.store.ActivationCache;
import saelab.store.CacheManifest;
import saelab.store.CacheVerifier;

/** Parts captured separately and merged equal one full capture. */
class CapturePartsTest {

    @TempDir
    static Path shared;
    static Path model;
    static Path images;

    @TempDir
    Path tmp;

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    @BeforeAll
    static void setUp() throws Exception {
        model = CaptureTestData.model(shared.resolve("model"));
        images = shared.resolve("images");
        CaptureTestData.images(images, 12);
    }

    /** layers 0 and 2, every token, f16: 2 x 21 x 32 x 2 bytes per image. */
    private static CaptureOptions options(Path out, int imagesPerShard) {
        return CaptureOptions.builder(model, "folder:" + images, null, List.of(0, 2), TokenSelection.parse("cls,registers,patches"), out)
                .batch(2).threads(2).maxShardBytes(imagesPerShard * 2L * 21 * 32 * 2).build();
    }

    private static CacheManifest withoutProvenance(CacheManifest m) {
        return new CacheManifest(m.format(), m.model(), m.dataset(), m.preprocessing(), m.layers(), m.tokens(), m.dModel(), m.dtype(),
                m.imagesPerShard(), m.nImages(), m.patchLabels(), m.complete(), m.shards(), null);
    }

    private static List<Path> captureParts(Path base, int n, int imagesPerShard) throws Exception {
        List<Path> parts = new java.util.ArrayList<>();
        for (int i = n - 1; i >= 0; i--) { // any order
            Path dir = base.resolve("part" + i);
            CapturePipeline.run(options(dir, imagesPerShard).toBuilder().part(new PartSpec(i, n)).build(), QUIET);
            parts.add(dir);
        }
        return parts;
    }

    @Test
    void threeMergedPartsEqualOneFullCapture() throws Exception {
        CacheManifest full = CapturePipeline.run(options(tmp.resolve("full"), 2), QUIET).manifest();
        List<Path> parts = captureParts(tmp, 3, 2);
        Path merged = tmp.resolve("merged");
        PartsMerger.Result r = PartsMerger.merge(parts, merged);
        assertEquals(PartsMerger.LinkKind.HARD, r.links());
        CacheManifest m = ActivationCache.readManifest(merged);
        assertEquals(withoutProvenance(full), withoutProvenance(m), "same manifest content apart from provenance");
        assertEquals(CacheManifest.FORMAT, m.format());
        for (CacheManifest.ShardEntry s : m.shards()) {
            assertEquals(s.sha256(), Sha256.of(merged.resolve(s.file())));
            assertArrayEquals(Files.readAllBytes(tmp.resolve("full").resolve(s.file())), Files.readAllBytes(merged.resolve(s.file())),
                    "same shard data: " + s.file());
        }
        assertTrue(CacheVerifier.verify(merged, line -> { }).isEmpty());
        assertTrue(m.provenance().config().get("merged_from").size() == 3);
    }

    @Test
    void partsWithShortLastShardsMergeIntoAVariableShardCacheWithTheSameValues() throws Exception {
        Path fullDir = tmp.resolve("full3");
        CapturePipeline.run(options(fullDir, 3), QUIET);
        List<Path> parts = captureParts(tmp.resolve("p"), 3, 3); // 4 images per part: shards of 3 and 1
        Path merged = tmp.resolve("merged3");
        CacheManifest m = PartsMerger.merge(parts, merged).manifest();
        assertEquals(CacheManifest.FORMAT_VARIABLE_SHARDS, m.format());
        assertEquals(6, m.shards().size());
        assertTrue(CacheVerifier.verify(merged, line -> { }).isEmpty());
        try (ActivationCache a = ActivationCache.open(fullDir); ActivationCache b = ActivationCache.open(merged)) {
            assertEquals(12, b.nImages());
            for (int i = 0; i < 12; i++) {
                assertEquals(a.image(i), b.image(i));
                for (int layer : List.of(0, 2)) {
                    for (int t = 0; t < 21; t++) {
                        assertArrayEquals(a.read(i, layer, t), b.read(i, layer, t), "image " + i + " block " + layer + " token " + t);
                    }
                }
            }
        }
    }

    @Test
    void missingOrDisagreeingPartsAreNamed() throws Exception {
        List<Path> parts = captureParts(tmp, 3, 2);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> PartsMerger.merge(List.of(parts.get(0), parts.get(2)), tmp.resolve("m1")));
        assertTrue(missing.getMessage().contains("part 1/3 is missing"), missing.getMessage());
        Path other = tmp.resolve("other1");
        CapturePipeline.run(CaptureOptions.builder(model, "folder:" + images, null, List.of(1), TokenSelection.parse("cls"), other)
                .batch(2).part(new PartSpec(1, 3)).threads(1).maxShardBytes(1 << 20).build(), QUIET);
        IllegalArgumentException differs = assertThrows(IllegalArgumentException.class,
                () -> PartsMerger.merge(List.of(parts.get(0), other, parts.get(2)), tmp.resolve("m2")));
        assertTrue(differs.getMessage().contains(other.toString()) && differs.getMessage().contains("'layers'"), differs.getMessage());
        IllegalArgumentException notPart = assertThrows(IllegalArgumentException.class,
                () -> PartsMerger.merge(List.of(parts.get(0)), tmp.resolve("m3")));
        assertTrue(notPart.getMessage().contains("missing"), notPart.getMessage());
    }

    @Test
    void aPartWhoseManifestNamesAFileOutsideItIsRefusedBeforeAnythingIsWritten() throws Exception {
        List<Path> parts = captureParts(tmp.resolve("hostile"), 2, 2);
        Path part0 = parts.stream().filter(p -> p.getFileName().toString().equals("part0")).findFirst().orElseThrow();
        Path manifest = part0.resolve(CacheManifest.FILE_NAME);
        Files.copy(part0.resolve("shard-000000.images.tsv"), tmp.resolve("outside.tsv"));
        Files.writeString(manifest, Files.readString(manifest).replace("\"shard-000000.images.tsv\"", "\"../../outside.tsv\""));
        Path out = tmp.resolve("merged-hostile");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PartsMerger.merge(parts, out));
        assertTrue(e.getMessage().contains(manifest.toString()) && e.getMessage().contains("index_file")
                && e.getMessage().contains("../../outside.tsv"), e.getMessage());
        assertFalse(Files.exists(out), "nothing may be written before the names are checked");
    }
}
