package saelab.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.data.DatasetManifest;
import saelab.data.DatasetManifestFiles;
import saelab.intervene.ConceptChoice;
import saelab.intervene.DatasetQuestions;
import saelab.intervene.VlmControlRun;
import saelab.intervene.VlmQuestionFile;
import saelab.io.Sha256;
import saelab.plot.VlmProtocolPlot;
import saelab.sae.SaeCheckpoint;

/**
 * A plan's {@code vlm-control} step on a dataset source: the VLM control protocol ({@link VlmControlRun}, what
 * {@code saelab control vlm} runs) of a LLaVA model source over the held-out split, asking every chosen image the plan's
 * question (e.g. "What species of bird is this?") whose expected answer is the image's class name, and editing the SAE
 * trained on the features the model's language part reads (a capture of the same LLaVA folder at its
 * {@code vision_feature_layer}). The latents are the concept step's, matched to the dataset's image labels on the training
 * split; the images are drawn to cover as many of those classes as possible ({@link DatasetQuestions}). One family,
 * {@value #FAMILY}: {@code class/questions.jsonl} and the protocol's folder {@code class/protocol/} (the same layout as
 * the toy step's families, so readers handle both). No criteria are applied: a dataset has no ground truth of what each
 * latent encodes, so the summary reports the rates against the controls as measured.
 */
final class DatasetVlmControlStep {

    /** 2: the swap's dose-response (params.doses). */
    static final int VERSION = 2;
    /** The one question family of a dataset: the image's class. */
    static final String FAMILY = "class";

    private DatasetVlmControlStep() {}

    static Step of(String name, SourceInputs.Model vlm, PlanKinds.VlmControlParams p, SourceInputs.Dataset data, StepOutcome sae,
                   StepOutcome analysis, StepOutcome concepts) {
        VlmControlSize vs = p.size();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("families", List.of(FAMILY));
        params.put("question", p.question());
        params.put("chat_template", p.chatTemplate().id());
        params.put("images", vs.scenes());
        VlmControlStep.putProtocol(params, p);
        params.put("seed", VlmControlStep.SEED);
        return new Step(name, VERSION, params, List.of(data.outcome(), vlm.outcome(), sae, analysis, concepts), (out, log) -> {
            Path checkpoint = SaeStep.checkpoint(sae);
            ConceptChoice choice = ConceptChoice.read(concepts.dir(), null, Sha256.of(checkpoint), SaeCheckpoint.config(checkpoint).dSae());
            List<String> eligible = new ArrayList<>();
            for (int c : choice.classes()) {
                if (choice.choice(c).latent() >= 0) {
                    eligible.add(choice.choice(c).name());
                }
            }
            DatasetManifest m = DatasetManifestFiles.forSpec(data.spec(), data.split());
            Path dir = Files.createDirectories(out.resolve(FAMILY));
            Path questions = dir.resolve("questions.jsonl");
            List<VlmQuestionFile.Row> rows = DatasetQuestions.rows(m, eligible, p.question(), vs.scenes(), VlmControlStep.SEED);
            VlmQuestionFile.write(questions, rows);
            log.println("VLM protocol, " + rows.size() + " images of " + rows.stream().map(VlmQuestionFile.Row::answer).distinct().count()
                    + " classes asked '" + p.question() + "':");
            VlmControlRun.Request q = new VlmControlRun.Request(vlm.name(), vlm.folder(), checkpoint, analysis.dir(), concepts.dir(), null,
                    questions, Path.of(m.root()), dir.resolve("protocol"), null, Integer.MAX_VALUE, vs.draws(), vs.draws(), vs.maxTokens(),
                    p.chatTemplate(), VlmControlStep.SEED, vs.bootstrap(), vs.tolerance(), p.swapDose(), p.doseGrid(), p.excludeConceptLatents());
            VlmControlRun.Outcome r = VlmControlRun.run(q, (s, d) -> VlmProtocolPlot.writeAll(vlm.name() + " on " + name + ": '" + p.question()
                    + "'", s, d), log);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put(FAMILY, VlmControlStep.protocolSummary(r));
            return summary;
        });
    }
}
