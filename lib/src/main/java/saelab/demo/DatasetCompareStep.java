package saelab.demo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import saelab.analysis.CrossModelMatching;
import saelab.analysis.CrossModelOutputs;
import saelab.analysis.FeatureAnalysis;
import saelab.analysis.SparseCodes;
import saelab.capture.CaptureOptions;
import saelab.capture.CapturePipeline;
import saelab.capture.TokenSelection;
import saelab.io.FileTrees;
import saelab.store.StorageDtype;

/**
 * A plan's {@code compare} step on a dataset source: latents of two models' SAEs matched by their activations on the same
 * images ({@link CrossModelMatching}, what {@code saelab compare} measures on the codes {@code saelab analyze --codes}
 * writes). Each side's model is captured over the first {@code images} images of the dataset at the block its SAE was
 * trained on, the SAE's codes of every token are written ({@code a/codes/}, {@code b/codes/}; the captures are deleted
 * once encoded), and the two are correlated: per patch when both models have the same patch grid, else per image (a
 * latent's maximum over the image's patches; e.g. DINOv2 at 224 px has 16x16 patches, CLIP ViT-B/16 14x14). Writes
 * {@code matches-a.csv}, {@code matches-b.csv} and {@code summary.json} ({@link CrossModelOutputs}).
 */
final class DatasetCompareStep {

    static final int VERSION = 1;
    /**
     * One side of a comparison.
     *
     * @param label   what the summary calls it (the SAE step's id)
     * @param model   the model captured
     * @param block   the block its SAE reads (as the SAE's capture step gives it)
     * @param sae     the SAE step
     */
    record Side(String label, SourceInputs.Model model, int block, StepOutcome sae) {}

    private DatasetCompareStep() {}

    /**
     * The comparison of {@code a} and {@code b} on the first {@code images} images of {@code data}, refusing a co-moment
     * table over {@code maxTableBytes} (not part of the key: it changes whether the step runs, not what it writes).
     */
    static Step of(String name, String tokens, int images, long maxTableBytes, SourceInputs.Dataset data, Side a, Side b) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("tokens", tokens);
        params.put("images", images);
        params.put("block_a", a.block());
        params.put("block_b", b.block());
        return new Step(name, VERSION, params, List.of(data.outcome(), a.model().outcome(), a.sae(), b.model().outcome(), b.sae()),
                (out, log) -> {
                    Path codesA = encode(a, "a", images, data, out, log);
                    Path codesB = encode(b, "b", images, data, out, log);
                    try (SparseCodes ca = SparseCodes.open(codesA); SparseCodes cb = SparseCodes.open(codesB)) {
                        CrossModelMatching.PatchCodes pa = CrossModelMatching.PatchCodes.of(ca);
                        CrossModelMatching.PatchCodes pb = CrossModelMatching.PatchCodes.of(cb);
                        CrossModelMatching.Unit unit = pa.patches() == pb.patches() ? CrossModelMatching.Unit.PATCH
                                : CrossModelMatching.Unit.IMAGE;
                        CrossModelMatching.Result r = CrossModelMatching.measure(pa, pb, new CrossModelMatching.Options(unit, maxTableBytes));
                        Map<String, Object> inputs = new LinkedHashMap<>();
                        inputs.put("a", a.label());
                        inputs.put("b", b.label());
                        inputs.put("dataset", data.outcome().name());
                        Map<String, Object> s = CrossModelOutputs.write(out, r, unit, new String[] {a.label(), b.label()}, inputs);
                        log.printf(Locale.ROOT, "%d %s units; %s and %s: %s mutual pairs%n", r.units(),
                                unit.name().toLowerCase(Locale.ROOT), a.label(), b.label(), s.get("mutual_pairs"));
                        Map<String, Object> summary = new LinkedHashMap<>();
                        summary.put("unit", unit.name().toLowerCase(Locale.ROOT));
                        summary.put("units", r.units());
                        summary.put("mutual_pairs", s.get("mutual_pairs"));
                        summary.put("a", s.get("a"));
                        summary.put("b", s.get("b"));
                        return summary;
                    }
                });
    }

    /** Captures one side's model over the images, writes its SAE's codes into {@code out/<side>/}, deletes the capture. */
    private static Path encode(Side s, String side, int images, SourceInputs.Dataset data, Path out, PrintStream log) throws Exception {
        Path dir = out.resolve(side);
        Path cache = dir.resolve("cache");
        int chosen = BlockIndex.resolve(s.block(), CaptureStep.depthOf(s.model().folder()), "compare " + s.label());
        CaptureOptions o = CaptureOptions.builder(s.model().folder(), data.spec(), data.split(), List.of(chosen),
                        TokenSelection.parse(CaptureStep.TOKENS), cache)
                .model(s.model().name(), s.model().revision()).dtype(StorageDtype.F16).limit(images).build();
        CapturePipeline.run(o, log);
        FeatureAnalysis.run(SaeStep.checkpoint(s.sae()), cache, dir, FeatureAnalysis.Options.builder().k(1).codes().build());
        FileTrees.deleteTree(cache);
        return dir.resolve(SparseCodes.FOLDER);
    }
}
