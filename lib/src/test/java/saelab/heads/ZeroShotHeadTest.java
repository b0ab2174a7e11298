package saelab.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import saelab.model.Golden;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.model.VisionOutput;
import saelab.store.CacheManifest;
import saelab.text.Padding;
import saelab.text.PromptTemplates;
import saelab.text.Tokenizer;
import saelab.zeroshot.ZeroShotClassifier;

/**
 * The saved zero-shot head on the golden CLIP (image projection) and SigLIP (no projection, a logit bias): its
 * logits equal {@link ZeroShotClassifier}'s with the text tower, after a save and load, from the tower's output and
 * from pooled features; the file refuses the wrong kind of head, and the model check names both models.
 */
class ZeroShotHeadTest {

    @TempDir
    Path tmp;

    /** Words to ids in [3, 990) by a stable hash, start 998, end 999 (the highest, for CLIP's argmax pooling), padding 0. */
    private record Words(int contextLength) implements Tokenizer {
        public int vocabularySize() {
            return 1000;
        }

        public int startTokenId() {
            return 998;
        }

        public int endTokenId() {
            return 999;
        }

        public int padTokenId() {
            return 0;
        }

        public Padding defaultPadding() {
            return Padding.ZERO;
        }

        public int[] encode(String text, int ctx) {
            int[] ids = new int[ctx];
            int n = 0;
            ids[n++] = 998;
            for (String w : text.toLowerCase(java.util.Locale.ROOT).split("[^a-z]+")) {
                if (!w.isEmpty() && n < ctx - 1) {
                    ids[n++] = 3 + Math.floorMod(w.hashCode(), 987);
                }
            }
            ids[n++] = 999;
            return java.util.Arrays.copyOf(ids, n);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"clip", "siglip"})
    void savedHeadGivesTheClassifiersLogitsWithoutTheTextTower(String name) throws Exception {
        List<String> classes = List.of("cat", "dog", "tree frog");
        List<String> templates = PromptTemplates.simple7();
        Path dir = Golden.dir(name);
        try (LoadedModel m = ModelLoader.load(dir); NDManager nd = NDManager.newBaseManager()) {
            Tokenizer tok = new Words((int) m.text().contextLength());
            CacheManifest.ModelRef ref = HeadProvenance.modelOf(name, dir);
            ZeroShotHead built = ZeroShotHead.build(m.dual(), tok, classes, templates, "simple7", ref, nd);
            Path file = tmp.resolve(name + ".safetensors");
            built.save(file);
            ZeroShotHead head = ZeroShotHead.load(file);
            assertEquals(classes, head.classes());
            assertEquals(name.equals("siglip"), head.logitBias() != null);

            NDArray px = nd.randomNormal(new Shape(2, 3, 32, 32));
            VisionOutput out = m.vision().forward(px, Set.of());
            try (ZeroShotClassifier c = ZeroShotClassifier.build(m.dual(), tok, classes, templates, nd, 64)) {
                float[] want = c.logits(out.imageEmbeds()).toFloatArray();
                assertArrayEquals(want, head.logits(out, nd).toFloatArray(), 1e-4f);
                assertArrayEquals(want, head.logitsOfPooled(out.pooled()).toFloatArray(), 1e-4f);
            }
            head.provenance().requireModel(ref, file, "the model");
            IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                    () -> head.provenance().requireModel(new CacheManifest.ModelRef("x", null, "cd".repeat(32)), file, "the model x"));
            assertEquals("the head " + file + " was trained on model '" + name + "' (weights " + ref.weightsSha256().substring(0, 12)
                    + "), but the model x comes from model 'x' (weights cdcdcdcdcdcd); train a head on this model's features", other.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dinov2"})
    void aLinearHeadIsNotAZeroShotHeadAndDinoHasNone(String name) throws Exception {
        Path file = tmp.resolve("seg.safetensors");
        new LinearHead(new float[2 * 4], new float[2], new HeadProvenance(HeadKind.SEGMENT, "m", null, null, null, null, -2, 4,
                List.of("a", "b"), -1, null, null)).save(file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ZeroShotHead.load(file));
        assertEquals(file + " is a segment head, not a zero-shot head; pass it to --head without 'zeroshot:'", e.getMessage());
        Path missing = tmp.resolve("none.safetensors");
        assertEquals(missing + " does not exist; expected a zero-shot head file (saelab head zeroshot)",
                assertThrows(IllegalArgumentException.class, () -> ZeroShotHead.load(missing)).getMessage());
        try (LoadedModel m = ModelLoader.load(Golden.dir(name)); NDManager nd = NDManager.newBaseManager()) {
            IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> ZeroShotHead.build(m.dual(), new Words(16),
                    List.of("a"), List.of("{}"), "x", new CacheManifest.ModelRef(name, null, null), nd));
            assertEquals("model 'dinov2' has no text tower, so it has no zero-shot head (DINOv2 is not a CLIP-style model)", none.getMessage());
        }
        Files.deleteIfExists(file);
    }
}
