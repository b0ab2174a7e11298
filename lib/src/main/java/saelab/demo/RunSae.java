package saelab.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import saelab.store.TokenKind;

/**
 * One SAE of a run, found by kind and role in the run's index ({@link DemoOutputs}): its {@code sae} step, the capture it
 * was trained on and the model that capture read, and the {@code eval} and {@code analyze} steps that read it. The same
 * lookup serves a demo run (toy backbones) and a paper run (model sources and datasets).
 *
 * @param step     the SAE step's id, e.g. {@code sae-clip-patch} or {@code sae-dinov2-in1k-patch}
 * @param capture  the capture step it was trained on
 * @param model    the model reference of that capture: a backbone step's id or a model source's name
 * @param kind     the tokens it was trained on (its step's {@code tokens} parameter)
 * @param eval     its first eval step, or null when the run evaluates it nowhere
 * @param analysis its first analyze step, or null
 */
public record RunSae(String step, String capture, String model, TokenKind kind, String eval, String analysis) {

    /** The prefix of the demo's and the paper plan's SAE step ids, left out of {@link #id()}. */
    private static final String PREFIX = "sae-";

    static RunSae of(DemoOutputs run, String step) throws IOException {
        String capture = run.input(step, "capture");
        if (capture == null) {
            throw new IllegalArgumentException(run.work().resolve(DemoPipeline.SUMMARY) + ": SAE step '" + step
                    + "' has no input 'capture'; expected the capture step it was trained on");
        }
        String model = run.input(capture, "model");
        String tokens = run.params(step).path("tokens").asText("patches");
        TokenKind kind = tokens.equals("cls") ? TokenKind.CLS : TokenKind.PATCHES;
        return new RunSae(step, capture, model, kind, first(run.readers("eval", "sae", step)), first(run.readers("analyze", "sae", step)));
    }

    private static String first(List<String> steps) {
        return steps.isEmpty() ? null : steps.getFirst();
    }

    /**
     * The step id without {@code sae-} and without a last word {@code -patch} or {@code -cls}: {@code clip},
     * {@code clip-concept}, {@code dinov2-in1k}; unique among a run's SAEs of one token kind when the ids follow the plans'
     * naming, so figure ids are made from it.
     */
    public String stem() {
        String name = step.startsWith(PREFIX) ? step.substring(PREFIX.length()) : step;
        for (String last : List.of("-patch", "-patches", "-cls")) {
            if (name.endsWith(last) && name.length() > last.length()) {
                return name.substring(0, name.length() - last.length());
            }
        }
        return name;
    }

    /** A short name for tables and legends: {@link #stem()} and the tokens, e.g. {@code clip patch}, {@code dinov2-in1k cls}. */
    public String id() {
        return stem() + " " + tokens();
    }

    /** The model's display name: a backbone step's id without {@code backbone-}, or the source's name. */
    public String modelName() {
        return model.startsWith("backbone-") ? model.substring("backbone-".length()) : model;
    }

    /** {@code patch} or {@code cls}. */
    public String tokens() {
        return kind == TokenKind.CLS ? "cls" : "patch";
    }

    /** The checkpoint. */
    public Path checkpoint(DemoOutputs run) {
        return run.dir(step).resolve(SaeStep.CHECKPOINT);
    }

    /** The activation cache it was trained on. */
    public Path cache(DemoOutputs run) {
        return run.dir(capture).resolve(CaptureStep.DIR);
    }

    /** The eval step's folder ({@code metrics.json}, {@code latents.csv}). */
    public Path evalDir(DemoOutputs run) {
        return run.dir(required(run, eval, "eval"));
    }

    /** The analyze step's folder ({@code density.csv} and what {@code saelab analyze} writes). */
    public Path analysisDir(DemoOutputs run) {
        return run.dir(required(run, analysis, "analyze"));
    }

    private String required(DemoOutputs run, String s, String kindName) {
        if (s == null) {
            throw new IllegalArgumentException(run.work().resolve(DemoPipeline.SUMMARY) + ": no " + kindName + " step reads SAE step '"
                    + step + "'; the plan must give it one (kind '" + kindName + "', input 'sae': '" + step + "')");
        }
        return s;
    }
}
