package saelab.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import saelab.text.Tokenizer;

/**
 * CLIP's objective (Radford et al. 2021): the symmetric InfoNCE loss over a batch of image-caption pairs with a
 * learnable temperature. Both embeddings are L2-normalised, {@code logits = exp(logit_scale) * img txt^T}, and
 * the loss is the mean of the cross-entropies of each image over the captions and of each caption over the
 * images, the matching pair being the target. Captions are tokenised with the model folder's own tokenizer and
 * padded with the end-of-text id to the longest caption of the batch. Repeated captions inside a batch count as
 * negatives, as in CLIP.
 */
final class ToyContrastiveObjective implements ToyObjective {

    private final ToyClipModel model;
    private final Tokenizer tokenizer;

    ToyContrastiveObjective(ToyClipModel model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /** Token ids of {@code captions}, padded with the end-of-text id to the longest row. */
    static long[][] tokenIds(Tokenizer tokenizer, List<String> captions, int padId) {
        int[][] rows = new int[captions.size()][];
        int t = 1;
        for (int i = 0; i < rows.length; i++) {
            rows[i] = tokenizer.encode(captions.get(i));
            t = Math.max(t, rows[i].length);
        }
        long[][] ids = new long[rows.length][t];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < t; j++) {
                ids[i][j] = j < rows[i].length ? rows[i][j] : padId;
            }
        }
        return ids;
    }

    @Override
    public NDArray loss(NDManager manager, ToyBatch batch) {
        NDArray pixels = manager.create(batch.pixels().values(), new Shape(batch.pixels().shape()));
        NDArray img = ToyOps.l2normalize(model.vision(pixels, null).imageEmbeds());
        NDArray txt = ToyOps.l2normalize(model.text(manager, tokenIds(tokenizer, batch.captions(), model.eosId())).textEmbeds());
        NDArray logits = img.matMul(txt.transpose()).mul(model.logitScale().exp());
        long b = batch.indices().length;
        NDArray eye = manager.eye((int) b);
        NDArray perImage = logits.logSoftmax(1).mul(eye).sum();
        NDArray perText = logits.logSoftmax(0).mul(eye).sum();
        return perImage.add(perText).div(ToyOps.scalar(perImage, -2f * b));
    }

    @Override
    public List<NDArray> extraParameters() {
        return List.of();
    }

    @Override
    public List<WeightDecay> extraDecay() {
        return List.of();
    }

    @Override
    public void afterStep() {
        model.clampLogitScale();
    }

    @Override
    public void close() {
        // no arrays of its own
    }
}
