package saelab.heads;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import saelab.io.AtomicFiles;
import saelab.io.Json;
import saelab.io.Sha256;
import saelab.store.ActivationCache;
import saelab.store.CacheManifest;

/**
 * Evaluates a linear head on cached features: {@link SegmentationMetrics} per patch for a segmentation head (per
 * pixel: {@link PixelEvaluation}, on a dataset's images), {@link ClassificationMetrics} for a classification probe.
 * On the cache the head was trained on (same manifest checksum) only the held-out images of its split are scored; on
 * any other cache of the same model, every image.
 */
public final class HeadEvaluation {

    /** Images per forward batch. */
    private static final int BATCH = 64;

    /**
     * The figures of one evaluation.
     *
     * @param segmentation segmentation figures, or null
     * @param classification classification figures, or null
     */
    public record Result(SegmentationMetrics segmentation, ClassificationMetrics classification) {

        /** The figures as JSON. */
        public ObjectNode toJson() {
            return segmentation != null ? segmentation.toJson() : classification.toJson();
        }

        /** The per-class table as CSV. */
        public String perClassCsv() {
            return segmentation != null ? segmentation.perClassCsv() : classification.perClassCsv();
        }
    }

    private HeadEvaluation() {}

    /** Scores {@code head} on {@code images} of {@code cache}. */
    public static Result evaluate(LinearHead head, ActivationCache cache, long[] images, Device device) {
        CachedFeatures f = CachedFeatures.of(cache, head.provenance().kind());
        if (cache.dModel() != head.dModel()) {
            throw new IllegalArgumentException("the head reads features of width " + head.dModel() + ", but the cache " + cache.dir()
                    + " has d_model " + cache.dModel());
        }
        int c = head.classes();
        int d = head.dModel();
        int maxRows = BATCH * f.rowsPerImage();
        float[] x = new float[maxRows * d];
        int[] y = new int[maxRows];
        int[] pred = new int[maxRows];
        boolean segment = head.provenance().kind() == HeadKind.SEGMENT;
        SegmentationMetrics seg = segment ? new SegmentationMetrics(head.provenance().classes(), head.provenance().background()) : null;
        ClassificationMetrics cls = segment ? null : new ClassificationMetrics(head.provenance().classes());
        try (NDManager nd = NDManager.newBaseManager(device)) {
            for (int from = 0; from < images.length; from += BATCH) {
                int count = Math.min(BATCH, images.length - from);
                int rows = f.read(images, from, count, x, y, c);
                if (rows == 0) {
                    continue;
                }
                try (NDManager s = nd.newSubManager()) {
                    NDArray logits = head.logits(s.create(Arrays.copyOf(x, rows * d), new Shape(rows, d)));
                    if (segment) {
                        long[] best = logits.argMax(1).toLongArray();
                        for (int r = 0; r < rows; r++) {
                            pred[r] = (int) best[r];
                        }
                        seg.add(y, pred, rows);
                    } else {
                        cls.add(y, logits.toFloatArray(), rows);
                    }
                }
            }
        }
        return new Result(seg, cls);
    }

    /**
     * {@code saelab head eval}: checks that the head fits the cache (same model, width, layer recorded), scores it on
     * the held-out images (the training cache) or every image (another cache), and writes {@code metrics.json} and
     * {@code per-class.csv} to {@code out} atomically.
     *
     * @throws IllegalArgumentException one sentence for a head trained on another model or a cache that lacks the layer or labels
     */
    public static ObjectNode evaluateToFolder(Path headFile, ActivationCache cache, Path out, Device device) throws IOException {
        LinearHead head = LinearHead.load(headFile);
        HeadProvenance p = head.provenance();
        CacheManifest m = cache.manifest();
        p.requireModel(m == null ? new CacheManifest.ModelRef("unknown", null, null) : m.model(), headFile, "the cache " + cache.dir());
        String sha = m == null ? null : Sha256.of(cache.dir().resolve(CacheManifest.FILE_NAME));
        boolean trainingCache = sha != null && sha.equals(p.cacheManifestSha256());
        long[] images;
        if (trainingCache) {
            HeadTraining t = Json.mapper().treeToValue(p.training(), HeadTraining.class);
            images = HeadSplit.of(cache.nImages(), t.seed(), t.valFraction()).val();
            if (images.length == 0) {
                throw new IllegalArgumentException("the cache " + cache.dir() + " is the head's training cache and the head held out no"
                        + " images (--val-fraction 0); evaluate it on another cache");
            }
        } else {
            images = new long[Math.toIntExact(cache.nImages())];
            Arrays.setAll(images, i -> i);
        }
        Result r = evaluate(head, cache, images, device);
        ObjectNode json = Json.mapper().createObjectNode();
        json.put("head", headFile.getFileName().toString());
        json.put("kind", p.kind().id());
        json.put("cache", cache.dir().toString());
        json.put("cache_manifest_sha256", sha);
        json.put("images", trainingCache ? "held-out images of the training split" : "all images");
        json.put("n_images", images.length);
        json.set("metrics", r.toJson());
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("per-class.csv"), r.perClassCsv());
        AtomicFiles.writeString(out.resolve("metrics.json"), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
        return json;
    }
}
