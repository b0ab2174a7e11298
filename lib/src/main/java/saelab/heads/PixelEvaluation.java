package saelab.heads;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import saelab.capture.CapturePipeline;
import saelab.capture.ExampleLoader;
import saelab.capture.PreprocessGeometry;
import saelab.data.DatasetManifest;
import saelab.data.DatasetManifestFiles;
import saelab.data.LabelMap;
import saelab.data.PixelLabels;
import saelab.data.ResizeCropGeometry;
import saelab.image.Preprocessor;
import saelab.image.ResizeRule;
import saelab.io.AtomicFiles;
import saelab.io.ConfinedPaths;
import saelab.io.Json;
import saelab.model.LoadOptions;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.model.VisionOutput;
import saelab.model.VisionTower;
import saelab.store.CacheManifest;
import saelab.store.TokenLayout;

/**
 * Scores a segmentation head at image resolution, running the model on a dataset's images (a cache cannot serve: it
 * holds per-patch labels, not label maps): per image, the model's preprocessing and forward pass, the head's logits
 * per patch, and two comparisons.
 * <ul>
 *   <li>Per pixel: the logit grid upsampled bilinearly to the preprocessed image size ({@link PixelPredictions}, as
 *       DINOv2's linear segmentation head), argmax per pixel, against the label map resized by nearest neighbour and
 *       centre-cropped as the image was ({@link PixelLabels}, the preprocessing's own {@link ResizeCropGeometry}).</li>
 *   <li>Per patch: the argmax per patch against the patch labels a capture of the same images would store
 *       ({@link ExampleLoader}: each patch's majority label under the same geometry).</li>
 * </ul>
 * Both are accumulated in {@link SegmentationMetrics} (mmsegmentation's IoU over the whole set, mean over classes
 * present, the head's background label ignored). Unlike mmsegmentation, which resizes the logits back to the original
 * image, the pixels scored are those the model saw (a centre crop leaves the borders out). Images go one at a time:
 * memory is one image, its label map and its upsampled logits, never the dataset. An image that cannot be decoded, or
 * whose label map is missing or unreadable, is skipped and counted.
 */
public final class PixelEvaluation {

    /** Problems listed in {@code metrics.json} (the rest are only counted). */
    private static final int PROBLEMS_LISTED = 20;

    /**
     * The figures of one evaluation.
     *
     * @param pixel    per-pixel figures
     * @param patch    per-patch figures of the same images
     * @param images   images scored
     * @param skipped  images skipped
     * @param problems the first problems, {@code "path: why"}
     */
    public record Result(SegmentationMetrics pixel, SegmentationMetrics patch, int images, int skipped, List<String> problems) {}

    private PixelEvaluation() {}

    /**
     * Scores {@code head} on the first {@code limit} images of {@code manifest}.
     *
     * @param head   the head, bound to {@code tower}
     * @param pre    the model's preprocessing (one output size, with a resize)
     * @param limit  the most images, ≥ 1
     * @throws IllegalArgumentException when the preprocessing gives images of several sizes or does not resize, a label
     *                                  map holds a label the head does not know, or no image could be used
     */
    public static Result evaluate(SegmentationHead head, VisionTower tower, Preprocessor pre, DatasetManifest manifest, int limit,
                                  Device device) {
        if (limit < 1) {
            throw new IllegalArgumentException("--limit is " + limit + "; expected at least 1");
        }
        ResizeRule.Size size = pre.config().fixedOutputSize();
        if (size == null) {
            throw new IllegalArgumentException(pre.config().source() + ": the preprocessing (" + pre.config().describe() + ") gives images of"
                    + " different sizes; evaluation at image resolution needs a centre crop or a fixed resize");
        }
        ResizeCropGeometry geometry = PreprocessGeometry.of(pre.config()).orElseThrow(() -> new IllegalArgumentException(
                pre.config().source() + ": the preprocessing does not resize; label maps need the resize + crop geometry"));
        TokenLayout layout = tower.layout(size.height(), size.width());
        Path root = Path.of(manifest.root());
        ExampleLoader loader = new ExampleLoader(root, pre, geometry, tower.patchSize(), layout.gridH(), layout.gridW());
        HeadProvenance p = head.weights().provenance();
        int classes = p.classes().size();
        SegmentationMetrics pixel = new SegmentationMetrics(p.classes(), p.background(), SegmentationMetrics.Resolution.PIXEL);
        SegmentationMetrics patch = new SegmentationMetrics(p.classes(), p.background(), SegmentationMetrics.Resolution.PATCH);
        List<DatasetManifest.Example> examples = manifest.examples().subList(0, Math.min(limit, manifest.size()));
        List<String> problems = new ArrayList<>();
        int used = 0;
        int skipped = 0;
        for (int i = 0; i < examples.size(); i++) {
            DatasetManifest.Example e = examples.get(i);
            ExampleLoader.Loaded l = loader.load(i, e);
            PixelLabels truth = null;
            String problem = l.problem();
            if (problem == null) {
                try {
                    Path mapFile = ConfinedPaths.resolveLexically(root, e.annotation().path(), "the dataset manifest",
                            "examples[" + i + "].annotation.path");
                    truth = PixelLabels.of(LabelMap.read(mapFile), geometry);
                } catch (IOException | IllegalArgumentException ex) {
                    problem = "label map " + e.annotation().path() + ": " + ex.getMessage();
                }
            }
            if (problem == null && (truth.height() != size.height() || truth.width() != size.width())) {
                problem = "label map " + e.annotation().path() + " gives " + truth.height() + "x" + truth.width() + " pixels, the image "
                        + size.height() + "x" + size.width();
            }
            if (problem != null) {
                skipped++;
                if (problems.size() < PROBLEMS_LISTED) {
                    problems.add(e.path() + ": " + problem);
                }
                continue;
            }
            requireKnown(truth.labels(), classes, e.annotation().path());
            int[] patchTruth = new int[l.labels().length];
            for (int t = 0; t < patchTruth.length; t++) {
                patchTruth[t] = Short.toUnsignedInt(l.labels()[t]);
            }
            try (NDManager nd = NDManager.newBaseManager(device)) {
                NDArray px = nd.create(l.pixels(), new Shape(1, 3, size.height(), size.width()));
                if (px.getDataType() != tower.dtype()) {
                    px = px.toType(tower.dtype(), false);
                }
                VisionOutput out = tower.forward(px);
                NDArray grid = head.logits(out, nd).reshape(layout.gridH(), layout.gridW(), classes);
                long[] best = grid.argMax(2).toLongArray();
                int[] patchPred = new int[best.length];
                for (int t = 0; t < best.length; t++) {
                    patchPred[t] = (int) best[t];
                }
                patch.add(patchTruth, patchPred, patchPred.length);
                pixel.add(truth.labels(), PixelPredictions.classes(grid, size.height(), size.width()), truth.labels().length);
            }
            used++;
        }
        if (used == 0) {
            throw new IllegalArgumentException("none of the " + examples.size() + " images could be used (" + problems.getFirst() + ")");
        }
        return new Result(pixel, patch, used, skipped, List.copyOf(problems));
    }

    /** A label the head has no class for: one sentence naming the label map (as the cache evaluation refuses one). */
    private static void requireKnown(int[] labels, int classes, String mapPath) {
        for (int v : labels) {
            if (v >= classes) {
                throw new IllegalArgumentException("the label map " + mapPath + " has label " + v + ", but the head knows " + classes
                        + " classes (0.." + (classes - 1) + ")");
            }
        }
    }

    /**
     * {@code saelab head eval --model M --dataset KIND:PATH --resolution pixel}: checks that the file is a segmentation
     * head trained on this model and that the dataset has label maps, scores it on the first {@code limit} images, and
     * writes {@code metrics.json} (the per-patch block under {@code metrics}, as an evaluation on a cache writes it, and
     * the per-pixel block under {@code pixel_metrics}) and {@code per-class.csv} (per-pixel columns, then the per-patch
     * ones prefixed {@code patch_}) to {@code out} atomically.
     *
     * @param modelId  the model as given (hub id or folder), for the provenance check and the record
     * @param modelDir the local model folder
     * @param dataset  {@code KIND:PATH} or {@code manifest:FILE}
     * @param split    the split of a dataset spec (ignored for a manifest)
     * @throws IllegalArgumentException one sentence for a head that is not a segmentation head or was trained on another
     *                                  model, a dataset without label maps or images, and the like
     */
    public static ObjectNode evaluateToFolder(Path headFile, String modelId, Path modelDir, String dataset, String split, int limit, Path out,
                                              Device device) throws IOException {
        LinearHead weights = LinearHead.load(headFile);
        HeadProvenance p = weights.provenance();
        if (p.kind() != HeadKind.SEGMENT) {
            throw new IllegalArgumentException("the head " + headFile + " is a " + p.kind().id() + " head; evaluation at image resolution"
                    + " (--resolution pixel) scores segmentation heads only");
        }
        CacheManifest.ModelRef ref = HeadProvenance.modelOf(modelId, modelDir);
        p.requireModel(ref, headFile, "the model " + modelId);
        DatasetManifest manifest = DatasetManifestFiles.forSpec(dataset, split);
        if (manifest.examples().isEmpty()) {
            throw new IllegalArgumentException("the dataset " + dataset + " lists no images");
        }
        if (manifest.examples().stream().allMatch(e -> e.annotation() == null)) {
            throw new IllegalArgumentException("the dataset " + dataset + " has no label maps; evaluation at image resolution needs a dataset"
                    + " with label maps (e.g. ade20k:PATH)");
        }
        Preprocessor pre = Preprocessor.load(modelDir);
        Result r;
        try (LoadedModel m = ModelLoader.load(modelDir, new LoadOptions(device, DataType.FLOAT32, null))) {
            r = evaluate(SegmentationHead.of(weights, m.vision()), m.vision(), pre, manifest, limit, device);
        }
        List<DatasetManifest.Example> listed = manifest.examples().subList(0, Math.min(limit, manifest.size()));
        ObjectNode json = Json.mapper().createObjectNode();
        json.put("head", headFile.getFileName().toString());
        json.put("kind", p.kind().id());
        json.put("model", modelId);
        json.put("model_weights_sha256", ref.weightsSha256());
        json.put("dataset", dataset);
        json.put("split", dataset.startsWith(CapturePipeline.MANIFEST_PREFIX) ? manifest.split() : split);
        json.put("dataset_checksum", DatasetManifest.checksum(listed));
        json.put("images", listed.size() == manifest.size() ? "all images" : "the first " + listed.size() + " images in dataset order");
        json.put("n_images", r.images());
        json.put("skipped", r.skipped());
        json.set("problems", Json.mapper().valueToTree(r.problems()));
        json.put("upsampling", "bilinear, align_corners=False, logits of the patch grid to the preprocessed image size");
        json.put("label_maps", "nearest-neighbour resize and centre crop of the image preprocessing");
        json.set("metrics", r.patch().toJson());
        json.set("pixel_metrics", r.pixel().toJson());
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("per-class.csv"), SegmentationMetrics.perClassCsv(r.pixel(), r.patch()));
        AtomicFiles.writeString(out.resolve("metrics.json"), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
        return json;
    }
}
