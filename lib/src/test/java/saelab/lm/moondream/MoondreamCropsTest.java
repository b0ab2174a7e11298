package saelab.lm.moondream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import saelab.image.ImageDecoder;
import saelab.io.Safetensors;

/** moondream2's tiling and crops against the golden fixture (reference overlap_crop_image with PIL Lanczos). */
class MoondreamCropsTest {

    @Test
    void cropsOfTheFixtureImageAreBitExact() throws IOException {
        MoondreamConfig cfg = MoondreamConfig.read(MoondreamFixture.dir().resolve("config.json"));
        CropSet crops = OverlapCropper.crop(ImageDecoder.decode(MoondreamFixture.dir().resolve("image.png")), cfg.vision());
        long[] tiling = MoondreamFixture.longs("inputs.safetensors", "tiling");
        assertEquals(new CropTiling((int) tiling[0], (int) tiling[1]), crops.tiling());
        byte[] want = MoondreamFixture.cropsUint8();
        int differing = 0;
        int worst = 0;
        for (int i = 0; i < want.length; i++) {
            int d = Math.abs((want[i] & 0xFF) - (crops.pixels()[i] & 0xFF));
            if (d != 0) {
                differing++;
                worst = Math.max(worst, d);
            }
        }
        assertEquals(0, differing, "bytes differing from crops_uint8 (largest difference " + worst + ")");
        assertArrayEquals(want, crops.pixels());
    }

    @Test
    void normalisedCropsMatchTheFixture() throws IOException {
        Safetensors.Tensor want = MoondreamFixture.tensor("inputs.safetensors", "crops");
        CropSet crops = new CropSet(MoondreamFixture.cropsUint8(), 54, new CropTiling(2, 2));
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray x = crops.normalised(nd);
            assertArrayEquals(want.shape(), x.getShape().getShape());
            assertArrayEquals(want.values(), x.toFloatArray(), 0f, "(x/255 - 0.5)/0.5 in float32 is exact");
        }
    }
}
