package saelab.heads;

import java.util.ArrayList;
import java.util.List;
import saelab.store.ActivationCache;
import saelab.store.RecordedLayer;
import saelab.store.TokenKind;

/**
 * The features and labels a head trains and is evaluated on, read from an activation cache: for
 * {@link HeadKind#SEGMENT} the patch tokens of layer {@code final} with the cache's per-patch labels; for
 * {@link HeadKind#CLASSIFY} one row per image, layer {@code pooled} (any stored token holds it) or, when the
 * cache lacks it, the class token of layer {@code final} (the same vector for DINOv2, CLIP and open_clip), with
 * the image's label. Rows whose label is -1 (unlabelled) are skipped.
 */
final class CachedFeatures {

    private final ActivationCache cache;
    private final HeadKind kind;
    private final int layer;
    private final int firstToken;
    private final int tokens;
    private final List<String> classes;
    private final int background;

    private CachedFeatures(ActivationCache cache, HeadKind kind, int layer, int firstToken, int tokens, List<String> classes,
                           int background) {
        this.cache = cache;
        this.kind = kind;
        this.layer = layer;
        this.firstToken = firstToken;
        this.tokens = tokens;
        this.classes = classes;
        this.background = background;
    }

    /**
     * The features of {@code kind} in {@code cache}.
     *
     * @throws IllegalArgumentException one sentence when the cache lacks the layer, the tokens or the labels
     */
    static CachedFeatures of(ActivationCache cache, HeadKind kind) {
        List<Integer> layers = cache.layers();
        return switch (kind) {
            case SEGMENT -> {
                if (!layers.contains(RecordedLayer.FINAL)) {
                    throw new IllegalArgumentException("the cache " + cache.dir() + " does not record the final layer (it has "
                            + RecordedLayer.names(layers) + "); capture it with --layers final for a segmentation head");
                }
                int[] r = cache.tokens().range(TokenKind.PATCHES);
                if (r[1] == 0) {
                    throw new IllegalArgumentException("the cache " + cache.dir() + " stores no patch tokens; capture with --tokens patches"
                            + " for a segmentation head");
                }
                if (!cache.hasPatchLabels()) {
                    throw new IllegalArgumentException("the cache " + cache.dir() + " has no patch labels; a segmentation head needs a"
                            + " capture of a dataset with label maps (e.g. ADE20K)");
                }
                List<String> names = cache.labelClasses();
                if (names.isEmpty()) {
                    names = numbered(maxPatchLabel(cache) + 1);
                }
                yield new CachedFeatures(cache, kind, RecordedLayer.FINAL, r[0], r[1], names, cache.backgroundLabel());
            }
            case CLASSIFY -> {
                int layer;
                int token;
                if (layers.contains(RecordedLayer.POOLED)) {
                    layer = RecordedLayer.POOLED;
                    token = 0;
                } else if (layers.contains(RecordedLayer.FINAL) && cache.tokens().cls()) {
                    layer = RecordedLayer.FINAL;
                    token = cache.tokens().clsIndex();
                } else {
                    throw new IllegalArgumentException("the cache " + cache.dir() + " does not record the pooled layer (it has "
                            + RecordedLayer.names(layers) + "); capture it with --layers pooled for a classification probe");
                }
                int max = -1;
                for (var r : cache.images()) {
                    max = Math.max(max, r.label());
                }
                if (max < 0) {
                    throw new IllegalArgumentException("the cache " + cache.dir() + " has no image labels (every image's label is -1);"
                            + " a classification probe needs a capture of a labelled dataset");
                }
                List<String> names = cache.imageClasses();
                yield new CachedFeatures(cache, kind, layer, token, 1, names.size() > max ? names : numbered(max + 1), -1);
            }
            case ZEROSHOT -> throw new IllegalArgumentException("a zero-shot head is built from class names, not trained on a cache");
        };
    }

    private static int maxPatchLabel(ActivationCache cache) {
        int max = 0;
        for (long i = 0; i < cache.nImages(); i++) {
            for (short s : cache.patchLabels(i)) {
                max = Math.max(max, Short.toUnsignedInt(s));
            }
        }
        return max;
    }

    private static List<String> numbered(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add("class-" + i);
        }
        return out;
    }

    HeadKind kind() {
        return kind;
    }

    int layer() {
        return layer;
    }

    List<String> classes() {
        return classes;
    }

    int background() {
        return background;
    }

    int dModel() {
        return cache.dModel();
    }

    /** Rows per image at most. */
    int rowsPerImage() {
        return tokens;
    }

    /**
     * Reads the labelled rows of {@code images[from .. from+count)} into {@code x} ({@code [rows, d_model]}) and
     * {@code y}; returns the number of rows.
     *
     * @param classCount labels at or above it are refused (a head evaluated on a cache with more classes)
     */
    int read(long[] images, int from, int count, float[] x, int[] y, int classCount) {
        int d = cache.dModel();
        int rows = 0;
        for (int i = from; i < from + count; i++) {
            long image = images[i];
            short[] patchLabels = kind == HeadKind.SEGMENT ? cache.patchLabels(image) : null;
            int imageLabel = kind == HeadKind.CLASSIFY ? cache.image(image).label() : -1;
            for (int t = 0; t < tokens; t++) {
                int label = patchLabels != null ? Short.toUnsignedInt(patchLabels[t]) : imageLabel;
                if (label < 0) {
                    continue;
                }
                if (label >= classCount) {
                    throw new IllegalArgumentException("image " + image + " of the cache " + cache.dir() + " has label " + label
                            + ", but the head knows " + classCount + " classes (0.." + (classCount - 1) + ")");
                }
                cache.read(image, layer, firstToken + t, x, rows * d);
                y[rows++] = label;
            }
        }
        return rows;
    }
}
