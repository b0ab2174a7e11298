package saelab.model;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;

/**
 * A model loaded from a local folder: its vision tower, and for image-text models its text tower
 * and similarity head. Owns the weights (native memory) until {@link #close()}.
 *
 * @param family  the checkpoint layout
 * @param source  the folder it was loaded from
 * @param vision  the image encoder
 * @param text    the text encoder, or null (DINOv2, vision-only checkpoints)
 * @param dual    image-text logits, or null
 * @param weights the manager holding every weight
 */
public record LoadedModel(ModelFamily family, Path source, VisionTower vision, TextTower text, DualEncoder dual, NDManager weights)
        implements AutoCloseable {

    /** Frees the weights. */
    @Override
    public void close() {
        weights.close();
    }
}
