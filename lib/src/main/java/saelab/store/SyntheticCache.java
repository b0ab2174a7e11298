package saelab.store;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import saelab.io.Progress;
import saelab.io.Verbosity;
import saelab.store.CacheManifest.DatasetRef;
import saelab.store.CacheManifest.ModelRef;
import saelab.store.CacheManifest.PatchLabelInfo;

/**
 * Makes a cache of a chosen size with random content, for benchmarks and tests of the store. The
 * values are standard-normal numbers taken at random offsets from a pool of 2^20 draws (so a 2 GB
 * cache is written in seconds); they have realistic magnitudes but no structure. Token layout: a CLS
 * token, then {@code tokens - 1} patches on a square grid when that is a square, else one row. With
 * {@code labelClasses > 0}, patches get uniform random labels 0..labelClasses-1 and 0 is background.
 */
public final class SyntheticCache {

    private static final int POOL = 1 << 20;

    private SyntheticCache() {}

    /**
     * Writes the cache and returns its manifest.
     *
     * @param images        number of images
     * @param tokens        tokens per image (CLS + patches), >= 1
     * @param dModel        width
     * @param layers        number of recorded layers (block indices 0..layers-1)
     * @param labelClasses  number of patch label classes, or 0 for none
     * @param maxShardBytes shard size limit
     * @param verbosity     whether to print progress on standard error
     */
    public static CacheManifest write(Path out, long images, int tokens, int dModel, StorageDtype dtype, int layers,
                                      int labelClasses, long seed, long maxShardBytes, Verbosity verbosity) throws IOException {
        if (images <= 0 || tokens <= 0 || dModel <= 0 || layers <= 0 || labelClasses < 0) {
            throw new IllegalArgumentException("synthetic cache needs images, tokens, d, layers > 0 and label classes >= 0; got "
                    + images + ", " + tokens + ", " + dModel + ", " + layers + ", " + labelClasses);
        }
        int patches = tokens - 1;
        int side = (int) Math.round(Math.sqrt(patches));
        TokenLayout layout = side * side == patches ? new TokenLayout(true, 0, side, side) : new TokenLayout(true, 0, 1, patches);
        ObjectNode config = JsonNodeFactory.instance.objectNode()
                .put("synthetic", true).put("images", images).put("tokens", tokens).put("d_model", dModel)
                .put("dtype", dtype.id()).put("layers", layers).put("label_classes", labelClasses).put("seed", seed);
        PatchLabelInfo labels = labelClasses == 0 || patches == 0 ? null
                : new PatchLabelInfo(IntStream.range(0, labelClasses).mapToObj(i -> i == 0 ? "background" : "class-" + i).toList(), 0);
        CacheSpec spec = new CacheSpec(new ModelRef("synthetic", null, null),
                new DatasetRef("synthetic-" + images, "train", null), null,
                IntStream.range(0, layers).boxed().toList(), layout, dModel, dtype, labels, config);

        SplittableRandom rng = new SplittableRandom(seed);
        float[] pool = new float[POOL + dModel];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = (float) rng.nextGaussian();
        }
        int valuesPerImage = spec.valuesPerImage();
        int rowsPerImage = layers * tokens;
        int batch = (int) Math.max(1, Math.min(4096, (64L << 20) / (4L * valuesPerImage)));
        Progress progress = verbosity.stderr("writing synthetic cache", "images", images);
        try (CacheWriter w = CacheWriter.create(out, spec, maxShardBytes)) {
            for (long first = 0; first < images; first += batch) {
                int n = (int) Math.min(batch, images - first);
                float[] acts = new float[n * valuesPerImage];
                for (int r = 0; r < n * rowsPerImage; r++) {
                    System.arraycopy(pool, rng.nextInt(POOL), acts, r * dModel, dModel);
                }
                List<ImageRecord> recs = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    recs.add(new ImageRecord(first + i, "synthetic/" + (first + i) + ".png", (int) ((first + i) % 10)));
                }
                short[] lab = null;
                if (labels != null) {
                    lab = new short[n * patches];
                    for (int i = 0; i < lab.length; i++) {
                        lab[i] = (short) rng.nextInt(labelClasses);
                    }
                }
                w.append(recs, acts, lab);
                if (progress != null) {
                    progress.advance(n);
                }
            }
            CacheManifest m = w.finish();
            if (progress != null) {
                progress.finish();
            }
            return m;
        }
    }
}
