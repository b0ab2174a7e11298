package saelab.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import saelab.model.VisionOutput;
import saelab.zeroshot.ZeroShotClassifier;

/**
 * A CLIP or SigLIP zero-shot classifier ({@link ZeroShotClassifier}: class-name prompts through the text tower)
 * as a task head on the projected image embedding ({@code VisionOutput.imageEmbeds}): logits
 * {@code exp(logit_scale) · cos(image, class)} (+ SigLIP's {@code logit_bias}). The classifier stays owned by
 * the caller.
 */
public final class ZeroShotHead implements TaskHead {

    private final ZeroShotClassifier classifier;

    /** @param classifier the class vectors and the model's logit scale */
    public ZeroShotHead(ZeroShotClassifier classifier) {
        this.classifier = classifier;
    }

    /** {@code [B, classes]}. */
    @Override
    public NDArray logits(VisionOutput out, NDManager nd) {
        if (out.imageEmbeds() == null) {
            throw new IllegalArgumentException("the model has no image projection, so it has no zero-shot head (DINOv2 is not a CLIP-style model)");
        }
        NDArray logits = classifier.logits(out.imageEmbeds());
        logits.attach(nd);
        return logits;
    }

    @Override
    public List<String> classes() {
        return classifier.classNames();
    }

    @Override
    public HeadKind kind() {
        return HeadKind.ZEROSHOT;
    }
}
