package saelab.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import saelab.model.VisionOutput;

/**
 * A linear classification probe on the pooled output (the normed class token of DINOv2, CLIP and open_clip,
 * SigLIP's attention pool), before any projection: one class per image.
 */
public final class ClassificationHead implements TaskHead {

    private final LinearHead weights;

    private ClassificationHead(LinearHead weights) {
        this.weights = weights;
    }

    /** @throws IllegalArgumentException when the weights are not a classification probe */
    public static ClassificationHead of(LinearHead weights) {
        if (weights.provenance().kind() != HeadKind.CLASSIFY) {
            throw new IllegalArgumentException("the head is a " + weights.provenance().kind().id() + " head, not a classification probe");
        }
        return new ClassificationHead(weights);
    }

    /** Loads a head file (see {@link LinearHead#load}); check the model with {@link HeadProvenance#requireModel}. */
    public static ClassificationHead load(Path file) throws IOException {
        return of(LinearHead.load(file));
    }

    /** The weights and provenance. */
    public LinearHead weights() {
        return weights;
    }

    /** {@code [B, classes]}. */
    @Override
    public NDArray logits(VisionOutput out, NDManager nd) {
        NDArray logits = weights.logits(out.pooled());
        logits.attach(nd);
        return logits;
    }

    @Override
    public List<String> classes() {
        return weights.provenance().classes();
    }

    @Override
    public HeadKind kind() {
        return HeadKind.CLASSIFY;
    }
}
