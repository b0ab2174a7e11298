package saelab.toy;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What to train: the toy VLM's decoder size, data and optimisation. The frozen vision tower is a toy CLIP folder
 * given separately; the constants that are not fields (SwiGLU width 2 D, RMSNorm eps, RoPE base, the projector,
 * the optimiser) are fixed by {@link ToyVlmTrainer#GENERATOR} and listed in each {@code report.json}.
 *
 * @param width         decoder width D (and the projector's output width); a multiple of {@code heads}
 * @param layers        decoder layers
 * @param heads         query heads per layer
 * @param kvHeads       key/value heads per layer (grouped-query attention); divides {@code heads}
 * @param trainImages   toy-world scenes {@code [0, trainImages)} whose questions are trained on
 * @param heldOutImages scenes {@code [trainImages, trainImages + heldOutImages)}, never trained on, for the held-out accuracy
 * @param steps         optimiser steps
 * @param batch         questions per step
 * @param lr            peak learning rate of the warmup + cosine schedule
 * @param seed          seed of the questions, the initialisation and the batch order
 * @param textureRepeat how many times each texture question stands in the training pool (1: once, like every other
 *                      question). Trained on the ordinary mix the toy VLM answered texture at chance, however long or
 *                      wide (README, toy world item 6), while a model trained on texture questions alone learned it: the
 *                      other questions crowd it out, so the demo oversamples it.
 */
public record ToyVlmSpec(int width, int layers, int heads, int kvHeads, int trainImages, int heldOutImages, int steps, int batch, double lr,
                         long seed, int textureRepeat) {

    public ToyVlmSpec {
        positive("width", width);
        positive("layers", layers);
        positive("heads", heads);
        positive("kv_heads", kvHeads);
        positive("train_images", trainImages);
        positive("held_out_images", heldOutImages);
        positive("steps", steps);
        positive("batch", batch);
        positive("texture_repeat", textureRepeat);
        if (width % heads != 0 || (width / heads) % 2 != 0) {
            throw new IllegalArgumentException("toy VLM spec: width " + width + " over heads " + heads
                    + " must be a whole, even head width (rotary embeddings rotate pairs)");
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("toy VLM spec: heads " + heads + " is not a multiple of kv_heads " + kvHeads);
        }
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("toy VLM spec: field 'lr' must be a positive finite number, got " + lr);
        }
        if ((long) trainImages + heldOutImages > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("toy VLM spec: train_images + held_out_images exceeds " + Integer.MAX_VALUE);
        }
    }

    private static void positive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException("toy VLM spec: field '" + field + "' must be a positive integer, got " + value);
        }
    }

    /**
     * The size the demo trains: width 64, 2 layers, 4 query and 2 key/value heads, 1000 steps of 32 questions, each
     * texture question 8 times in the pool, on the questions of the demo backbone's training scenes, held out on its
     * held-out scenes. About 50-60 s of training CPU time on the project's 2-core machine. With every question once the
     * model answered texture at chance for every length, width and depth tried; 8 repeats gave texture 0.53-0.64 on seeds
     * 0-2 where 5 gave 0.26-0.57 (README, toy world item 6).
     */
    public static ToyVlmSpec demo() {
        return new ToyVlmSpec(64, 2, 4, 2, 8192, 512, 1000, 32, 3e-3, 0, 8);
    }

    /** A size for tests: a few seconds on a 2-core CPU; every question once. */
    public static ToyVlmSpec quick() {
        return new ToyVlmSpec(32, 1, 4, 2, 512, 128, 200, 16, 3e-3, 0, 1);
    }

    /** The same spec with another number of steps. */
    public ToyVlmSpec withSteps(int newSteps) {
        return new ToyVlmSpec(width, layers, heads, kvHeads, trainImages, heldOutImages, newSteps, batch, lr, seed, textureRepeat);
    }

    /** The canonical JSON form: snake_case keys in a fixed order (hashed, with the backbone and the world, to address a model). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("width", width);
        m.put("layers", layers);
        m.put("heads", heads);
        m.put("kv_heads", kvHeads);
        m.put("train_images", trainImages);
        m.put("held_out_images", heldOutImages);
        m.put("steps", steps);
        m.put("batch", batch);
        m.put("lr", lr);
        m.put("seed", seed);
        m.put("texture_repeat", textureRepeat);
        return m;
    }
}
