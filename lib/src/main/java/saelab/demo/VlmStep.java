package saelab.demo;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import saelab.data.ToyWorld;
import saelab.toy.ToyVlmReport;
import saelab.toy.ToyVlmScore;
import saelab.toy.ToyVlmSpec;
import saelab.toy.ToyVlmTrainer;

/**
 * Step {@code vlm-<id>}: the toy VLM over a toy CLIP-layout backbone ({@link ToyVlmTrainer}): its frozen vision tower at
 * block −2 (the block the patch SAE reads), a projector and a small Llama decoder trained on the world's question-answer
 * pairs, saved as a Hugging Face LLaVA folder in {@code model/} that {@code saelab.lm.llava.LlavaModel} loads unchanged;
 * the summary holds the held-out accuracy per question type beside its chance level.
 */
final class VlmStep {

    static final int VERSION = 1;
    static final String DIR = "model";

    private VlmStep() {}

    static String name(BackboneProvider p) {
        return "vlm-" + p.id();
    }

    /** The toy VLM of {@code spec} over a backbone trained on the toy world {@code world}. */
    static Step of(BackboneProvider provider, ToyVlmSpec spec, ToyWorld world, StepOutcome backbone) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("generator", ToyVlmTrainer.GENERATOR);
        params.put("spec", spec.toJson());
        params.put("world", world);
        return new Step(name(provider), VERSION, params, List.of(backbone), (out, log) -> {
            ToyVlmReport r = ToyVlmTrainer.train(spec, world, BackboneStep.modelDir(backbone), out.resolve(DIR), log);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("final_loss", r.finalLoss());
            summary.put("training_seconds", Math.round(r.trainingSeconds() * 10) / 10.0);
            for (ToyVlmScore s : r.scores()) {
                Map<String, Object> q = new LinkedHashMap<>();
                q.put("questions", s.questions());
                q.put("accuracy", s.accuracy());
                q.put("chance", s.chance());
                summary.put(s.type().name().toLowerCase(Locale.ROOT), q);
            }
            return summary;
        });
    }

    /** The LLaVA folder of a finished VLM step. */
    static Path modelDir(StepOutcome vlm) {
        return vlm.dir().resolve(DIR);
    }
}
