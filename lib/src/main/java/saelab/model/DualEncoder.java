package saelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The image-text similarity of a contrastive model: both embeddings L2-normalised, logits =
 * exp(logit_scale) * cos, plus {@code logit_bias} for SigLIP's sigmoid loss (Zhai et al. 2023).
 * CLIP-style models read the logits with a softmax over texts, SigLIP with an elementwise sigmoid.
 *
 * @param vision     the image tower
 * @param text       the text tower
 * @param logitScale log of the temperature multiplier, as stored in the checkpoint
 * @param logitBias  additive bias (SigLIP), or null
 */
public record DualEncoder(VisionTower vision, TextTower text, float logitScale, Float logitBias) {

    /**
     * {@code x / ||x||_2} along the last axis, as the references divide by
     * {@code norm(p=2, dim=-1, keepdim=True)}; computed and returned in float32 (a float16 sum of
     * squares can overflow).
     */
    public static NDArray normalize(NDArray x) {
        try (NDArray x32 = x.toType(DataType.FLOAT32, true); NDArray sq = x32.square(); NDArray sum = sq.sum(new int[] {-1}, true);
             NDArray norm = sum.sqrt()) {
            return x32.div(norm);
        }
    }

    /**
     * Logits per image: {@code [images, texts]} (float32) from raw (unnormalised) embeddings
     * {@code imageEmbeds [I, E]} and {@code textEmbeds [N, E]}. Computed as the references do:
     * text x image^T times exp(scale) (+ bias), then transposed.
     */
    public NDArray logitsPerImage(NDArray imageEmbeds, NDArray textEmbeds) {
        try (NDArray img = normalize(imageEmbeds); NDArray txt = normalize(textEmbeds); NDArray imgT = img.transpose();
             NDArray perText = txt.matMul(imgT)) {
            perText.muli((float) Math.exp(logitScale));
            if (logitBias != null) {
                perText.addi(logitBias);
            }
            return perText.transpose().duplicate();
        }
    }
}
