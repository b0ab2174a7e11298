package saelab.intervene;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import saelab.lm.llava.LlavaConfig;
import saelab.lm.llava.LlavaModel;
import saelab.sae.Sae;
import saelab.store.TokenLayout;

/**
 * An SAE edit of a vision-language model's selected vision features, the tensor its projector reads (LLaVA:
 * {@link LlavaModel#selectedFeatures}, {@code [images, N, D_vision]}): the splice of {@link FeatureEdit}, with the
 * reconstruction error kept unless the edit drops it, so an edit that leaves every code as it is gives the features
 * back bit for bit and the model's answers token for token. The SAE is the one trained on that hidden state's tokens
 * (captured with {@code saelab capture --model <llava folder> --layers L}, L the block whose output the model reads).
 *
 * <p><b>Tokens.</b> An edit's tokens name the vision tower's tokens as everywhere in saelab ({@link EditTokens}: the
 * class token, patch indices in raster order of the tower's grid, all patches). The select strategy decides which of
 * them the language model sees: "default" drops the first token (CLIP's class token; SigLIP's first patch), "full"
 * keeps every one. A selection of a dropped token by name (cls, a patch index) is refused; all patches simply omits a
 * dropped one.
 */
public final class VlmFeatureEdit implements AutoCloseable {

    private final FeatureEdit splice;
    private final TokenLayout towerLayout;
    private final int dropped;
    private final int block;
    private final int images;
    private final int features;
    private final long width;
    private final String layerName;

    /**
     * @param sae         the SAE reading the features
     * @param selected    {@code [images, N, D]} the selected features (the caller keeps ownership)
     * @param towerLayout the vision tower's token layout of the hidden state the features come from
     * @param dropped     leading tokens of that layout the select strategy drops (0 or 1)
     * @param block       the 0-based block whose output the features are, or -1 for the embeddings
     * @param layerName   how error messages name the layer (e.g. "vision_feature_layer -2 = block 1's output")
     * @throws IllegalArgumentException when the SAE's d_model differs from the features' width, or the shapes do not fit
     */
    public VlmFeatureEdit(Sae sae, NDArray selected, TokenLayout towerLayout, int dropped, int block, String layerName) {
        Shape s = selected.getShape();
        if (s.dimension() != 3 || s.get(1) != towerLayout.tokens() - dropped) {
            throw new IllegalArgumentException("the selected vision features have shape " + s + "; expected [images, "
                    + (towerLayout.tokens() - dropped) + ", width]");
        }
        if (sae.config().dModel() != s.get(2)) {
            throw new IllegalArgumentException("the SAE reads d_model=" + sae.config().dModel() + " activations but the vision features the"
                    + " language model reads have width " + s.get(2) + "; expected an SAE trained on " + layerName);
        }
        this.towerLayout = towerLayout;
        this.dropped = dropped;
        this.block = block;
        this.images = Math.toIntExact(s.get(0));
        this.features = Math.toIntExact(s.get(1));
        this.width = s.get(2);
        this.layerName = layerName;
        this.splice = new FeatureEdit(sae, selected, images);
    }

    /**
     * The edit of a LLaVA model's selected features.
     *
     * @param selected {@code [images, N, D]} from {@link LlavaModel#selectedFeatures} (the caller keeps ownership)
     * @throws IllegalArgumentException when the SAE's d_model is not the vision tower's width
     */
    public static VlmFeatureEdit llava(LlavaModel model, Sae sae, NDArray selected) {
        int size = model.config().visionConfig().integer("image_size", 224);
        TokenLayout layout = model.visionTower().layout(size, size);
        int dropped = model.config().strategy() == LlavaConfig.SelectStrategy.DEFAULT ? 1 : 0;
        int hidden = model.selectedHiddenState();
        String name = "vision_feature_layer " + model.config().visionFeatureLayer() + " = "
                + (hidden == 0 ? "the embeddings" : "block " + (hidden - 1) + "'s output (0-based)");
        return new VlmFeatureEdit(sae, selected, layout, dropped, hidden - 1, name);
    }

    /**
     * The edit of a moondream2 model's projection input, the tensor its vision projection reads
     * ({@link saelab.lm.moondream.MoondreamImageFeatures#projectionInput}: the global crop's features beside the stitched
     * and pooled local crops' features, {@code [T, 2 · enc_dim]}, T = 27 × 27 tokens in raster order of the pooled grid and
     * no class token), through the SAE trained on those rows.
     *
     * @param projectionInput {@code [T, 2 · enc_dim]} (the caller keeps ownership)
     * @throws IllegalArgumentException when the SAE's d_model is not the projection input's width
     */
    public static VlmFeatureEdit moondream(saelab.lm.moondream.MoondreamModel model, Sae sae, NDArray projectionInput) {
        int side = model.config().vision().gridSide();
        Shape s = projectionInput.getShape();
        NDArray batched = s.dimension() == 2 ? projectionInput.reshape(1, s.get(0), s.get(1)) : projectionInput;
        return new VlmFeatureEdit(sae, batched, new TokenLayout(false, 0, side, side), 0, PROJECTION_INPUT,
                "moondream's projection input (global and pooled local crop features, width " + model.vision().projection().inputDim() + ")");
    }

    /** {@link #block()} of an edit of moondream's projection input, which follows no single encoder block. */
    public static final int PROJECTION_INPUT = -2;

    /** The 0-based block whose output is edited, -1 for the embeddings, {@link #PROJECTION_INPUT} for moondream's. */
    public int block() {
        return block;
    }

    /** Features per image. */
    public int features() {
        return features;
    }

    /**
     * Which feature rows of one image {@code tokens} selects.
     *
     * @return {@link #features()} flags
     * @throws IllegalArgumentException for a token the language model does not read, or one the tower lacks
     */
    public boolean[] mask(EditTokens tokens) {
        boolean[] all = tokens.mask(towerLayout, null);
        for (int t = 0; t < dropped; t++) {
            if (all[t] && (tokens.kind() == EditTokens.Kind.CLS || tokens.kind() == EditTokens.Kind.PATCHES)) {
                throw new IllegalArgumentException("tokens " + tokens.json() + " select token " + t + " of the vision tower, which the"
                        + " select strategy 'default' drops; the language model reads tokens " + dropped + ".." + (towerLayout.tokens() - 1));
            }
        }
        return Arrays.copyOfRange(all, dropped, all.length);
    }

    /**
     * The edited features.
     *
     * @return {@code [images, N, D]} float32 on {@code nd}
     * @throws IllegalArgumentException for an edit of another block, a latent outside [0, d_sae) or tokens the model does not read
     */
    public NDArray apply(LatentEdit edit, SpliceForm form, NDManager nd) {
        if (edit.block() != null && edit.block() != block) {
            throw new IllegalArgumentException("the edit is for block " + edit.block() + " but the language model reads " + layerName);
        }
        splice.checkLatents(edit.latents());
        boolean[] one = mask(edit.tokens());
        boolean[] selected = new boolean[images * features];
        for (int b = 0; b < images; b++) {
            System.arraycopy(one, 0, selected, b * features, features);
        }
        try (NDManager scope = nd.newSubManager()) {
            NDArray out = splice.apply(edit, selected, form, scope).reshape(images, features, width);
            out.attach(nd);
            return out;
        }
    }

    /** The current codes of {@code latents} on every feature row, {@code [images · N, n]} row-major. */
    public float[] codes(int[] latents) {
        return splice.codes(latents);
    }

    @Override
    public void close() {
        splice.close();
    }
}
