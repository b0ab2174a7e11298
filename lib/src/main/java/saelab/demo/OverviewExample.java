package saelab.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import saelab.heads.HeadKind;
import saelab.intervene.ConceptChoice;
import saelab.io.Json;

/**
 * The one example of the paper's Figure 1 (observation → explanation → experiment), chosen from a finished demo run by
 * rules fixed here, never by looking at what the edit does:
 * <ol>
 *   <li>the concept: among the classes the control run {@code control-<backbone>-<head>} edited whose edited latent is
 *       the concept match's best-F1 latent for that class (the protocol's own choice, {@link ConceptChoice}), the one
 *       whose latent has the highest F1 on the training split; ties go to the lower class id. F1 is measured on the
 *       training world before any edit, so the rule does not see the held-out outcome;</li>
 *   <li>the image, the edit and its random-direction control: {@link ControlExamples#image(DemoOutputs, String, HeadKind, int)}
 *       for that class (the first held-out image with enough patches of the class, the protocol's most specific dose).</li>
 * </ol>
 *
 * @param backbone the model whose patch SAE is edited (a backbone step's name without {@code backbone-}, or a model source)
 * @param head     the head of the control run
 * @param family   the concept family the control run matched its classes in (the {@code inputs.family} of its index), or
 *                 {@code label} for a dataset's one family of labels
 * @param concept  the chosen concept
 * @param example  the held-out image, the real edit and the random-direction control
 */
public record OverviewExample(String backbone, HeadKind head, String family, Candidate concept, ControlExamples.ImageExample example) {

    /**
     * One class the control run edited, with the training-split score of its latent.
     *
     * @param classId the head's class id
     * @param name    its name
     * @param latent  the latent the protocol edited for it
     * @param f1      that latent's F1 for the class on the training split (the concept match's {@code best_f1})
     */
    public record Candidate(int classId, String name, int latent, double f1) {}

    /**
     * Chooses the example of one control run (see the class comment).
     *
     * @throws IllegalArgumentException in one sentence when the run, its index, its edits, the concepts folder or a fitting
     *                                  held-out image is missing, or no edited latent is the concept match's choice
     */
    public static OverviewExample choose(DemoOutputs d, String backbone, HeadKind head) throws IOException {
        return choose(d, ControlStep.name(backbone, head));
    }

    /**
     * Chooses the example of any control step of a run, a demo's or a plan's (see the class comment): its SAE's analysis and
     * its concepts folder are the step's inputs; a control run without a family matched the one family of its concepts
     * (a dataset's labels).
     *
     * @throws IllegalArgumentException in one sentence as {@link #choose(DemoOutputs, String, HeadKind)}
     */
    public static OverviewExample choose(DemoOutputs d, String controlStep) throws IOException {
        Path run = d.dir(controlStep);
        Path index = run.resolve("index.json");
        if (!Files.isRegularFile(index)) {
            throw new IllegalArgumentException("the control run " + run + " has no index.json; expected a finished 'saelab control' run");
        }
        JsonNode inputs;
        try {
            inputs = Json.mapper().readTree(index.toFile()).path("inputs");
        } catch (IOException e) {
            throw new IllegalArgumentException(index + " is not readable JSON (" + e.getMessage() + "); expected the index of 'saelab control'", e);
        }
        String family = inputs.path("family").isTextual() && !inputs.path("family").asText().isBlank() ? inputs.path("family").asText() : null;
        String analysisStep = d.input(controlStep, "analysis");
        String conceptsStep = d.input(controlStep, "concepts");
        if (analysisStep == null || conceptsStep == null) {
            throw new IllegalArgumentException(d.work().resolve(DemoPipeline.SUMMARY) + ": control step '" + controlStep
                    + "' has no input " + (analysisStep == null ? "'analysis'" : "'concepts'") + "; expected the SAE's analysis and concepts");
        }
        Path analysis = d.dir(analysisStep).resolve("index.json");
        if (!Files.isRegularFile(analysis)) {
            throw new IllegalArgumentException("the analysis of the control run's SAE has no " + analysis + "; expected a finished"
                    + " 'saelab analyze' run");
        }
        int dSae;
        try {
            dSae = Json.mapper().readTree(analysis.toFile()).path("d_sae").asInt(0);
        } catch (IOException e) {
            throw new IllegalArgumentException(analysis + " is not readable JSON (" + e.getMessage() + "); expected the index of 'saelab analyze'",
                    e);
        }
        if (dSae < 1) {
            throw new IllegalArgumentException(analysis + " has no positive field d_sae; expected the index of 'saelab analyze'");
        }
        ConceptChoice concepts = ConceptChoice.read(d.dir(conceptsStep), family, null, dSae);
        Candidate best = pick(candidates(ControlExamples.chosenLatents(run), concepts), run.resolve("edits").toString());
        HeadKind head = d.head(controlStep);
        String model = d.input(controlStep, "backbone");
        String backbone = model == null ? controlStep : model.startsWith("backbone-") ? model.substring("backbone-".length()) : model;
        return new OverviewExample(backbone, head, family == null ? "label" : family, best, ControlExamples.image(d, controlStep, best.classId()));
    }

    /**
     * The classes a control run edited whose edited latent is the concept match's best-F1 latent of the row with the same
     * name (names compared after trimming), in class-id order.
     *
     * @param edited   per edited class id: {name, latent}, as {@code edits/class-<id>.json} holds them
     * @param concepts the concept match of the run's family
     */
    static List<Candidate> candidates(Map<Integer, Object[]> edited, ConceptChoice concepts) {
        List<Candidate> out = new ArrayList<>();
        for (int c : edited.keySet().stream().sorted().toList()) {
            String name = ((String) edited.get(c)[0]).strip();
            int latent = (Integer) edited.get(c)[1];
            for (int row : concepts.classes()) {
                ConceptChoice.Choice ch = concepts.choice(row);
                if (ch.name().strip().equals(name) && ch.latent() == latent && !Double.isNaN(ch.f1())) {
                    out.add(new Candidate(c, name, latent, ch.f1()));
                }
            }
        }
        return out;
    }

    /**
     * The rule: the candidate with the highest F1, ties to the lower class id.
     *
     * @param where what the candidates came from, for the sentence when there is none
     * @throws IllegalArgumentException when there is no candidate
     */
    static Candidate pick(List<Candidate> candidates, String where) {
        Candidate best = null;
        for (Candidate c : candidates) {
            if (best == null || c.f1() > best.f1() || c.f1() == best.f1() && c.classId() < best.classId()) {
                best = c;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException(where + ": no edited class's latent is the concept match's best-F1 latent for that class;"
                    + " expected the edits of a control run that chose its latents from this concepts folder");
        }
        return best;
    }
}
