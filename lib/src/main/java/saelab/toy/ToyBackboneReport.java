package saelab.toy;

import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of training a toy backbone ({@link ToyBackboneTrainer#train}); the same numbers, with more
 * detail, are in the model folder's {@code report.json}.
 *
 * @param spec           what was trained
 * @param finalLoss      mean training loss over the last 5% of the steps (at least one step)
 * @param heldOutMetric  the name of the held-out check: {@code caption_retrieval_top1} (CLIP; higher is better) or
 *                       {@code masked_patch_mse} (DINOv2; lower is better)
 * @param heldOut        its value on the held-out scenes
 * @param heldOutChance  the same for a model that knows nothing: a random caption among the candidates (CLIP), or
 *                       predicting the per-patch-normalised target's mean, zero, for every pixel (DINOv2)
 * @param probeCls       held-out accuracy of a linear probe (multinomial logistic regression) on the frozen
 *                       pooled class token, for the image class (the largest object's colour_shape)
 * @param probeMeanPatch the same on the mean of the frozen final patch tokens
 * @param probeChance    held-out accuracy of always answering the probe-training split's majority class
 * @param attributeProbes the same probes for the largest object's colour, shape and texture, in that order
 * @param seconds        wall time of the call that trained the model (training, evaluation, writing); a call that found
 *                       the model already there returns the stored report
 * @param curveCsv       the training curve (step, loss, lr, images per second)
 */
public record ToyBackboneReport(ToyBackboneSpec spec, double finalLoss, String heldOutMetric, double heldOut, double heldOutChance,
                                double probeCls, double probeMeanPatch, double probeChance, List<ToyAttributeProbe> attributeProbes,
                                double seconds, Path curveCsv) {

    public ToyBackboneReport {
        attributeProbes = List.copyOf(attributeProbes);
    }

    /** The attribute probe for {@code target} ({@code colour}, {@code shape} or {@code texture}). */
    public ToyAttributeProbe attributeProbe(String target) {
        return attributeProbes.stream().filter(p -> p.target().equals(target)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("toy backbone report: no probe for '" + target + "'; expected colour, shape or texture"));
    }
}
