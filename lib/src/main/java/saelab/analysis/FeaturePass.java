package saelab.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.nio.FloatBuffer;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import saelab.io.Progress;
import saelab.io.Verbosity;
import saelab.sae.Sae;
import saelab.sae.SaeKind;
import saelab.store.ActivationCache;
import saelab.store.TokenBatch;
import saelab.store.TokenKind;
import saelab.store.TokenLayout;

/**
 * One sequential pass over a cache layer with an SAE: every CLS and patch token (registers are
 * skipped) is encoded in batches with DJL, only the selected codes come to Java (for a TopK SAE the
 * k indices and values per token straight from libtorch's topk; otherwise the positive entries via
 * nonzero) and are scanned, and per analysed latent the pass keeps
 * <ul>
 *   <li>firing counts (code &gt; 0) over patch tokens and, separately, CLS tokens; the sums and
 *       maxima of the positive values; a {@link LogHistogram} of positive patch values;</li>
 *   <li>three bounded top-k lists ({@link TopKLists}): images ranked by the latent's maximum over the
 *       image's patches, single patches (image, patch, value), and images ranked by the CLS value.
 *       Only positive values enter. Ties rank the lower image index first (then the lower patch
 *       index), so results do not depend on the batch size.</li>
 * </ul>
 * Patch maps of the final top images come from a second pass, {@link PatchMaps}, so no map of a
 * candidate is ever held. This is the pass of the paper's reference tool (saev) without its dense
 * [d_sae, n_images, patches] tensor. Given a {@link SparseCodesWriter}, the same selected codes of every
 * token (all latents) are streamed to disk as CSR on the way ({@link SparseCodes}).
 *
 * <p>Memory, with n analysed latents, k, P patches per image, F = d_sae, d = d_model, B rows per
 * batch, k' the TopK SAE's k and 72 histogram bins. Heap: lists 3 × 12·n·k bytes, statistics
 * (8·72 + 48)·n, per-image scratch 8·n, the latent→row table 4·F, the batch's activations 4·B·d
 * (twice when the cache has registers), and the selected codes of a batch in Java: 12·B·k' for a TopK
 * SAE ({@link #positives}: value, latent and row of each of the k' selected entries per token), or
 * 20 bytes per positive code otherwise (at most 20·B·F for a dense ReLU code). So for a TopK SAE
 * <pre>heap ≈ 36·n·k + 636·n + 4·F + 8·B·d + 12·B·k'  bytes,</pre>
 * independent of the number of images and of P. Example: n = F = 24576, k = 64, B = 4096, d = 768,
 * k' = 32: 57 + 16 + 0.1 + 25 + 1.6 ≈ 100 MB; measured with {@code saelab bench analyze} (JVM heap
 * pools' peaks, garbage included) about 200 MB. The dense pre-activations [B, F] (4·B·F bytes, 400 MB
 * at B = 4096) live in libtorch's native memory, not on the heap. P enters only the patch maps:
 * 4·n·k·P bytes, written to a memory-mapped file, off the heap.
 */
public final class FeaturePass {

    /**
     * Settings of a pass.
     *
     * @param layer     block index to read (0-based)
     * @param k         top-k list length
     * @param batchRows tokens encoded per batch (rounded down to whole images, at least one image)
     * @param latents   latent ids to analyse, sorted and distinct (see {@link LatentSelection})
     * @param verbosity whether to print progress on standard error
     */
    public record Options(int layer, int k, int batchRows, int[] latents, Verbosity verbosity) {
        public Options {
            if (k <= 0 || batchRows <= 0) {
                throw new IllegalArgumentException("k and batch must be positive, got " + k + " and " + batchRows);
            }
        }
    }

    /** How a batch's positive codes are found (see {@link #positives}). */
    enum Encoding {
        /** For a TopK SAE, the k largest pre-activations directly; the generic path for other kinds. */
        TOPK_DIRECT,
        /** Always the full encode followed by a scan for positive codes (the reference the fast path is tested against). */
        GENERIC
    }

    private FeaturePass() {}

    /**
     * Runs the pass.
     *
     * @param saeName how the SAE is named in the index (its path)
     * @param nd      where the batches are encoded (the SAE's device)
     * @throws IllegalArgumentException when the cache and SAE widths differ, the layer is missing or the cache has no patches
     */
    public static AnalysisResult run(ActivationCache cache, Sae sae, String saeName, NDManager nd, Options o) {
        return run(cache, sae, saeName, nd, o, Encoding.TOPK_DIRECT, null);
    }

    /**
     * Runs the pass and also streams every token's codes (all latents, not only the analysed ones) into
     * {@code codes}; the caller completes the folder with {@link SparseCodesWriter#finish()}.
     */
    public static AnalysisResult run(ActivationCache cache, Sae sae, String saeName, NDManager nd, Options o, SparseCodesWriter codes) {
        return run(cache, sae, saeName, nd, o, Encoding.TOPK_DIRECT, codes);
    }

    /**
     * The positive codes of one batch, in row-major order (rows ascending; within a row any order).
     * Entries with a value that is not positive may occur and are to be skipped.
     *
     * @param rows  row (token of the batch) of each entry
     * @param cols  latent of each entry
     * @param vals  code value of each entry
     * @param count entries used (the arrays may be longer)
     */
    record Sparse(int[] rows, int[] cols, float[] vals, int count) {}

    /**
     * Encodes {@code rows} rows of {@code x} and brings only the selected codes to Java.
     * For a TopK SAE with {@link Encoding#TOPK_DIRECT}, the k largest pre-activations of each row are taken
     * straight from libtorch's {@code topk} on {@code pre = x W_encᵀ + b_enc} (the positive ones among
     * them are exactly the non-zero codes of {@link Sae#encode}: ReLU does not change the order of
     * positive values, and the dense code matrix, its mask and {@code nonzero} are never built), so
     * 12·rows·k bytes come to the heap. Otherwise the dense codes are encoded and their positive
     * entries gathered with {@code nonzero} (12 bytes per positive code).
     */
    static Sparse positives(Sae sae, NDManager nd, float[] x, int rows, int d, Encoding encoding) {
        try (NDManager scope = nd.newSubManager()) {
            NDArray in = scope.create(FloatBuffer.wrap(x, 0, rows * d), new Shape(rows, d));
            if (encoding == Encoding.TOPK_DIRECT && sae.config().kind() == SaeKind.TOPK) {
                int k = Math.min(sae.config().k(), sae.config().dSae());
                List<NDArray> p = sae.params();
                NDArray xin = sae.config().centered() ? in.sub(p.get(3)) : in;
                NDArray pre = Linear.linear(xin, p.get(0), p.get(1)).singletonOrThrow();
                NDList top = pre.topK(k, 1, true, false);
                float[] vals = top.get(0).toFloatArray();
                int[] cols = top.get(1).toType(DataType.INT32, false).toIntArray();
                int[] rowOf = new int[vals.length];
                for (int e = 0; e < rowOf.length; e++) {
                    rowOf[e] = e / k;
                }
                return new Sparse(rowOf, cols, vals, vals.length);
            }
            // only the positive codes leave libtorch: (row, latent) pairs in row-major order and their
            // values; copying the dense [rows, d_sae] codes and scanning them in Java cost most of the
            // pass (about 100 MB per 4096-row batch at d_sae 6144)
            NDArray codes = sae.encode(in);
            NDArray positive = codes.gt(0f);
            int[] nz = positive.nonzero().toType(DataType.INT32, false).toIntArray();
            float[] vals = codes.get(positive).toFloatArray();
            int[] rowOf = new int[vals.length];
            int[] cols = new int[vals.length];
            for (int e = 0; e < vals.length; e++) {
                rowOf[e] = nz[2 * e];
                cols[e] = nz[2 * e + 1];
            }
            return new Sparse(rowOf, cols, vals, vals.length);
        }
    }

    /** As {@link #run(ActivationCache, Sae, String, NDManager, Options)}; {@link Encoding#GENERIC} forces the generic path (tests). */
    static AnalysisResult run(ActivationCache cache, Sae sae, String saeName, NDManager nd, Options o, Encoding encoding) {
        return run(cache, sae, saeName, nd, o, encoding, null);
    }

    private static AnalysisResult run(ActivationCache cache, Sae sae, String saeName, NDManager nd, Options o, Encoding encoding,
                                      SparseCodesWriter codes) {
        int d = sae.config().dModel();
        int f = sae.config().dSae();
        if (cache.dModel() != d) {
            throw new IllegalArgumentException("cache " + cache.dir() + " has d_model " + cache.dModel() + "; the SAE "
                    + saeName + " expects d_model " + d);
        }
        TokenLayout t = cache.tokens();
        int p = t.patches();
        if (p == 0) {
            throw new IllegalArgumentException("cache " + cache.dir() + " stores no patch tokens (layout " + t + ")");
        }
        int[] latents = o.latents();
        int n = latents.length;
        int[] slot = new int[f];
        java.util.Arrays.fill(slot, -1);
        for (int s = 0; s < n; s++) {
            if (latents[s] < 0 || latents[s] >= f) {
                throw new IllegalArgumentException("latent " + latents[s] + " is outside 0.." + (f - 1) + " of " + saeName);
            }
            slot[latents[s]] = s;
        }
        int lo = n == 0 ? 0 : latents[0];
        int hi = n == 0 ? 0 : latents[n - 1] + 1;
        int k = o.k();
        int bins = LogHistogram.BINS;
        long[] fires = new long[n];
        double[] sum = new double[n];
        float[] max = new float[n];
        long[] clsFires = new long[n];
        double[] clsSum = new double[n];
        float[] clsMax = new float[n];
        long[] hist = new long[Math.multiplyExact(n, bins)];
        TopKLists topImages = new TopKLists(n, k);
        TopKLists topPatches = new TopKLists(n, k);
        TopKLists topCls = new TopKLists(n, k);
        float[] imageMax = new float[n];
        int[] touched = new int[n];

        boolean cls = t.cls();
        int regs = t.registers();
        int all = t.tokens();
        int kept = (cls ? 1 : 0) + p;
        int imagesPerBatch = Math.max(1, o.batchRows() / all);
        Progress progress = o.verbosity().stderr("analysing", "images", cache.nImages());
        Iterator<TokenBatch> it = cache.sequential(o.layer(), TokenKind.ALL, imagesPerBatch);
        float[] compact = regs == 0 ? null : new float[imagesPerBatch * kept * d];
        long images = 0;
        while (it.hasNext()) {
            TokenBatch tb = it.next();
            tb.requireFinite(tb.rows(), cache.dir(), o.layer());
            int nImg = tb.rows() / all;
            float[] x = tb.acts();
            if (regs > 0) {
                // drop the register rows so they are not encoded
                for (int i = 0; i < nImg; i++) {
                    int src = i * all * d;
                    int dst = i * kept * d;
                    if (cls) {
                        System.arraycopy(x, src, compact, dst, d);
                        dst += d;
                    }
                    System.arraycopy(x, src + t.firstPatch() * d, compact, dst, p * d);
                }
                x = compact;
            }
            int rows = nImg * kept;
            Sparse sp = positives(sae, nd, x, rows, d, encoding);
            if (codes != null) {
                codes.append(sp, rows);
            }
            int[] nzRow = sp.rows();
            int[] nzCol = sp.cols();
            float[] vals = sp.vals();
            int nTouched = 0;
            int current = -1;
            for (int e = 0; e < sp.count(); e++) {
                float v = vals[e];
                if (!(v > 0)) {
                    continue; // TopK selections of rows with fewer than k positive pre-activations
                }
                int r = nzRow[e];
                int j = nzCol[e];
                int i = r / kept;
                if (i != current) {
                    // the image changed: its per-latent maxima are final
                    for (int u = 0; u < nTouched; u++) {
                        int t0 = touched[u];
                        if (imageMax[t0] >= topImages.threshold(t0)) {
                            topImages.offer(t0, imageMax[t0], tb.image()[current * all], -1);
                        }
                        imageMax[t0] = 0;
                    }
                    nTouched = 0;
                    current = i;
                }
                if (j < lo || j >= hi) {
                    continue;
                }
                int s = slot[j];
                if (s < 0) {
                    continue;
                }
                int img = tb.image()[i * all];
                int within = r - i * kept;
                if (cls && within == 0) {
                    clsFires[s]++;
                    clsSum[s] += v;
                    if (v > clsMax[s]) {
                        clsMax[s] = v;
                    }
                    if (v >= topCls.threshold(s)) {
                        topCls.offer(s, v, img, -1);
                    }
                    continue;
                }
                int q = within - (cls ? 1 : 0);
                fires[s]++;
                sum[s] += v;
                if (v > max[s]) {
                    max[s] = v;
                }
                hist[s * bins + LogHistogram.bin(v)]++;
                if (v >= topPatches.threshold(s)) {
                    topPatches.offer(s, v, img, q);
                }
                if (imageMax[s] == 0) {
                    touched[nTouched++] = s;
                }
                if (v > imageMax[s]) {
                    imageMax[s] = v;
                }
            }
            for (int u = 0; u < nTouched; u++) {
                int t0 = touched[u];
                if (imageMax[t0] >= topImages.threshold(t0)) {
                    topImages.offer(t0, imageMax[t0], tb.image()[current * all], -1);
                }
                imageMax[t0] = 0;
            }
            nTouched = 0;
            images += nImg;
            if (progress != null) {
                progress.advance(nImg);
            }
        }
        if (progress != null) {
            progress.finish();
        }
        List<Integer> ids = IntStream.of(latents).boxed().toList();
        String model = cache.manifest() == null ? null : cache.manifest().model().id();
        AnalysisIndex index = new AnalysisIndex(AnalysisIndex.FORMAT, saeName, sae.config().kind().id(), f,
                cache.dir().toAbsolutePath().toString(), cache.format(), model, o.layer(), k, ids, images, p, t.gridH(),
                t.gridW(), cls, images * p, cls ? images : 0, AnalysisResult.edgeList(), bins, 0, AnalysisResult.dataFiles());
        return new AnalysisResult(index, fires, sum, max, clsFires, clsSum, clsMax, hist, topImages.sorted(),
                topPatches.sorted(), topCls.sorted());
    }
}
