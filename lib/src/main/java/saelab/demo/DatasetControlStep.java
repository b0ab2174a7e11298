package saelab.demo;

import java.util.List;
import java.util.Map;
import saelab.heads.HeadKind;
import saelab.intervene.ControlRun;
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

    /**
     * The protocol with the draws, doses, bootstrap, tolerance and images of {@code cs} (its head epochs unused), the
     * random latents drawn outside the classes' concept latents when {@code excludeConcepts}.
     */
    static Step of(String name, SourceInputs.Model model, HeadKind kind, ControlSize cs, boolean excludeConcepts, SourceInputs.Dataset data,
                   StepOutcome sae, StepOutcome analysis, StepOutcome concepts, StepOutcome heads) {
        Map<String, Object> params = ControlStep.protocolParams(kind, cs, excludeConcepts);
        return new Step(name, VERSION, params, List.of(data.outcome(), model.outcome(), sae, analysis, concepts, heads), (out, log) -> {
            ControlRun.Builder q = ControlRun.Request.builder(kind, model.name(), model.folder(), SaeStep.checkpoint(sae),
                            HeadStep.headFile(heads, kind), data.spec(), concepts.dir(), analysis.dir(), out)
                    .split(data.split()).trainCache(HeadStep.cacheDir(heads));
            Map<String, Object> summary = ControlStep.summary(ControlRun.run(ControlStep.protocol(q, cs, excludeConcepts).build(), DoseResponsePlot::write, log));
            return summary;
        });
    }
}
