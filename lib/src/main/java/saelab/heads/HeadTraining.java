package saelab.heads;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import saelab.io.Json;

/**
 * How a linear head is trained: Adam (Kingma and Ba 2015, with PyTorch's defaults beta1 = 0.9, beta2 = 0.999,
 * eps = 1e-8) on the mean softmax cross-entropy, weights and biases starting at zero (the problem is convex, so
 * no random start is needed), mini-batches of whole images in a seeded order that changes each epoch.
 *
 * @param epochs      passes over the training images, at least 1
 * @param lr          Adam's step size, positive
 * @param batch       images per step, at least 1 (a segmentation step holds their labelled patches)
 * @param seed        seeds the held-out split and the image order
 * @param valFraction fraction of the cache's images held out for evaluation, in [0, 1)
 */
public record HeadTraining(@JsonProperty("epochs") int epochs, @JsonProperty("lr") double lr, @JsonProperty("batch") int batch,
                           @JsonProperty("seed") long seed, @JsonProperty("val_fraction") double valFraction) {

    /** Defaults: 10 epochs, lr 1e-3, 64 images per step, seed 0, a tenth held out. */
    public static final HeadTraining DEFAULT = new HeadTraining(10, 1e-3, 64, 0, 0.1);

    public HeadTraining {
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        }
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("--lr must be a positive number, got " + lr);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1 image, got " + batch);
        }
        if (!(valFraction >= 0 && valFraction < 1)) {
            throw new IllegalArgumentException("--val-fraction must be in [0, 1), got " + valFraction);
        }
    }

    /** As JSON (stored in the head's provenance). */
    public JsonNode toJson() {
        return Json.mapper().valueToTree(this);
    }
}
