package saelab.lm.moondream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import saelab.image.ImageDecoder;
import saelab.io.Safetensors;
import saelab.model.Golden;

/**
 * moondream2's vision side against the golden fixture (reference encode_image on a tiny random model):
 * encoder output of every crop, the stitched grid and the image embeddings, at atol 1e-4 + rtol 1e-4.
 */
class MoondreamVisionGoldenTest {

    private static Safetensors.Tensor want(String name) throws IOException {
        return MoondreamFixture.tensor("outputs.safetensors", name);
    }

    @Test
    void everyVisionTensorMatchesFromTheFixtureCrops() throws IOException {
        Safetensors.Tensor crops = MoondreamFixture.tensor("inputs.safetensors", "crops");
        long[] t = MoondreamFixture.longs("inputs.safetensors", "tiling");
        try (MoondreamVision m = MoondreamVision.load(MoondreamFixture.dir()); NDManager nd = NDManager.newBaseManager()) {
            NDArray x = nd.create(crops.values(), new Shape(crops.shape()));
            NDArray enc = m.encode(x);
            double e1 = Golden.assertClose("vision.encoder_out", want("vision.encoder_out"), enc);
            MoondreamImageFeatures f = m.stitch(enc, new CropTiling((int) t[0], (int) t[1]));
            double e2 = Golden.assertClose("vision.reconstructed", want("vision.reconstructed"), f.reconstructed());
            assertArrayEquals(new long[] {729, 24}, f.projectionInput().getShape().getShape());
            double e3 = Golden.assertClose("vision.image_embeds", want("vision.image_embeds"), m.project(f.projectionInput()));
            System.out.printf("moondream vision: max |diff| encoder_out %.3g, reconstructed %.3g, image_embeds %.3g%n", e1, e2, e3);
        }
    }

    @Test
    void theStepsFromThePngMatchAndTheFeatureHalvesAreGlobalAndPooled() throws IOException {
        try (MoondreamVision m = MoondreamVision.load(MoondreamFixture.dir()); NDManager nd = NDManager.newBaseManager()) {
            CropSet crops = m.crops(ImageDecoder.decode(MoondreamFixture.dir().resolve("image.png")));
            NDArray enc = m.encode(crops.normalised(nd));
            MoondreamImageFeatures f = m.stitch(enc, crops.tiling());
            assertTrue(enc == f.encoderOut());
            assertTrue(enc.get(0).contentEquals(f.projectionInput().get(":, :12")), "first half = global crop features");
            assertTrue(f.pooled().contentEquals(f.projectionInput().get(":, 12:")), "second half = pooled local features");
            Golden.assertClose("vision.image_embeds (from image.png, step by step)", want("vision.image_embeds"), m.project(f.projectionInput()));
        }
    }

    @Test
    void imageEmbeddingsRunsTheFourStepsOnTheCallersManager() throws IOException {
        try (MoondreamVision m = MoondreamVision.load(MoondreamFixture.dir()); NDManager nd = NDManager.newBaseManager()) {
            NDArray emb = m.imageEmbeddings(ImageDecoder.decode(MoondreamFixture.dir().resolve("image.png")), nd);
            Golden.assertClose("vision.image_embeds (from image.png)", want("vision.image_embeds"), emb);
            assertEquals(nd, emb.getManager());
        }
    }
}
