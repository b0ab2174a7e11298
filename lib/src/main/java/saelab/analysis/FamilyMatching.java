package saelab.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import saelab.io.AtomicFiles;
import saelab.io.Npy;
import saelab.io.Progress;
import saelab.sae.Sae;
import saelab.store.ActivationCache;
import saelab.store.TokenBatch;
import saelab.store.TokenKind;
import saelab.store.TokenLayout;

/**
 * Concept matching ({@link ConceptMatching}) against several label families in one sequential pass over a
 * cache; the one implementation of the pass ({@link ConceptMatching#run} is the case of a single family). Each
 * family brings its own labels, one per unit in cache order: per patch token ({@link ConceptMatching.Unit#PATCH},
 * {@code [images × patches]}, raster order within an image) or per image ({@link ConceptMatching.Unit#IMAGE},
 * {@code [images]}); a negative label leaves a unit out of that family. An image unit's latent score is either the
 * latent's maximum over the image's patches ({@link ConceptMatching.ImageScore#MAX_PATCH}) or its value on the
 * image's CLS token ({@link ConceptMatching.ImageScore#CLS}, for SAEs trained on CLS activations); the
 * random-direction baseline projects the same tokens.
 *
 * <p>Every family is scored exactly as {@link ConceptMatching} defines (same exact F1 and AUROC, same
 * random-latent and random-direction baselines, the same random directions for the same seed). The pass visits
 * each unit kind's units on a systematic subsample (unit u is a candidate when u mod s = 0,
 * s = ⌈units / maxUnits⌉, counting every unit whether labelled or not), keeps a candidate that at least one
 * family of its kind labels, and stores its positive codes sparsely; each family is then scored on its labelled
 * units among them. Memory is that of {@code ConceptMatching} for the patch units plus the image units,
 * independent of the number of families (one family's filtered copy exists at a time).
 */
public final class FamilyMatching {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    /** The labels of one family, one per unit in cache order. */
    public interface UnitLabels {
        /** Units labelled (labels given): images × patches for patch units, images for image units. */
        long count();

        /** The label of {@code unit} (0-based, cache order); negative for none. */
        int label(long unit);

        /** Labels held in an array. */
        static UnitLabels of(short[] labels) {
            Objects.requireNonNull(labels, "labels");
            return new UnitLabels() {
                @Override
                public long count() {
                    return labels.length;
                }

                @Override
                public int label(long unit) {
                    return labels[(int) unit];
                }
            };
        }
    }

    /**
     * One label family.
     *
     * @param name    name used in tables and file names (letters, digits, {@code _ . -})
     * @param unit    patch or image units
     * @param classes class names, index = label
     * @param labels  one label per unit in cache order ({@code [images × patches]} or {@code [images]}); -1 = no label
     */
    public record Family(String name, ConceptMatching.Unit unit, List<String> classes, UnitLabels labels) {
        public Family {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("label family name '" + name + "': expected letters, digits, '_', '.' or '-'");
            }
            Objects.requireNonNull(unit, "unit");
            Objects.requireNonNull(labels, "labels");
            if (classes == null || classes.isEmpty() || classes.size() > Short.MAX_VALUE) {
                throw new IllegalArgumentException("label family '" + name + "': expected 1.." + Short.MAX_VALUE + " class names, got "
                        + (classes == null ? "none" : classes.size()));
            }
            classes = List.copyOf(classes);
        }

        /** A family whose labels are held in an array, one per unit in cache order. */
        public Family(String name, ConceptMatching.Unit unit, List<String> classes, short[] labels) {
            this(name, unit, classes, UnitLabels.of(labels));
        }

        /**
         * The cache's own labels: its per-patch labels and class names for patch units (family {@code patch_labels}),
         * or the images' dataset labels named by {@code classNames} for image units (family {@code image_labels}).
         *
         * @throws IllegalArgumentException when the cache has no per-patch labels (patch units) or no class names are
         *                                  given (image units); while matching, when a label is outside the class list
         */
        public static Family ofCache(ActivationCache cache, ConceptMatching.Unit unit, List<String> classNames) {
            if (unit == ConceptMatching.Unit.PATCH) {
                if (!cache.hasPatchLabels()) {
                    throw new IllegalArgumentException("cache " + cache.dir() + " has no per-patch labels (manifest field "
                            + "patch_labels); match against image labels instead");
                }
                return new Family("patch_labels", unit, cache.labelClasses(), new CachePatchLabels(cache));
            }
            if (classNames == null || classNames.isEmpty()) {
                throw new IllegalArgumentException("image-level matching needs the class names of the dataset");
            }
            int nClasses = classNames.size();
            return new Family("image_labels", unit, classNames, new UnitLabels() {
                @Override
                public long count() {
                    return cache.nImages();
                }

                @Override
                public int label(long unit) {
                    return checkCacheLabel(cache.image(unit).label(), nClasses, cache, "label of image " + unit);
                }
            });
        }
    }

    /** The per-patch labels of a cache, read one image at a time (units are visited in ascending order). */
    private static final class CachePatchLabels implements UnitLabels {
        private final ActivationCache cache;
        private final int patches;
        private final int nClasses;
        private long image = -1;
        private short[] labels;

        CachePatchLabels(ActivationCache cache) {
            this.cache = cache;
            this.patches = cache.tokens().patches();
            this.nClasses = cache.labelClasses().size();
        }

        @Override
        public long count() {
            return cache.nImages() * patches;
        }

        @Override
        public int label(long unit) {
            long img = unit / patches;
            if (img != image) {
                labels = cache.patchLabels(img);
                image = img;
            }
            return checkCacheLabel(labels[(int) (unit % patches)], nClasses, cache, "patch label of image " + img);
        }
    }

    private static int checkCacheLabel(int y, int nClasses, ActivationCache cache, String what) {
        if (y >= nClasses) {
            throw new IllegalArgumentException("cache " + cache.dir() + ": " + what + " is " + y + "; expected 0.." + (nClasses - 1)
                    + " (the class list has " + nClasses + " names)");
        }
        return y;
    }

    /**
     * The scores of every family, in the order given.
     *
     * @param families the families' names
     * @param units    their unit kinds
     * @param results  their scores
     */
    public record Result(List<String> families, List<ConceptMatching.Unit> units, List<ConceptMatching.Result> results) {

        /** The header of {@code concepts.csv}: family and unit, then the columns of {@link ConceptMatching.Result#CSV_HEADER}. */
        public static final String CSV_HEADER = "family,unit," + ConceptMatching.Result.CSV_HEADER;

        public Result {
            families = List.copyOf(families);
            units = List.copyOf(units);
            results = List.copyOf(results);
        }

        /** The scores of family {@code name}. */
        public ConceptMatching.Result get(String name) {
            int i = families.indexOf(name);
            if (i < 0) {
                throw new IllegalArgumentException("no label family '" + name + "'; the result has " + families);
            }
            return results.get(i);
        }

        /**
         * Writes {@code concepts.csv} (one row per family and class) and per family the tables
         * {@code concept_f1_<family>.npy} and {@code concept_auroc_<family>.npy} [classes, latents], atomically.
         */
        public void write(Path dir) throws IOException {
            Files.createDirectories(dir);
            StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
            for (int i = 0; i < families.size(); i++) {
                ConceptMatching.Result r = results.get(i);
                for (int c = 0; c < r.classes().size(); c++) {
                    sb.append(families.get(i)).append(',').append(units.get(i).name().toLowerCase(Locale.ROOT)).append(',')
                            .append(r.csvRow(c)).append('\n');
                }
                Npy.writeFloats(dir.resolve("concept_f1_" + families.get(i) + ".npy"), r.f1Table(), r.classes().size(),
                        r.latents().length);
                Npy.writeFloats(dir.resolve("concept_auroc_" + families.get(i) + ".npy"), r.aucTable(), r.classes().size(),
                        r.latents().length);
            }
            AtomicFiles.writeString(dir.resolve("concepts.csv"), sb.toString());
        }
    }

    private FamilyMatching() {}

    /** Sparse positive codes per analysed latent: (unit, value) pairs in growable arrays. */
    private static final class Columns {
        final int[][] unit;
        final float[][] value;
        final int[] size;

        Columns(int latents) {
            unit = new int[latents][];
            value = new float[latents][];
            size = new int[latents];
        }

        void add(int s, int u, float v) {
            int n = size[s];
            if (unit[s] == null || unit[s].length == n) {
                int grow = unit[s] == null ? 16 : n + (n >> 1) + 1;
                unit[s] = unit[s] == null ? new int[grow] : Arrays.copyOf(unit[s], grow);
                value[s] = value[s] == null ? new float[grow] : Arrays.copyOf(value[s], grow);
            }
            unit[s][n] = u;
            value[s][n] = v;
            size[s] = n + 1;
        }
    }

    /**
     * Runs the pass and scores every family.
     *
     * @param latents  latent ids to score, sorted and distinct (see {@link LatentSelection})
     * @param families the label families (distinct names)
     * @param nd       where batches are encoded
     * @throws IllegalArgumentException when widths differ, a family's labels do not fit the cache, a label is outside
     *                                  its class list, a family has no labelled unit, or the cache lacks the tokens needed
     */
    public static Result run(ActivationCache cache, Sae sae, int[] latents, List<Family> families, NDManager nd,
                             ConceptMatching.Options o) {
        int d = sae.config().dModel();
        int f = sae.config().dSae();
        if (cache.dModel() != d) {
            throw new IllegalArgumentException("cache " + cache.dir() + " has d_model " + cache.dModel() + "; the SAE expects " + d);
        }
        if (families.isEmpty()) {
            throw new IllegalArgumentException("no label families to match against");
        }
        Set<String> seen = new HashSet<>();
        for (Family fam : families) {
            if (!seen.add(fam.name())) {
                throw new IllegalArgumentException("label family '" + fam.name() + "' is given twice");
            }
        }
        TokenLayout t = cache.tokens();
        int p = t.patches();
        long nImages = cache.nImages();
        List<UnitLabels> patchLabels = families.stream().filter(x -> x.unit() == ConceptMatching.Unit.PATCH).map(Family::labels)
                .toList();
        List<UnitLabels> imageLabels = families.stream().filter(x -> x.unit() == ConceptMatching.Unit.IMAGE).map(Family::labels)
                .toList();
        boolean patchUnits = !patchLabels.isEmpty();
        boolean imageUnits = !imageLabels.isEmpty();
        boolean cls = imageUnits && o.imageScore() == ConceptMatching.ImageScore.CLS;
        boolean patchRows = patchUnits || (imageUnits && !cls);
        if (patchRows && p == 0) {
            throw new IllegalArgumentException("cache " + cache.dir() + " stores no patch tokens (layout " + t + ")");
        }
        if (cls && !t.cls()) {
            throw new IllegalArgumentException("cache " + cache.dir() + " stores no CLS token (layout " + t
                    + "); score image units by the patch maximum instead");
        }
        long patchTotal = nImages * p;
        for (Family fam : families) {
            long expected = fam.unit() == ConceptMatching.Unit.PATCH ? patchTotal : nImages;
            if (fam.labels().count() != expected) {
                throw new IllegalArgumentException("label family '" + fam.name() + "' has " + fam.labels().count() + " labels; the cache "
                        + cache.dir() + " has " + (fam.unit() == ConceptMatching.Unit.PATCH ? nImages + " images x " + p
                        + " patches = " + patchTotal + " patch units" : nImages + " image units"));
            }
        }
        int[] slot = new int[f];
        Arrays.fill(slot, -1);
        for (int s = 0; s < latents.length; s++) {
            if (latents[s] < 0 || latents[s] >= f) {
                throw new IllegalArgumentException("latent " + latents[s] + " is outside 0.." + (f - 1));
            }
            slot[latents[s]] = s;
        }
        int nLat = latents.length;
        int r = o.randomDraws();
        long pStride = Math.max(1, (patchTotal + o.maxUnits() - 1) / o.maxUnits());
        long iStride = Math.max(1, (nImages + o.maxUnits() - 1) / o.maxUnits());
        int pCap = patchUnits ? (int) ((patchTotal + pStride - 1) / pStride) : 0;
        int iCap = imageUnits ? (int) ((nImages + iStride - 1) / iStride) : 0;
        float[] dirs = ConceptMatching.randomDirections(d, r, o.seed());

        Columns pCols = new Columns(nLat);
        Columns iCols = new Columns(nLat);
        float[] pDir = new float[Math.multiplyExact(pCap, r)];
        float[] iDir = new float[Math.multiplyExact(iCap, r)];
        long[] entries = {0};

        TokenKind kind = patchRows ? (cls ? TokenKind.ALL : TokenKind.PATCHES) : TokenKind.CLS;
        int perImage = t.range(kind)[1];
        int patchOff = kind == TokenKind.ALL ? t.firstPatch() : 0;
        int ipb = o.imagesPerBatch();
        float[] sel = new float[patchRows ? Math.multiplyExact(ipb * p, d) : 0];
        int[] rowPatchUnit = new int[patchRows ? ipb * p : 0];
        int[] imgStart = new int[ipb];
        int[] imgUnit = new int[ipb];
        float[] clsSel = new float[cls ? ipb * d : 0];
        int[] clsUnit = new int[ipb];
        float[] maxv = new float[f];
        int[] touched = new int[f];
        Progress progress = o.verbosity().stderr("matching", "images", nImages);
        Iterator<TokenBatch> it = cache.sequential(o.layer(), kind, ipb);
        while (it.hasNext()) {
            TokenBatch tb = it.next();
            tb.requireFinite(tb.rows(), cache.dir(), o.layer()); // NaN scores would rank silently
            int nImg = tb.rows() / perImage;
            int rows = 0;
            int nKept = 0;
            int nCls = 0;
            for (int i = 0; i < nImg; i++) {
                long img = tb.image()[i * perImage];
                boolean imgKept = imageUnits && img % iStride == 0 && labelled(imageLabels, img);
                if (patchRows) {
                    boolean whole = imgKept && !cls;
                    int start = rows;
                    for (int q = 0; q < p; q++) {
                        long u = img * p + q;
                        boolean pk = patchUnits && u % pStride == 0 && labelled(patchLabels, u);
                        if (whole || pk) {
                            System.arraycopy(tb.acts(), (i * perImage + patchOff + q) * d, sel, rows * d, d);
                            rowPatchUnit[rows++] = pk ? (int) (u / pStride) : -1;
                        }
                    }
                    if (whole) {
                        imgStart[nKept] = start;
                        imgUnit[nKept++] = (int) (img / iStride);
                    }
                }
                if (cls && imgKept) {
                    System.arraycopy(tb.acts(), i * perImage * d, clsSel, nCls * d, d); // CLS is storage token 0
                    clsUnit[nCls++] = (int) (img / iStride);
                }
            }
            if (rows > 0) {
                Encoded e = encode(sae, nd, sel, rows, d, dirs, r);
                int[] rowPtr = e.rowPointers(rows);
                for (int k = 0; k < e.vals.length; k++) {
                    int pu = rowPatchUnit[e.row(k)];
                    int s = slot[e.col(k)];
                    if (pu >= 0 && s >= 0) {
                        addEntry(pCols, s, pu, e.vals[k], entries, o);
                    }
                }
                for (int row = 0; row < rows; row++) {
                    if (rowPatchUnit[row] >= 0) {
                        System.arraycopy(e.proj, row * r, pDir, rowPatchUnit[row] * r, r);
                    }
                }
                for (int j = 0; j < nKept; j++) {
                    // image score = max over the image's patch rows; codes are >= 0, so the max of the positive entries
                    int nt = 0;
                    for (int k = rowPtr[imgStart[j]]; k < rowPtr[imgStart[j] + p]; k++) {
                        int c = e.col(k);
                        if (maxv[c] == 0f) {
                            touched[nt++] = c;
                        }
                        maxv[c] = Math.max(maxv[c], e.vals[k]);
                    }
                    for (int x = 0; x < nt; x++) {
                        int c = touched[x];
                        if (slot[c] >= 0) {
                            addEntry(iCols, slot[c], imgUnit[j], maxv[c], entries, o);
                        }
                        maxv[c] = 0f;
                    }
                    for (int z = 0; z < r; z++) {
                        float m = Float.NEGATIVE_INFINITY;
                        for (int row = imgStart[j]; row < imgStart[j] + p; row++) {
                            m = Math.max(m, e.proj[row * r + z]);
                        }
                        iDir[imgUnit[j] * r + z] = m;
                    }
                }
            }
            if (nCls > 0) {
                Encoded e = encode(sae, nd, clsSel, nCls, d, dirs, r);
                for (int k = 0; k < e.vals.length; k++) {
                    int s = slot[e.col(k)];
                    if (s >= 0) {
                        addEntry(iCols, s, clsUnit[e.row(k)], e.vals[k], entries, o);
                    }
                }
                for (int row = 0; row < nCls; row++) {
                    System.arraycopy(e.proj, row * r, iDir, clsUnit[row] * r, r);
                }
            }
            if (progress != null) {
                progress.advance(nImg);
            }
        }
        if (progress != null) {
            progress.finish();
        }
        List<String> names = new ArrayList<>();
        List<ConceptMatching.Unit> units = new ArrayList<>();
        List<ConceptMatching.Result> results = new ArrayList<>();
        for (Family fam : families) {
            boolean patch = fam.unit() == ConceptMatching.Unit.PATCH;
            results.add(scoreFamily(cache, fam, latents, patch ? pCols : iCols, patch ? pDir : iDir, patch ? pCap : iCap,
                    patch ? pStride : iStride, r, o.seed()));
            names.add(fam.name());
            units.add(fam.unit());
        }
        return new Result(names, units, results);
    }

    /** Whether some family labels {@code unit}; the units no family labels are neither encoded nor kept. */
    private static boolean labelled(List<UnitLabels> labels, long unit) {
        for (UnitLabels l : labels) {
            if (l.label(unit) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static void addEntry(Columns cols, int s, int unit, float v, long[] entries, ConceptMatching.Options o) {
        if (++entries[0] > o.maxEntries()) {
            throw new IllegalStateException("concept matching keeps more than " + o.maxEntries() + " positive codes; lower the number"
                    + " of units (max units " + o.maxUnits() + ") or raise max entries");
        }
        cols.add(s, unit, v);
    }

    /** The positive codes of a batch (row-major (row, latent) pairs) and its projections on the random directions. */
    private record Encoded(long[] nz, float[] vals, float[] proj) {
        int row(int k) {
            return (int) nz[2 * k];
        }

        int col(int k) {
            return (int) nz[2 * k + 1];
        }

        /** Entry index of each row's first entry ({@code rows + 1} values; entries are in row-major order). */
        int[] rowPointers(int rows) {
            int[] ptr = new int[rows + 1];
            for (int k = 0; k < vals.length; k++) {
                ptr[row(k) + 1]++;
            }
            for (int i = 0; i < rows; i++) {
                ptr[i + 1] += ptr[i];
            }
            return ptr;
        }
    }

    private static Encoded encode(Sae sae, NDManager nd, float[] x, int rows, int d, float[] dirs, int r) {
        try (NDManager scope = nd.newSubManager()) {
            NDArray in = scope.create(FloatBuffer.wrap(x, 0, rows * d), new Shape(rows, d));
            NDArray codes = sae.encode(in);
            NDArray positive = codes.gt(0f);
            long[] nz = positive.nonzero().toLongArray();
            float[] vals = codes.get(positive).toFloatArray();
            float[] proj = in.matMul(scope.create(dirs, new Shape(d, r))).toFloatArray();
            return new Encoded(nz, vals, proj);
        }
    }

    /** Restricts the kept units to the family's labelled ones and scores them with {@link ConceptMatching#score}. */
    private static ConceptMatching.Result scoreFamily(ActivationCache cache, Family fam, int[] latents, Columns cols, float[] dir,
                                                      int cap, long stride, int r, long seed) {
        int nClasses = fam.classes().size();
        int[] local = new int[cap];
        short[] lab = new short[cap];
        int n = 0;
        for (int u = 0; u < cap; u++) {
            int g = (int) (u * stride);
            int y = fam.labels().label(g);
            if (y < 0) {
                local[u] = -1;
                continue;
            }
            if (y >= nClasses) {
                throw new IllegalArgumentException("label family '" + fam.name() + "': unit " + g + " has label " + y + "; expected 0.."
                        + (nClasses - 1) + " (the family has " + nClasses + " classes) or -1 for no label");
            }
            local[u] = n;
            lab[n++] = (short) y;
        }
        if (n == 0) {
            throw new IllegalArgumentException("label family '" + fam.name() + "' labels none of the " + cap + " "
                    + fam.unit().name().toLowerCase(Locale.ROOT) + " units kept from cache " + cache.dir());
        }
        int nLat = latents.length;
        int[][] cu = new int[nLat][];
        float[][] cv = new float[nLat][];
        int[] cs = new int[nLat];
        for (int s = 0; s < nLat; s++) {
            int m = cols.size[s];
            int[] uu = new int[m];
            float[] vv = new float[m];
            int k = 0;
            for (int e = 0; e < m; e++) {
                int l = local[cols.unit[s][e]];
                if (l >= 0) {
                    uu[k] = l;
                    vv[k++] = cols.value[s][e];
                }
            }
            cu[s] = uu;
            cv[s] = vv;
            cs[s] = k;
        }
        float[] dl = new float[Math.multiplyExact(n, r)];
        for (int u = 0; u < cap; u++) {
            if (local[u] >= 0) {
                System.arraycopy(dir, u * r, dl, local[u] * r, r);
            }
        }
        return ConceptMatching.score(fam.classes(), latents, n, stride, lab, cu, cv, cs, dl, r, seed);
    }
}
