package saelab.demo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.capture.CaptureOptions;
import saelab.capture.CapturePipeline;
import saelab.capture.CaptureSummary;
import saelab.capture.TokenSelection;
import saelab.store.CacheManifest;
import saelab.store.StorageDtype;

/**
 * A plan's {@code capture} step on a dataset source: what {@code saelab capture} does ({@link CapturePipeline}), the model
 * (a model source or a backbone step) over the source's manifest at one block, CLS and patch tokens in float16 (with the
 * per-patch labels of an ADE20K-layout dataset and the image labels of the others), into {@code cache/} of the step folder,
 * where the SAE, evaluation and analysis steps read it as they read {@link CaptureStep}'s. Unreadable images are skipped and
 * counted (the capture's default policy) and reported in the summary.
 */
final class DatasetCaptureStep {

    static final int VERSION = 1;

    private DatasetCaptureStep() {}

    /** The capture at {@code block} (0-based; negative counts from the end), {@code batch} images per forward pass. */
    static Step of(String name, SourceInputs.Model model, int block, int batch, SourceInputs.Dataset data) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("block", block);
        params.put("tokens", CaptureStep.TOKENS);
        params.put("dtype", StorageDtype.F16.id());
        params.put("batch", batch);
        return new Step(name, VERSION, params, List.of(data.outcome(), model.outcome()), (out, log) -> {
            int depth = CaptureStep.depthOf(model.folder());
            int chosen = BlockIndex.resolve(block, depth, "capture " + name);
            CaptureOptions o = CaptureOptions.builder(model.folder(), data.spec(), data.split(), List.of(chosen),
                            TokenSelection.parse(CaptureStep.TOKENS), out.resolve(CaptureStep.DIR))
                    .model(model.name(), model.revision()).dtype(StorageDtype.F16).batch(batch).build();
            CaptureSummary s = CapturePipeline.run(o, log);
            CacheManifest m = s.manifest();
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("images", m.nImages());
            summary.put("skipped", s.failures().size());
            summary.put("block", chosen);
            summary.put("depth", depth);
            summary.put("d_model", m.dModel());
            summary.put("grid", m.tokens().gridH() + "x" + m.tokens().gridW());
            summary.put("images_per_second", Math.round(s.imagesPerSecond() * 10) / 10.0);
            return summary;
        });
    }
}
