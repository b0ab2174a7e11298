package saelab.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import saelab.io.Json;
import saelab.store.CacheManifest.DatasetRef;
import saelab.store.CacheManifest.ModelRef;
import saelab.store.CacheManifest.PatchLabelInfo;

/**
 * Deterministic test data for caches: every image's activations and patch labels are a pure
 * function of (seed, image index), so a test (or a child JVM) can regenerate any part of a cache
 * and compare what a reader returns with what was written.
 */
final class CacheTestData {

    /** A class token, two registers and a 3 x 4 patch grid: 15 tokens per image and layer. */
    static final TokenLayout LAYOUT = new TokenLayout(true, 2, 3, 4);
    static final List<Integer> LAYERS = List.of(2, 5, 7);
    static final int D = 16;
    static final PatchLabelInfo LABELS = new PatchLabelInfo(List.of("background", "sky", "tree", "road"), 0);

    private CacheTestData() {}

    static CacheSpec spec(StorageDtype dtype) {
        return spec(dtype, LAYOUT, LAYERS, D, LABELS);
    }

    static CacheSpec spec(StorageDtype dtype, TokenLayout layout, List<Integer> layers, int d, PatchLabelInfo labels) {
        return new CacheSpec(new ModelRef("test/tiny-vit", "0123abc", null),
                new DatasetRef("tiny-set", "train", "ab".repeat(32)), preprocessing(), layers, layout, d, dtype, labels,
                null);
    }

    /** A small preprocessing object with integers, doubles and a list, as a real capture would record. */
    static JsonNode preprocessing() {
        ObjectNode p = Json.mapper().createObjectNode();
        p.put("resize", 224);
        p.put("interpolation", "bicubic");
        p.putArray("mean").add(0.485).add(0.456).add(0.406);
        return p;
    }

    /** The record of image {@code i}: dataset index, a path, and a class label (some images have none). */
    static ImageRecord record(int i) {
        return new ImageRecord(1000L + 3L * i, "images/part " + (i % 4) + "/img_" + i + ".jpg", i % 5 == 0 ? -1 : i % 7);
    }

    /** Activations of image {@code i} as [layers, tokens, d_model], in float32. */
    static float[] acts(CacheSpec spec, long seed, int i) {
        SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + i);
        float[] out = new float[spec.valuesPerImage()];
        for (int v = 0; v < out.length; v++) {
            out[v] = (float) (rng.nextGaussian() * 2.5 + (v % 3) * 0.25);
        }
        return out;
    }

    /** Patch labels of image {@code i} [patches], values 0 .. classes-1; 0 (background) about a third of the time. */
    static short[] labels(CacheSpec spec, long seed, int i) {
        SplittableRandom rng = new SplittableRandom(seed * 7_919L + 31L * i + 5);
        short[] out = new short[spec.tokens().patches()];
        int classes = spec.patchLabels() == null ? 1 : spec.patchLabels().classes().size();
        for (int p = 0; p < out.length; p++) {
            out[p] = (short) rng.nextInt(classes);
        }
        return out;
    }

    /** The expected read-back value of (image, layer slot, token, dim): the written value rounded to the dtype. */
    static float expected(CacheSpec spec, long seed, int image, int slot, int token, int dim) {
        float[] a = acts(spec, seed, image);
        return quantize(spec.dtype(), a[(slot * spec.tokens().tokens() + token) * spec.dModel() + dim]);
    }

    /** The row [d_model] of (image, layer slot, token), rounded to the dtype. */
    static float[] expectedRow(CacheSpec spec, long seed, int image, int slot, int token) {
        float[] a = acts(spec, seed, image);
        float[] row = new float[spec.dModel()];
        int base = (slot * spec.tokens().tokens() + token) * spec.dModel();
        for (int j = 0; j < row.length; j++) {
            row[j] = quantize(spec.dtype(), a[base + j]);
        }
        return row;
    }

    /** Appends images {@code from .. to-1} in batches of {@code batch} images. */
    static void writeImages(CacheWriter w, CacheSpec spec, long seed, int from, int to, int batch) throws IOException {
        for (int start = from; start < to; start += batch) {
            int n = Math.min(batch, to - start);
            List<ImageRecord> recs = new ArrayList<>();
            float[] acts = new float[n * spec.valuesPerImage()];
            short[] labels = spec.patchLabels() == null ? null : new short[n * spec.tokens().patches()];
            for (int k = 0; k < n; k++) {
                recs.add(record(start + k));
                System.arraycopy(acts(spec, seed, start + k), 0, acts, k * spec.valuesPerImage(), spec.valuesPerImage());
                if (labels != null) {
                    short[] l = labels(spec, seed, start + k);
                    System.arraycopy(l, 0, labels, k * l.length, l.length);
                }
            }
            w.append(recs, acts, labels);
        }
    }

    /** Shard size that holds exactly {@code images} images (plus some slack that does not fit another one). */
    static long shardBytesFor(CacheSpec spec, int images) {
        return images * spec.bytesPerImage() + spec.bytesPerImage() / 2;
    }

    /**
     * Reference rounding, written independently of {@link StorageDtype}: round to the nearest value
     * with the dtype's number of fraction bits (ties to even), including its subnormal range.
     */
    static float quantize(StorageDtype dtype, float x) {
        return switch (dtype) {
            case F32 -> x;
            case F16 -> roundTo(x, 10, -14, 65504.0);
            case BF16 -> roundTo(x, 7, -126, Float.MAX_VALUE);
        };
    }

    private static float roundTo(float x, int fractionBits, int minExponent, double max) {
        if (Float.isNaN(x) || Float.isInfinite(x) || x == 0f) {
            return x;
        }
        int e = Math.max(Math.getExponent(x), minExponent);
        double ulp = Math.scalb(1.0, e - fractionBits);
        double q = Math.rint(x / ulp) * ulp; // rint rounds half to even
        if (Math.abs(q) > max) {
            return q > 0 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
        }
        return (float) q;
    }
}
