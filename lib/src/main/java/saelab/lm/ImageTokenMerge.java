package saelab.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;

/**
 * Puts image features into a prompt's embeddings where the prompt holds image tokens, as transformers
 * 4.45.2 {@code LlavaForConditionalGeneration} does with {@code inputs_embeds.masked_scatter}: the
 * feature rows are consumed in row-major order over (batch, position), so with one image per prompt
 * prompt b gets image b. Every image-token position is overwritten (its own embedding never matters).
 */
public final class ImageTokenMerge {

    private ImageTokenMerge() {}

    /**
     * The merged embeddings.
     *
     * @param embeds       {@code [B, T, D]} token embeddings of {@code ids}
     * @param ids          {@code [B][T]} token ids
     * @param imageTokenId the id of the image token ({@code image_token_index})
     * @param features     {@code [N, F, D]} (N images of F features) or {@code [M, D]}, M = N F rows in order
     * @return {@code [B, T, D]}, a new array on {@code embeds}' manager
     * @throws IllegalArgumentException when the number of image tokens differs from the number of feature rows,
     *                                  or the widths differ
     */
    public static NDArray merge(NDArray embeds, long[][] ids, long imageTokenId, NDArray features) {
        Shape es = embeds.getShape();
        Shape fs = features.getShape();
        long d = es.get(2);
        int b = (int) es.get(0);
        int t = (int) es.get(1);
        if (ids.length != b || ids[0].length != t) {
            throw new IllegalArgumentException("input_ids has " + ids.length + " rows of " + ids[0].length + " but the embeddings are "
                    + es + "; expected one id per embedding");
        }
        if (fs.dimension() < 2 || fs.get(fs.dimension() - 1) != d) {
            throw new IllegalArgumentException("image features have shape " + fs + "; expected [images, features, " + d
                    + "] (the language model's width)");
        }
        long rows = fs.size() / d;
        long[] source = new long[b * t];
        long next = 0;
        for (int r = 0; r < b; r++) {
            for (int j = 0; j < t; j++) {
                int flat = r * t + j;
                source[flat] = ids[r][j] == imageTokenId ? (long) b * t + next++ : flat;
            }
        }
        if (next != rows) {
            throw new IllegalArgumentException("the prompt holds " + next + " image tokens (id " + imageTokenId + ") but there are " + rows
                    + " image feature rows; expected one image token per feature row");
        }
        try (NDArray flatEmbeds = embeds.reshape(b * (long) t, d);
             NDArray flatFeatures = features.reshape(rows, d);
             NDArray table = NDArrays.concat(new NDList(flatEmbeds, flatFeatures), 0);
             NDArray index = embeds.getManager().create(source);
             NDArray picked = index.getNDArrayInternal().embedding(index, table, SparseFormat.DENSE).singletonOrThrow()) {
            NDArray merged = picked.reshape(b, t, d);
            merged.attach(embeds.getManager());
            return merged;
        }
    }
}
