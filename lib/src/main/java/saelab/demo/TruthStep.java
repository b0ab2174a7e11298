package saelab.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import saelab.analysis.ConceptMatching;
import saelab.capture.PreprocessGeometry;
import saelab.data.ResizeCropGeometry;
import saelab.data.ToyWorld;
import saelab.data.ToyWorldObject;
import saelab.data.ToyWorldScene;
import saelab.image.PreprocessConfig;
import saelab.image.Preprocessor;
import saelab.io.Json;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.store.ActivationCache;

/**
 * Step {@code truth-<id>}: the toy world's ground truth ({@link ToyGroundTruth}) for every image of a capture, on
 * that backbone's patch grid (its preprocessing geometry and patch size), written as {@link TruthFile#FILE}. Each
 * image's scene is regenerated from the world's config ({@code world.json}) and its index (the {@code toy_NNNNNN}
 * file name the cache records). As a check of the geometry, every patch that one object covers to more than half
 * must carry that object's class in the cache's own per-patch labels, and every patch that is more than half
 * background label 0; any disagreement stops the step.
 */
final class TruthStep {

    static final int VERSION = 1;
    private static final Pattern STEM = Pattern.compile("toy_(\\d+)\\.png$");

    private TruthStep() {}

    static String name(BackboneProvider p) {
        return name(p.id());
    }

    static String name(String backbone) {
        return "truth-" + backbone;
    }

    static Step of(BackboneProvider provider, StepOutcome world, StepOutcome backbone, StepOutcome capture) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("min_cover", ToyGroundTruth.MIN_COVER);
        params.put("families", Arrays.stream(ToyFamily.values()).map(ToyFamily::id).toList());
        return new Step(name(provider), VERSION, params, List.of(world, backbone, capture), (out, log) -> {
            Path worldJson = WorldStep.worldDir(world).resolve("world.json");
            JsonNode info = Json.mapper().readTree(Files.readAllBytes(worldJson));
            if (!info.hasNonNull("config") || !info.hasNonNull("images")) {
                throw new IllegalArgumentException(worldJson + ": fields 'config' and 'images' expected (a toy world's world.json)");
            }
            ToyWorld tw = Json.mapper().treeToValue(info.get("config"), ToyWorld.class);
            long worldImages = info.get("images").asLong();
            Path model = BackboneStep.modelDir(backbone);
            PreprocessConfig pre = Preprocessor.load(model).config();
            ResizeCropGeometry geometry = PreprocessGeometry.of(pre).orElseThrow(() -> new IllegalArgumentException(pre.source()
                    + ": the preprocessing does not resize; the toy world's per-patch ground truth needs the resize + crop"
                    + " geometry of the images (set size.shortest_edge)"));
            int patchSize;
            try (LoadedModel m = ModelLoader.load(model)) {
                patchSize = m.vision().patchSize();
            }
            Path cacheDir = CaptureStep.cacheDir(capture);
            try (ActivationCache cache = ActivationCache.open(cacheDir)) {
                int n = Math.toIntExact(cache.nImages());
                int gh = cache.tokens().gridH();
                int gw = cache.tokens().gridW();
                int p = gh * gw;
                int[] scene = new int[n];
                short[] cacheLabels = cache.hasPatchLabels() ? new short[n * p] : null;
                for (int i = 0; i < n; i++) {
                    String path = cache.image(i).path();
                    Matcher mt = STEM.matcher(path);
                    if (!mt.find()) {
                        throw new IllegalArgumentException(cacheDir + ": image " + i + " is '" + path + "'; expected a toy-world file"
                                + " toy_NNNNNN.png");
                    }
                    scene[i] = Integer.parseInt(mt.group(1));
                    if (scene[i] >= worldImages) {
                        throw new IllegalArgumentException(cacheDir + ": image " + i + " is scene " + scene[i] + ", but the world in "
                                + worldJson + " has " + worldImages + " images");
                    }
                    if (cacheLabels != null) {
                        System.arraycopy(cache.patchLabels(i), 0, cacheLabels, i * p, p);
                    }
                }
                int[][] labels = new int[ToyFamily.values().length][];
                for (ToyFamily f : ToyFamily.values()) {
                    labels[f.ordinal()] = new int[f.unit() == ConceptMatching.Unit.PATCH ? n * p : n];
                }
                float[] objectCover = new float[n * p];
                float[] bgCover = new float[n * p];
                AtomicLong checked = new AtomicLong();
                AtomicLong disagree = new AtomicLong();
                IntStream.range(0, n).parallel().forEach(i -> {
                    ToyWorldScene sc = tw.scene(scene[i]);
                    ToyGroundTruth.SceneTruth st = ToyGroundTruth.of(sc, geometry, patchSize);
                    if (st.gridHeight() != gh || st.gridWidth() != gw) {
                        throw new IllegalStateException("scene " + scene[i] + " gives a " + st.gridHeight() + "x" + st.gridWidth()
                                + " patch grid under the preprocessing of " + model + ", the cache " + cacheDir + " has " + gh + "x" + gw);
                    }
                    for (ToyFamily f : ToyFamily.values()) {
                        int[] src = st.of(f);
                        System.arraycopy(src, 0, labels[f.ordinal()], i * src.length, src.length);
                    }
                    System.arraycopy(st.objectCover(), 0, objectCover, i * p, p);
                    System.arraycopy(st.backgroundCover(), 0, bgCover, i * p, p);
                    if (cacheLabels != null) {
                        long c = 0;
                        long d = 0;
                        for (int q = 0; q < p; q++) {
                            int want = -1;
                            if (st.objectCover()[q] > 0.5f) {
                                ToyWorldObject o = sc.objects().get(st.object()[q]);
                                want = o.classIndex();
                            } else if (st.backgroundCover()[q] > 0.5f) {
                                want = 0;
                            }
                            if (want >= 0) {
                                c++;
                                d += cacheLabels[i * p + q] == want ? 0 : 1;
                            }
                        }
                        checked.addAndGet(c);
                        disagree.addAndGet(d);
                    }
                });
                if (disagree.get() > 0) {
                    throw new IllegalStateException("the ground truth disagrees with the per-patch labels of " + cacheDir + " on "
                            + disagree.get() + " of " + checked.get() + " patches with a strict majority: the patch geometry"
                            + " (preprocessing of " + model + ", patch size " + patchSize + ") is not the capture's");
                }
                TruthFile.write(out.resolve(TruthFile.FILE), tw, n, gh, gw, patchSize, labels, scene, objectCover, bgCover);
                long objectPatches = Arrays.stream(labels[ToyFamily.COLOUR.ordinal()]).filter(v -> v > 0).count();
                long bgPatches = Arrays.stream(labels[ToyFamily.BACKGROUND.ordinal()]).filter(v -> v > 0).count();
                log.printf("ground truth of %d images on a %dx%d grid (patch %d px): %.1f%% object patches, %.1f%% background;"
                                + " %d majority patches agree with the cache's labels%n", n, gh, gw, patchSize,
                        100.0 * objectPatches / (n * (double) p), 100.0 * bgPatches / (n * (double) p), checked.get());
                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("images", n);
                summary.put("grid", gh + "x" + gw);
                summary.put("patch_size", patchSize);
                summary.put("object_patch_share", Math.round(1e4 * objectPatches / (n * (double) p)) / 1e4);
                summary.put("background_patch_share", Math.round(1e4 * bgPatches / (n * (double) p)) / 1e4);
                summary.put("patches_checked_against_cache_labels", checked.get());
                return summary;
            }
        });
    }

    /** The truth file of a finished truth step. */
    static Path file(StepOutcome truth) {
        return truth.dir().resolve(TruthFile.FILE);
    }
}
