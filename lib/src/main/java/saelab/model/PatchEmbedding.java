package saelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * The ViT patch embedding (Dosovitskiy et al. 2021): a convolution with kernel = stride = P,
 * computed as one matrix product on the flattened P x P patches (channel-major, as the conv
 * weight {@code [D, C, P, P]} flattens). Like the strided convolution of the references, rows and
 * columns beyond the last whole patch are ignored.
 */
public final class PatchEmbedding {

    private final LinearWeights proj;
    private final int patch;
    private final int channels;

    /**
     * @param weight conv weight reshaped to {@code [D, C * P * P]}
     * @param bias   {@code [D]} or null (CLIP and open_clip have none)
     */
    public PatchEmbedding(NDArray weight, NDArray bias, int patch, int channels) {
        this.proj = new LinearWeights(weight, bias);
        this.patch = patch;
        this.channels = channels;
    }

    /** The patch size P in pixels. */
    public int patchSize() {
        return patch;
    }

    /**
     * Embeds {@code pixels} {@code [B, C, H, W]} into {@code [B, (H/P) * (W/P), D]}, patches in row-major order.
     *
     * @throws IllegalArgumentException for another rank, channel count, or an image smaller than one patch
     */
    public NDArray apply(NDArray pixels) {
        Shape s = pixels.getShape();
        if (s.dimension() != 4 || s.get(1) != channels || s.get(2) < patch || s.get(3) < patch) {
            throw new IllegalArgumentException("pixel_values has shape " + Arrays.toString(s.getShape()) + "; expected [batch, " + channels
                    + ", height, width] with height and width >= " + patch + " (the patch size)");
        }
        long b = s.get(0);
        long gh = s.get(2) / patch;
        long gw = s.get(3) / patch;
        NDArray x = pixels;
        boolean cropped = gh * patch != s.get(2) || gw * patch != s.get(3);
        if (cropped) {
            x = pixels.get(new NDIndex(":, :, :{}, :{}", gh * patch, gw * patch));
        }
        try (NDArray six = x.reshape(b, channels, gh, patch, gw, patch);
             NDArray perm = six.transpose(0, 2, 4, 1, 3, 5);
             NDArray flat = perm.reshape(b, gh * gw, (long) channels * patch * patch)) {
            return proj.apply(flat);
        } finally {
            if (cropped) {
                x.close();
            }
        }
    }
}
