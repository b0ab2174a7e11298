package saelab.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import saelab.intervene.VlmControlRun;
import saelab.intervene.stats.DoseGrid;
import saelab.lm.ChatTemplate;
import saelab.plot.VlmProtocolPlot;
import saelab.toy.ToyQuestionFile;
import saelab.toy.ToyQuestionType;

/**
 * Step {@code control-vlm-<id>}: the VLM control protocol ({@link VlmControlRun}, what {@code saelab control vlm} runs) of
 * the toy VLM ({@link VlmStep}) on the held-out world, editing the patch SAE of the same backbone (the VLM reads that
 * backbone's block −2, the block the SAE was trained on). The families of the plan's {@code params.families}, in its order,
 * each in its own sub-folder:
 * <ul>
 *   <li>{@code colour}: "what colour is the &lt;shape&gt;?" ({@link ToyQuestionType#COLOUR}), editing the latent the concept
 *       step chose for the answer's colour (patch family {@code colour}, best F1 on the training world) and, for a swap,
 *       the next colour's;</li>
 *   <li>{@code shape}: "what shape is the &lt;colour&gt; object?" ({@link ToyQuestionType#SHAPE}), the same with the
 *       {@code shape} family's latents;</li>
 *   <li>{@code texture}: "what texture is the largest object?" ({@link ToyQuestionType#TEXTURE}), the same with the
 *       {@code texture} family's latents.</li>
 * </ul>
 * Each sub-folder holds the question file ({@code questions.jsonl}, from {@link ToyQuestionFile}) and the protocol's
 * folder; the summary holds per family the rates with intervals and the toy criteria ({@link ToyVlmCriteria}), fixed before
 * the first run and reported, never tuned. A family the protocol cannot run on (fewer than two answer classes with distinct
 * latents, as a small SAE can give) is recorded as {@code not_run} with the reason, and the other family still runs.
 */
final class VlmControlStep {

    /** 2: the swap's dose-response (params.doses). */
    static final int VERSION = 2;
    static final long SEED = 0;
    /** The families a step can run, with their question types. */
    static final Map<String, ToyQuestionType> FAMILIES = families();

    private VlmControlStep() {}

    private static Map<String, ToyQuestionType> families() {
        Map<String, ToyQuestionType> m = new LinkedHashMap<>();
        m.put(ToyFamily.COLOUR.id(), ToyQuestionType.COLOUR);
        m.put(ToyFamily.SHAPE.id(), ToyQuestionType.SHAPE);
        m.put(ToyFamily.TEXTURE.id(), ToyQuestionType.TEXTURE);
        return java.util.Collections.unmodifiableMap(m);
    }


    /** The step with explicit sizes (what a plan's {@code vlm-control} step gives). */
    static Step of(String name, BackboneProvider provider, PlanKinds.VlmControlParams p, StepOutcome heldOut, StepOutcome vlm, StepOutcome sae, StepOutcome analysis,
                   StepOutcome concepts) {
        VlmControlSize vs = p.size();
        DoseGrid doses = p.doseGrid();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("families", p.families());
        params.put("scenes", vs.scenes());
        putProtocol(params, p);
        params.put("first_scene", p.firstImage());
        params.put("seed", SEED);
        return new Step(name, VERSION, params, List.of(heldOut, vlm, sae, analysis, concepts), (out, log) -> {
            Path world = WorldStep.worldDir(heldOut);
            Map<String, Object> summary = new LinkedHashMap<>();
            for (String family : p.families()) {
                Path dir = out.resolve(family);
                java.nio.file.Files.createDirectories(dir);
                Path questions = dir.resolve("questions.jsonl");
                ToyQuestionFile.write(world, Set.of(FAMILIES.get(family)), SEED, p.firstImage(), vs.scenes(), questions);
                log.println("VLM protocol, " + family + " questions:");
                VlmControlRun.Request q = new VlmControlRun.Request("vlm-" + provider.id(), VlmStep.modelDir(vlm), SaeStep.checkpoint(sae),
                        analysis.dir(), concepts.dir(), family, questions, world, dir.resolve("protocol"), null, Integer.MAX_VALUE,
                        vs.draws(), vs.draws(), vs.maxTokens(), ChatTemplate.LLAVA_1_5, SEED, vs.bootstrap(), vs.tolerance(), p.swapDose(), doses,
                        p.excludeConceptLatents());
                VlmControlRun.Outcome r;
                try {
                    r = VlmControlRun.run(q, (s, d) -> VlmProtocolPlot.writeAll("Toy VLM, " + family + " questions (held-out world)", s, d),
                            log);
                } catch (IllegalArgumentException e) { // e.g. a small SAE whose concept step chose one latent for every shape: said, not hidden
                    log.println("VLM protocol, " + family + ": not run: " + e.getMessage());
                    summary.put(family, Map.of("not_run", e.getMessage()));
                    continue;
                }
                summary.put(family, familySummary(family, r, dir.resolve("protocol"), log));
            }
            return summary;
        });
    }

    /** The protocol's own parameters (both controls' draws, bootstrap, tolerance, answer length, tokens edited), as keys record them. */
    static void putProtocol(Map<String, Object> params, PlanKinds.VlmControlParams p) {
        VlmControlSize vs = p.size();
        DoseGrid doses = p.doseGrid();
        params.put("random_latents", vs.draws());
        params.put("random_directions", vs.draws());
        params.put("bootstrap", vs.bootstrap());
        params.put("tolerance", vs.tolerance());
        params.put("max_tokens", vs.maxTokens());
        params.put("tokens", "all image tokens");
        params.put("swap_dose", p.swapDose());
        params.put("exclude_concept_latents", p.excludeConceptLatents());
        params.put("doses", doses == null ? "none" : doses.toString());
    }

    private static Map<String, Object> familySummary(String family, VlmControlRun.Outcome r, Path dir, java.io.PrintStream log)
            throws IOException {
        Map<String, Object> m = protocolSummary(r);
        ToyVlmCriteria.Outcome c = ToyVlmCriteria.evaluate(family, dir);
        log.print("toy VLM criteria:\n" + c.describe());
        m.put("toy_criteria_passed", c.passed());
        m.put("toy_criteria", c.criteria());
        return m;
    }

    /**
     * What a VLM control step's summary keeps of one protocol run: questions, images, clean accuracy, faithfulness, the
     * classes and their latents, and per operation and condition the change and to-target rates over questions.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> protocolSummary(VlmControlRun.Outcome r) {
        Map<String, Object> s = r.summary();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("questions", s.get("questions"));
        m.put("images", s.get("images"));
        m.put("clean_accuracy", s.get("clean_accuracy"));
        m.put("faithfulness", s.get("faithfulness"));
        m.put("classes", r.result().options().classes());
        m.put("latents", r.result().latents());
        Map<String, Object> rates = new LinkedHashMap<>();
        Map<String, Object> ops = (Map<String, Object>) s.get("operations");
        for (Map.Entry<String, Object> op : ops.entrySet()) {
            Map<String, Object> conds = new LinkedHashMap<>();
            for (Map.Entry<String, Object> c : ((Map<String, Object>) op.getValue()).entrySet()) {
                Map<String, Object> cm = (Map<String, Object>) c.getValue();
                Map<String, Object> kept = new LinkedHashMap<>();
                for (String key : List.of("change_rate_micro", "to_target_rate_micro")) {
                    if (cm.containsKey(key)) {
                        kept.put(key.replace("_micro", ""), cm.get(key));
                    }
                }
                conds.put(c.getKey(), kept);
            }
            rates.put(op.getKey(), conds);
        }
        m.put("rates", rates);
        return m;
    }
}
