package saelab.zeroshot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import saelab.model.DualEncoder;
import saelab.model.TextOutput;
import saelab.text.PromptTemplates;
import saelab.text.Tokenizer;

/**
 * A zero-shot image classifier from class names and prompt templates (Radford et al., "Learning
 * Transferable Visual Models From Natural Language Supervision", 2021, section 3.1.4; the same recipe
 * as open_clip's {@code build_zero_shot_classifier}): for each class every template is filled with the
 * class name and encoded, each text embedding is L2-normalised, the class's embeddings are averaged
 * and the average is L2-normalised again. Logits of an image are {@code exp(logit_scale) · cos(image,
 * class)}, plus {@code logit_bias} for SigLIP (Zhai et al. 2023), exactly as
 * {@link DualEncoder#logitsPerImage} computes them for single texts.
 *
 * <p>Prompts are tokenised at the model's context length with the tokenizer's own padding (SigLIP
 * pools its last position, so its rows must be padded to full length as in training).
 */
public final class ZeroShotClassifier implements AutoCloseable {

    private final DualEncoder model;
    private final List<String> classNames;
    private final NDArray classVectors;

    private ZeroShotClassifier(DualEncoder model, List<String> classNames, NDArray classVectors) {
        this.model = model;
        this.classNames = List.copyOf(classNames);
        this.classVectors = classVectors;
    }

    /**
     * Builds the class vectors.
     *
     * @param manager   owns the class vectors (on the model's device)
     * @param batchSize prompts per text-tower forward pass
     * @throws IllegalArgumentException when there are no classes or no templates
     */
    public static ZeroShotClassifier build(DualEncoder model, Tokenizer tokenizer, List<String> classNames, List<String> templates,
                                           NDManager manager, int batchSize) {
        if (classNames.isEmpty() || templates.isEmpty()) {
            throw new IllegalArgumentException("a zero-shot classifier needs at least one class name and one template, got "
                    + classNames.size() + " and " + templates.size());
        }
        int ctx = Math.toIntExact(Math.min(tokenizer.contextLength(), model.text().contextLength()));
        List<NDArray> perClass = new ArrayList<>();
        try (NDManager scope = manager.newSubManager()) {
            for (String name : classNames) {
                List<String> prompts = new ArrayList<>(templates.size());
                for (String t : templates) {
                    prompts.add(PromptTemplates.fill(t, name));
                }
                NDArray sum = null;
                for (int from = 0; from < prompts.size(); from += batchSize) {
                    List<String> chunk = prompts.subList(from, Math.min(prompts.size(), from + batchSize));
                    long[] flat = tokenizer.encodeBatch(chunk, ctx, tokenizer.defaultPadding());
                    long[][] ids = new long[chunk.size()][ctx];
                    for (int r = 0; r < chunk.size(); r++) {
                        System.arraycopy(flat, r * ctx, ids[r], 0, ctx);
                    }
                    try (NDManager step = scope.newSubManager()) {
                        TextOutput out = model.text().forward(step, ids);
                        NDArray normalized = DualEncoder.normalize(out.textEmbeds());
                        NDArray part = normalized.sum(new int[] {0});
                        if (sum == null) {
                            sum = part;
                            sum.attach(scope);
                        } else {
                            sum.addi(part);
                        }
                    }
                }
                NDArray mean = sum.div(templates.size());
                perClass.add(DualEncoder.normalize(mean.reshape(1, -1)));
            }
            NDArray vectors = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(perClass), 0);
            vectors.attach(manager);
            return new ZeroShotClassifier(model, classNames, vectors);
        }
    }

    /** The class names, in the order of the logits' columns. */
    public List<String> classNames() {
        return classNames;
    }

    /** The unit-norm class vectors [classes, E] (float32). */
    public NDArray classVectors() {
        return classVectors;
    }

    /** Logits [images, classes] of raw (unnormalised) image embeddings [images, E]. */
    public NDArray logits(NDArray imageEmbeds) {
        return model.logitsPerImage(imageEmbeds, classVectors);
    }

    /** The best class of each image. */
    public int[] predict(NDArray imageEmbeds) {
        try (NDArray logits = logits(imageEmbeds); NDArray best = logits.argMax(1)) {
            long[] idx = best.toType(DataType.INT64, false).toLongArray();
            int[] out = new int[idx.length];
            for (int i = 0; i < idx.length; i++) {
                out[i] = (int) idx[i];
            }
            return out;
        }
    }

    /** The shape of {@link #classVectors()}. */
    public Shape shape() {
        return classVectors.getShape();
    }

    @Override
    public void close() {
        classVectors.close();
    }
}
