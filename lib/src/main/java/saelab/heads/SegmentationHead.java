package saelab.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import saelab.model.VisionOutput;
import saelab.model.VisionTower;

/**
 * A linear segmentation head on the final-normed patch tokens (as the paper's semantic-segmentation probe:
 * DINOv2 patch features, ADE20K, 150 classes + background): one class per patch. Bound to the tower it runs on,
 * because the final-normed tokens are read differently per family ({@link FinalFeatures}).
 */
public final class SegmentationHead implements TaskHead {

    private final LinearHead weights;
    private final VisionTower tower;

    private SegmentationHead(LinearHead weights, VisionTower tower) {
        this.weights = weights;
        this.tower = tower;
    }

    /**
     * A head for {@code tower}.
     *
     * @throws IllegalArgumentException when the weights are not a segmentation head or their width is not the tower's
     */
    public static SegmentationHead of(LinearHead weights, VisionTower tower) {
        if (weights.provenance().kind() != HeadKind.SEGMENT) {
            throw new IllegalArgumentException("the head is a " + weights.provenance().kind().id() + " head, not a segmentation head");
        }
        if (weights.dModel() != tower.width()) {
            throw new IllegalArgumentException("the head reads features of width " + weights.dModel() + ", but the model's width is "
                    + tower.width());
        }
        return new SegmentationHead(weights, tower);
    }

    /** Loads a head file for {@code tower} (see {@link LinearHead#load}); check the model with {@link HeadProvenance#requireModel}. */
    public static SegmentationHead load(Path file, VisionTower tower) throws IOException {
        return of(LinearHead.load(file), tower);
    }

    /** The weights and provenance. */
    public LinearHead weights() {
        return weights;
    }

    /** {@code [B, gridH * gridW, classes]}: the logits of every patch, raster order. */
    @Override
    public NDArray logits(VisionOutput out, NDManager nd) {
        NDArray tokens = FinalFeatures.tokens(out, tower.head());
        int first = out.layout().firstPatch();
        try (NDArray patches = tokens.get(new NDIndex(":, " + first + ":, :"))) {
            NDArray logits = weights.logits(patches);
            logits.attach(nd);
            if (tokens != out.lastHiddenState()) {
                tokens.close();
            }
            return logits;
        }
    }

    @Override
    public List<String> classes() {
        return weights.provenance().classes();
    }

    @Override
    public HeadKind kind() {
        return HeadKind.SEGMENT;
    }
}
