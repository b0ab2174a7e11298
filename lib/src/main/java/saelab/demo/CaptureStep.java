package saelab.demo;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.capture.CaptureOptions;
import saelab.capture.CapturePipeline;
import saelab.capture.CaptureSummary;
import saelab.capture.TokenSelection;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.store.CacheManifest;
import saelab.store.StorageDtype;

/**
 * Step {@code capture-<id>}: captures the backbone at the chosen block over the world's ADE20K layout
 * ({@link CapturePipeline}), CLS and patch tokens in float16 with the per-patch segmentation labels, into
 * {@code cache/} of the step folder.
 */
final class CaptureStep {

    static final int VERSION = 1;
    static final String DIR = "cache";
    static final String TOKENS = "cls,patches";

    private CaptureStep() {}

    static String name(BackboneProvider p) {
        return name(p.id());
    }

    static String name(String backbone) {
        return "capture-" + backbone;
    }

    /**
     * The capture at {@code block} (0-based; negative counts from the end, {@link BlockIndex#resolve}),
     * {@code batch} images per forward pass.
     */
    static Step of(BackboneProvider provider, int block, int batch, StepOutcome world, StepOutcome backbone) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("block", block);
        params.put("tokens", TOKENS);
        params.put("dtype", StorageDtype.F16.id());
        params.put("batch", batch);
        return new Step(name(provider), VERSION, params, List.of(world, backbone), (out, log) -> {
            Path model = BackboneStep.modelDir(backbone);
            int depth = depthOf(model);
            int chosen = BlockIndex.resolve(block, depth, "capture " + provider.id());
            CaptureOptions o = CaptureOptions.builder(model, "ade20k:" + WorldStep.worldDir(world), "train", List.of(chosen),
                            TokenSelection.parse(TOKENS), out.resolve(DIR))
                    .dtype(StorageDtype.F16).batch(batch).build();
            CaptureSummary s = CapturePipeline.run(o, log);
            if (!s.failures().isEmpty()) {
                throw new IllegalStateException("capture of backbone " + provider.id() + " could not use " + s.failures().size()
                        + " toy-world image(s), first " + s.failures().getFirst());
            }
            CacheManifest m = s.manifest();
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("images", m.nImages());
            summary.put("block", chosen);
            summary.put("depth", depth);
            summary.put("d_model", m.dModel());
            summary.put("grid", m.tokens().gridH() + "x" + m.tokens().gridW());
            summary.put("images_per_second", Math.round(s.imagesPerSecond() * 10) / 10.0);
            return summary;
        });
    }

    /** The number of blocks of a model folder's vision tower (the demo's block rule counts from its end). */
    static int depthOf(Path model) throws java.io.IOException {
        try (LoadedModel m = ModelLoader.load(model)) {
            return m.vision().depth();
        }
    }

    /** The cache folder of a finished capture step. */
    static Path cacheDir(StepOutcome capture) {
        return capture.dir().resolve(DIR);
    }
}
