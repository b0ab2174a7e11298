package saelab.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.model.VisionOutput;
import saelab.model.VisionTower;
import saelab.store.RecordedLayer;

/**
 * On a live forward pass, the heads read the same features a capture stores: the segmentation head the final
 * norm of every patch token of the last block (layer {@code final}), the probe the pooled output.
 */
class TaskHeadForwardTest {

    private static Path golden(String name) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path g : List.of(dir.resolve("src/test/resources/golden"), dir.resolve("lib/src/test/resources/golden"))) {
                if (Files.isDirectory(g.resolve(name))) {
                    return g.resolve(name);
                }
            }
        }
        throw new AssertionError("golden fixture " + name + " not found");
    }

    private static LinearHead random(HeadKind kind, int classes, int d) {
        SplittableRandom rng = new SplittableRandom(9);
        float[] w = new float[classes * d];
        float[] b = new float[classes];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) rng.nextGaussian();
        }
        List<String> names = java.util.stream.IntStream.range(0, classes).mapToObj(i -> "c" + i).toList();
        return new LinearHead(w, b, new HeadProvenance(kind, "golden", null, null, null, null,
                kind == HeadKind.SEGMENT ? RecordedLayer.FINAL : RecordedLayer.POOLED, d, names, -1, null, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"clip", "dinov2", "siglip"})
    void headsReadTheCapturedFinalAndPooledFeatures(String name) throws Exception {
        Path dir = golden(name);
        int side = name.equals("dinov2") ? 56 : 32;
        try (LoadedModel m = ModelLoader.load(dir); NDManager nd = NDManager.newBaseManager()) {
            VisionTower tower = m.vision();
            int d = (int) tower.width();
            NDArray px = nd.randomNormal(new Shape(2, 3, side, side));
            VisionOutput out = tower.forward(px, Set.of(tower.depth() - 1));
            NDArray fin = tower.head().normAll(out.blocks().get(tower.depth() - 1)); // what the capture stores as 'final'
            int first = out.layout().firstPatch();
            LinearHead seg = random(HeadKind.SEGMENT, 5, d);
            NDArray want = seg.logits(fin.get(new NDIndex(":, " + first + ":, :")));
            NDArray got = SegmentationHead.of(seg, tower).logits(out, nd);
            assertEquals(new Shape(2, out.layout().patches(), 5), got.getShape());
            assertArrayEquals(want.toFloatArray(), got.toFloatArray(), 1e-5f);

            LinearHead probe = random(HeadKind.CLASSIFY, 3, d);
            assertArrayEquals(probe.logits(out.pooled()).toFloatArray(), ClassificationHead.of(probe).logits(out, nd).toFloatArray());
        }
    }
}
