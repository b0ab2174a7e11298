package saelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import saelab.store.TokenLayout;

/**
 * The spliced forward: continuing from an unchanged copy of resid_post[L] (or of the embeddings,
 * L = -1) reproduces the plain forward bit for bit, for every L and every family; an edited
 * residual changes the outputs; bad splice points are refused.
 */
class SpliceTest {

    @ParameterizedTest
    @CsvSource({"dinov2, pixel_values_42x70", "dinov2_registers, pixel_values_70x70", "clip, pixel_values", "siglip, pixel_values",
            "bioclip, pixel_values"})
    void unchangedActivationsGiveIdenticalOutputs(String fixture, String input) throws IOException {
        try (LoadedModel m = ModelLoader.load(Golden.dir(fixture));
             NDManager nd = NDManager.newBaseManager();
             MappedSafetensors in = MappedSafetensors.open(Golden.dir(fixture).resolve("inputs.safetensors"))) {
            VisionTower v = m.vision();
            NDArray px = in.load(input, nd);
            VisionOutput plain = v.forward(px, DualGoldenTest.all(v.depth()));
            assertEquals(plain.layout().tokens(), plain.embeddings().getShape().get(1));
            for (int layer = -1; layer < v.depth(); layer++) {
                NDArray resid = (layer < 0 ? plain.embeddings() : plain.blocks().get(layer)).duplicate();
                Set<Integer> later = DualGoldenTest.all(v.depth());
                final int l0 = layer;
                later.removeIf(l -> l <= l0);
                VisionOutput spliced = v.forwardFrom(layer, resid, later, plain.layout());
                String at = fixture + " splice at " + layer;
                assertNull(spliced.embeddings(), at);
                for (int l : later) {
                    assertArrayEquals(plain.blocks().get(l).toFloatArray(), spliced.blocks().get(l).toFloatArray(), at + " block " + l);
                }
                assertArrayEquals(plain.lastHiddenState().toFloatArray(), spliced.lastHiddenState().toFloatArray(), at + " last_hidden_state");
                assertArrayEquals(plain.pooled().toFloatArray(), spliced.pooled().toFloatArray(), at + " pooled");
                if (plain.imageEmbeds() != null) {
                    assertArrayEquals(plain.imageEmbeds().toFloatArray(), spliced.imageEmbeds().toFloatArray(), at + " image_embeds");
                }
                // the caller's array is left as it was
                assertArrayEquals((layer < 0 ? plain.embeddings() : plain.blocks().get(layer)).toFloatArray(), resid.toFloatArray(), at);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"dinov2, pixel_values_42x70", "dinov2_registers, pixel_values_70x70", "clip, pixel_values", "bioclip, pixel_values"})
    void forwardBlocksStopsEarlyWithIdenticalBlocks(String fixture, String input) throws IOException {
        try (LoadedModel m = ModelLoader.load(Golden.dir(fixture));
             NDManager nd = NDManager.newBaseManager();
             MappedSafetensors in = MappedSafetensors.open(Golden.dir(fixture).resolve("inputs.safetensors"))) {
            VisionTower v = m.vision();
            NDArray px = in.load(input, nd);
            VisionOutput plain = v.forward(px, DualGoldenTest.all(v.depth()));
            for (Set<Integer> record : java.util.List.of(Set.of(0), Set.of(1), Set.of(0, v.depth() - 1))) {
                VisionOutput early = v.forwardBlocks(px, record);
                assertEquals(record, early.blocks().keySet(), fixture);
                for (int l : record) {
                    assertArrayEquals(plain.blocks().get(l).toFloatArray(), early.blocks().get(l).toFloatArray(), fixture + " block " + l);
                }
                assertArrayEquals(plain.embeddings().toFloatArray(), early.embeddings().toFloatArray(), fixture + " embeddings");
                assertNull(early.lastHiddenState(), fixture);
                assertNull(early.pooled(), fixture);
            }
            assertThrows(IllegalArgumentException.class, () -> v.forwardBlocks(px, Set.of()));
            assertThrows(IllegalArgumentException.class, () -> v.forwardBlocks(px, Set.of(v.depth())));
        }
    }

    @Test
    void editedActivationsChangeTheOutputAndBadSplicesAreRefused() throws IOException {
        try (LoadedModel m = ModelLoader.load(Golden.dir("dinov2"));
             NDManager nd = NDManager.newBaseManager();
             MappedSafetensors in = MappedSafetensors.open(Golden.dir("dinov2").resolve("inputs.safetensors"))) {
            VisionTower v = m.vision();
            NDArray px = in.load("pixel_values", nd);
            VisionOutput plain = v.forward(px, Set.of(1));
            NDArray edited = plain.blocks().get(1).add(0.5f);
            VisionOutput out = v.forwardFrom(1, edited);
            assertFalse(java.util.Arrays.equals(plain.pooled().toFloatArray(), out.pooled().toFloatArray()));
            VisionOutput same = v.forwardFrom(1, plain.blocks().get(1));
            assertArrayEquals(plain.pooled().toFloatArray(), same.pooled().toFloatArray());

            TokenLayout layout = plain.layout();
            assertThrows(IllegalArgumentException.class, () -> v.forwardFrom(3, edited, Set.of(), layout));
            assertThrows(IllegalArgumentException.class, () -> v.forwardFrom(-2, edited, Set.of(), layout));
            assertThrows(IllegalArgumentException.class, () -> v.forwardFrom(1, edited, Set.of(1), layout));
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> v.forwardFrom(1, edited.get(":, 1:, :"), Set.of(), layout));
            assertTrue(shape.getMessage().contains("[2, 16, 32]") && shape.getMessage().contains("17"), shape.getMessage());
            assertThrows(IllegalArgumentException.class, () -> v.forward(px, Set.of(3)));
        }
    }

    @Test
    void tokenLayoutDescribesEachFamily() throws IOException {
        try (LoadedModel reg = ModelLoader.load(Golden.dir("dinov2_registers")); LoadedModel sig = ModelLoader.load(Golden.dir("siglip"))) {
            TokenLayout r = reg.vision().layout(42, 70);
            assertEquals(0, r.clsIndex());
            assertArrayEquals(new int[] {1, 2, 3, 4}, r.registerIndices());
            assertEquals(3, r.gridH());
            assertEquals(5, r.gridW());
            assertEquals(5 + 15, r.tokens());
            assertEquals(5 + 5 + 2, r.patchIndex(1, 2));
            TokenLayout s = sig.vision().layout(32, 32);
            assertEquals(-1, s.clsIndex());
            assertEquals(0, s.firstPatch());
            assertEquals(16, s.tokens());
            assertThrows(IndexOutOfBoundsException.class, () -> s.patchIndex(4, 0));
        }
    }
}
