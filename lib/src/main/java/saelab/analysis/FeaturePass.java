package saelab.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import saelab.io.Progress;
import saelab.sae.Sae;
import saelab.store.ActivationCache;
import saelab.store.TokenBatch;
import saelab.store.TokenKind;
import saelab.store.TokenLayout;

/**
 * One sequential pass over a cache layer with an SAE: every CLS and patch token (registers are
 * skipped) is encoded in batches with DJL, the codes are copied to Java and scanned for positive
 * entries, and per analysed latent the pass keeps
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
 * [d_sae, n_images, patches] tensor.
 *
 * <p>Memory, with n analysed latents, k, P patches per image, F = d_sae, B rows per batch and 72
 * histogram bins: lists 3 × 12·n·k bytes, statistics (8·72 + 48)·n bytes, per-image scratch 4·n,
 * batch buffers about 4·B·(3F + 2·d_model) bytes (the codes in libtorch and in Java, the
 * activations): heap ≈ 36·n·k + 628·n + 12·B·F bytes, independent of the number of images and of P
 * (P enters only the patch maps: 4·n·k·P bytes, written to a memory-mapped file, off the heap).
 * Example: n = 24576, k = 64, B = 4096 gives 57 MB + 15 MB + 1.2 GB for the codes of a batch; lower
 * {@code --batch} for a smaller heap.
 */
public final class FeaturePass {

    /**
     * Settings of a pass.
     *
     * @param layer     block index to read (0-based)
     * @param k         top-k list length
     * @param batchRows tokens encoded per batch (rounded down to whole images, at least one image)
     * @param latents   latent ids to analyse, sorted and distinct (see {@link LatentSelection})
     * @param progress  whether to print progress on standard error
     */
    public record Options(int layer, int k, int batchRows, int[] latents, boolean progress) {
        public Options {
            if (k <= 0 || batchRows <= 0) {
                throw new IllegalArgumentException("k and batch must be positive, got " + k + " and " + batchRows);
            }
        }
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
        Progress progress = o.progress() ? Progress.stderr("analysing", "images", cache.nImages()) : null;
        Iterator<TokenBatch> it = cache.sequential(o.layer(), TokenKind.ALL, imagesPerBatch);
        float[] compact = regs == 0 ? null : new float[imagesPerBatch * kept * d];
        long images = 0;
        while (it.hasNext()) {
            TokenBatch tb = it.next();
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
            // only the positive codes leave libtorch: (row, latent) pairs in row-major order and their
            // values; copying the dense [rows, d_sae] codes and scanning them in Java cost most of the
            // pass (about 100 MB per 4096-row batch at d_sae 6144)
            long[] nz;
            float[] vals;
            try (NDManager scope = nd.newSubManager()) {
                NDArray in = scope.create(FloatBuffer.wrap(x, 0, rows * d), new Shape(rows, d));
                NDArray codes = sae.encode(in);
                NDArray positive = codes.gt(0f);
                nz = positive.nonzero().toLongArray();
                vals = codes.get(positive).toFloatArray();
            }
            int nTouched = 0;
            int current = -1;
            for (int e = 0; e < vals.length; e++) {
                int r = (int) nz[2 * e];
                int j = (int) nz[2 * e + 1];
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
                float v = vals[e];
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
