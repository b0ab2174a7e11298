package saelab.toy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import saelab.data.ToyWorldCaption;

/**
 * What to train: a toy backbone's size, data and optimisation. The architecture constants that are not
 * fields (patch 8, MLP ratio 4, the text tower's depth and width, optimiser and objective settings) are
 * fixed by the trainer's generator version ({@link ToyBackboneTrainer#GENERATOR}) and listed in each
 * {@code report.json}.
 *
 * @param kind          which backbone
 * @param width         model width D of the vision tower (and of CLIP's text tower); a multiple of {@code heads}
 * @param layers        transformer blocks per tower
 * @param heads         attention heads per block
 * @param trainImages   toy-world scenes {@code [0, trainImages)} used for training (and for fitting the probes)
 * @param heldOutImages scenes {@code [trainImages, trainImages + heldOutImages)}, never trained on, for the held-out checks
 * @param steps         optimiser steps
 * @param batch         images per step (CLIP: also the number of captions each image is contrasted with; at least 2)
 * @param lr            peak learning rate of the warmup + cosine schedule
 * @param seed          seed of the initialisation, the batch order and the masks
 * @param captions      which attributes the captions CLIP learns from name ({@link ToyWorldCaption.Attributes}; null: the
 *                      default, colour, texture and shape); a DINOv2 backbone reads no captions and takes only the default
 */
public record ToyBackboneSpec(ToyBackboneKind kind, int width, int layers, int heads, int trainImages, int heldOutImages, int steps,
                              int batch, double lr, long seed, ToyWorldCaption.Attributes captions) {

    /** A spec whose captions name colour, texture and shape (the default). */
    public ToyBackboneSpec(ToyBackboneKind kind, int width, int layers, int heads, int trainImages, int heldOutImages, int steps,
                           int batch, double lr, long seed) {
        this(kind, width, layers, heads, trainImages, heldOutImages, steps, batch, lr, seed, ToyWorldCaption.Attributes.DEFAULT);
    }

    public ToyBackboneSpec {
        if (captions == null) {
            captions = ToyWorldCaption.Attributes.DEFAULT;
        }
        if (kind == null) {
            throw new IllegalArgumentException("toy backbone spec: field 'kind' is missing; expected clip or dinov2");
        }
        positive("width", width);
        positive("layers", layers);
        positive("heads", heads);
        positive("train_images", trainImages);
        positive("held_out_images", heldOutImages);
        positive("steps", steps);
        positive("batch", batch);
        if (kind != ToyBackboneKind.CLIP && captions != ToyWorldCaption.Attributes.DEFAULT) {
            throw new IllegalArgumentException("toy backbone spec: field 'captions' is '" + captions.id() + "' for a " + kind.id()
                    + " backbone, which reads no captions; expected it only on a clip backbone");
        }
        if (width % heads != 0) {
            throw new IllegalArgumentException("toy backbone spec: width " + width + " is not a multiple of heads " + heads);
        }
        if (kind == ToyBackboneKind.CLIP && batch < 2) {
            throw new IllegalArgumentException("toy backbone spec: field 'batch' is " + batch
                    + "; the contrastive objective needs at least 2 images per step");
        }
        if (kind == ToyBackboneKind.CLIP && heldOutImages < 2) {
            throw new IllegalArgumentException("toy backbone spec: field 'held_out_images' is " + heldOutImages
                    + "; caption retrieval needs at least 2 held-out images to choose between");
        }
        if (batch > trainImages) {
            throw new IllegalArgumentException("toy backbone spec: field 'batch' (" + batch + ") is larger than 'train_images' ("
                    + trainImages + ")");
        }
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("toy backbone spec: field 'lr' must be a positive finite number, got " + lr);
        }
        if ((long) trainImages + heldOutImages > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("toy backbone spec: train_images + held_out_images exceeds " + Integer.MAX_VALUE);
        }
    }

    private static void positive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("toy backbone spec: field '" + field + "' must be a positive integer, got " + value);
        }
    }

    /**
     * The size the demo pipeline trains: about two minutes per backbone on a 2-core CPU (measured figures in
     * the README).
     */
    public static ToyBackboneSpec demo(ToyBackboneKind kind) {
        // the same size and image budget for both kinds, so that their comparison is about the objective
        return new ToyBackboneSpec(Objects.requireNonNull(kind, "kind"), 64, 3, 4, 8192, 512, 700, 64, 1e-3, 0);
    }

    /** A size for tests: a few seconds on a 2-core CPU. */
    public static ToyBackboneSpec quick(ToyBackboneKind kind) {
        return new ToyBackboneSpec(Objects.requireNonNull(kind, "kind"), 32, 2, 4, 1024, 256, 120, 32, 3e-3, 0);
    }

    /** The same spec with another seed. */
    public ToyBackboneSpec withSeed(long newSeed) {
        return new ToyBackboneSpec(kind, width, layers, heads, trainImages, heldOutImages, steps, batch, lr, newSeed, captions);
    }

    /** The same spec with captions that name {@code names}. */
    public ToyBackboneSpec withCaptions(ToyWorldCaption.Attributes names) {
        return new ToyBackboneSpec(kind, width, layers, heads, trainImages, heldOutImages, steps, batch, lr, seed, names);
    }

    /**
     * The canonical JSON form: snake_case keys in a fixed order, the kind as its {@link ToyBackboneKind#id()},
     * numbers as numbers, and {@code captions} only when it is not the default (so a spec written before the field
     * existed keeps its form, and every model and pipeline key made from it stays the same). Two specs are equal
     * exactly when their JSON forms are, so a hash of it (with the world and {@link ToyBackboneTrainer#GENERATOR})
     * addresses a trained model.
     */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind.id());
        m.put("width", width);
        m.put("layers", layers);
        m.put("heads", heads);
        m.put("train_images", trainImages);
        m.put("held_out_images", heldOutImages);
        m.put("steps", steps);
        m.put("batch", batch);
        m.put("lr", lr);
        m.put("seed", seed);
        if (captions != ToyWorldCaption.Attributes.DEFAULT) {
            m.put("captions", captions.id());
        }
        return m;
    }
}
