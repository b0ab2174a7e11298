package saelab.demo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.heads.HeadKind;
import saelab.intervene.ControlRun;
import saelab.intervene.ControlSlots;
import saelab.intervene.stats.DoseGrid;
import saelab.plot.DoseResponsePlot;

/**
 * A plan's {@code control} step on a dataset source: the control protocol ({@link ControlRun}, what {@code saelab control
 * segment|classify|zeroshot} runs) of one head over the held-out dataset, editing the SAE's latents chosen by the concept
 * step (one label family, matched to the head's classes by name); controls: frequency-matched random latents, random
 * directions of the real edit's per-token norm and the class-mean-difference direction from the head step's capture; the
 * plan's doses. The output folder is the protocol's ({@code per-class.csv}, {@code summary.json}, {@code dose-response.*},
 * {@code edits/}, {@code index.json}).
 */
final class DatasetControlStep {

    static final int VERSION = 1;

    private DatasetControlStep() {}

    /** The protocol with the draws, doses, bootstrap, tolerance and images of {@code cs} (its head epochs unused). */
    static Step of(String name, SourceInputs.Model model, HeadKind kind, ControlSize cs, SourceInputs.Dataset data, StepOutcome sae,
                   StepOutcome analysis, StepOutcome concepts, StepOutcome heads) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("head", kind.id());
        params.put("images", cs.heldOutImages());
        params.put("random_latents", cs.draws());
        params.put("random_directions", cs.draws());
        params.put("class_mean", true);
        params.put("doses", cs.doses());
        params.put("bootstrap", cs.bootstrap());
        params.put("tolerance", cs.tolerance());
        params.put("seed", ControlStep.SEED);
        return new Step(name, VERSION, params, List.of(data.outcome(), model.outcome(), sae, analysis, concepts, heads), (out, log) -> {
            ControlRun.Request q = ControlRun.Request.builder(kind, model.name(), model.folder(), SaeStep.checkpoint(sae),
                            HeadStep.headFile(heads, kind), data.spec(), concepts.dir(), analysis.dir(), out)
                    .split(data.split()).trainCache(HeadStep.cacheDir(heads)).maxImages(cs.heldOutImages())
                    .slots(new ControlSlots(cs.draws(), cs.draws(), true)).doses(DoseGrid.of(cs.doses())).seed(ControlStep.SEED)
                    .bootstrap(cs.bootstrap()).tolerance(cs.tolerance()).build();
            ControlRun.Outcome r = ControlRun.run(q, DoseResponsePlot::write, log);
            Map<String, Object> summary = new LinkedHashMap<>(r.summary());
            summary.put("class_ids", r.classes());
            summary.put("class_names", r.result().names());
            summary.put("latents", r.result().latents());
            return summary;
        });
    }
}
