package saelab.heads;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import saelab.store.CacheManifest;
import saelab.store.CacheSpec;
import saelab.store.CacheWriter;
import saelab.store.ImageRecord;
import saelab.store.RecordedLayer;
import saelab.store.StorageDtype;
import saelab.store.TokenLayout;

/**
 * Small caches of layers {@code final} and {@code pooled} with planted labels: each patch of class k is
 * {@code 3 · u_k + N(0, 0.5²)} per dimension (u_k a random unit vector), and each image's pooled vector is
 * {@code 3 · v_c + noise} for its class c, so both are linearly separable; with {@code shuffled} the labels are
 * drawn independently of the features.
 */
final class PlantedCaches {

    static final int D = 16;
    static final int GRID = 4;
    static final int PATCH_CLASSES = 5; // 0 = background
    static final int IMAGE_CLASSES = 4;

    private PlantedCaches() {}

    static Path write(Path out, int images, long seed, boolean shuffled, String modelId) throws IOException {
        return write(out, images, seed, shuffled, modelId, List.of(RecordedLayer.FINAL, RecordedLayer.POOLED), true);
    }

    static Path write(Path out, int images, long seed, boolean shuffled, String modelId, List<Integer> layers, boolean labels)
            throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] patchMeans = unitVectors(PATCH_CLASSES, new SplittableRandom(7));
        float[][] imageMeans = unitVectors(IMAGE_CLASSES, new SplittableRandom(11));
        TokenLayout layout = new TokenLayout(true, 0, GRID, GRID);
        int tokens = layout.tokens();
        CacheManifest.PatchLabelInfo info = labels ? new CacheManifest.PatchLabelInfo(
                IntStream.range(0, PATCH_CLASSES).mapToObj(i -> i == 0 ? "background" : "thing, " + i).toList(), 0) : null;
        CacheSpec spec = new CacheSpec(new CacheManifest.ModelRef(modelId, null, null), new CacheManifest.DatasetRef("planted", "train", null),
                null, layers, layout, D, StorageDtype.F32, info, null);
        try (CacheWriter w = CacheWriter.create(out, spec, 1L << 20)) {
            for (int i = 0; i < images; i++) {
                int imageClass = rng.nextInt(IMAGE_CLASSES);
                int[] patchClass = new int[GRID * GRID];
                for (int p = 0; p < patchClass.length; p++) {
                    patchClass[p] = rng.nextInt(PATCH_CLASSES);
                }
                float[] acts = new float[layers.size() * tokens * D];
                for (int li = 0; li < layers.size(); li++) {
                    boolean pooled = layers.get(li) == RecordedLayer.POOLED;
                    float[] pooledVector = sample(imageMeans[imageClass], rng);
                    for (int t = 0; t < tokens; t++) {
                        float[] v = pooled ? pooledVector : t == 0 ? sample(imageMeans[imageClass], rng) : sample(patchMeans[patchClass[t - 1]], rng);
                        System.arraycopy(v, 0, acts, (li * tokens + t) * D, D);
                    }
                }
                short[] lab = null;
                if (labels) {
                    lab = new short[patchClass.length];
                    for (int p = 0; p < lab.length; p++) {
                        lab[p] = (short) (shuffled ? rng.nextInt(PATCH_CLASSES) : patchClass[p]);
                    }
                }
                int imageLabel = !labels ? -1 : shuffled ? rng.nextInt(IMAGE_CLASSES) : imageClass;
                w.append(List.of(new ImageRecord(i, "img/" + i + ".png", imageLabel)), acts, lab);
            }
            w.finish();
        }
        return out;
    }

    private static float[] sample(float[] mean, SplittableRandom rng) {
        float[] v = new float[D];
        for (int k = 0; k < D; k++) {
            v[k] = 3 * mean[k] + (float) (0.5 * rng.nextGaussian());
        }
        return v;
    }

    private static float[][] unitVectors(int n, SplittableRandom rng) {
        float[][] out = new float[n][D];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int k = 0; k < D; k++) {
                out[i][k] = (float) rng.nextGaussian();
                norm += out[i][k] * out[i][k];
            }
            for (int k = 0; k < D; k++) {
                out[i][k] /= (float) Math.sqrt(norm);
            }
        }
        return out;
    }

    static List<Integer> list(int... v) {
        List<Integer> l = new ArrayList<>();
        for (int x : v) {
            l.add(x);
        }
        return l;
    }
}
