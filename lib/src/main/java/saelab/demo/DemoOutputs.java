package saelab.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import saelab.io.ConfinedPaths;
import saelab.io.Json;
import saelab.store.TokenKind;

/**
 * A finished demo run read back from its {@code demo.json} ({@link DemoPipeline#SUMMARY}): where each step's
 * output lies, for notebooks and tools. Paths are resolved inside the work folder (a step folder named outside it
 * is refused); every accessor checks that the step exists in this run and names the file and step when it does not.
 *
 * @param work    the work folder
 * @param summary the parsed {@code demo.json}
 */
public record DemoOutputs(Path work, JsonNode summary) {

    /**
     * Reads {@code <work>/demo.json}.
     *
     * @throws IOException when the file is missing (with a hint to run {@code saelab demo}) or is not a demo summary
     */
    public static DemoOutputs open(Path work) throws IOException {
        Path file = work.resolve(DemoPipeline.SUMMARY);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no demo run here; run ./saelab demo (or ./saelab reproduce)"
                    + " to build it, or point SAELAB_DEMO_WORK at the work folder of one");
        }
        JsonNode root = Json.mapper().readTree(file.toFile());
        if (!DemoPipeline.FORMAT.equals(root.path("format").asText()) || !root.path("steps").isObject()) {
            throw new IOException(file + ": field 'format' is '" + root.path("format").asText() + "'; expected '"
                    + DemoPipeline.FORMAT + "' with an object 'steps'");
        }
        return new DemoOutputs(work.toAbsolutePath().normalize(), root);
    }

    /** {@code quick}, {@code demo} or a custom size name. */
    public String size() {
        return summary.path("size").asText();
    }

    /** Step names in run order. */
    public List<String> steps() {
        List<String> out = new ArrayList<>();
        summary.path("steps").fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** The backbone ids of the run ({@code clip}, {@code dinov2}, ...), in run order. */
    public List<String> backbones() {
        List<String> out = new ArrayList<>();
        for (String s : steps()) {
            if (s.startsWith("backbone-")) {
                out.add(s.substring("backbone-".length()));
            }
        }
        return out;
    }

    /** One step's record: key, dir, status, seconds, summary. */
    public JsonNode step(String name) {
        JsonNode n = summary.path("steps").path(name);
        if (n.isMissingNode()) {
            throw new IllegalArgumentException(work.resolve(DemoPipeline.SUMMARY) + ": no step '" + name + "'; the run has "
                    + steps());
        }
        return n;
    }

    /**
     * A step's kind ({@link StepRole}: a plan step kind such as {@code sae}, or {@code source}).
     *
     * @throws IllegalArgumentException when the step is missing, or the index predates kinds (written by an older saelab:
     *                                  running the plan again rewrites it without rebuilding anything)
     */
    public String kind(String name) {
        JsonNode k = step(name).path("kind");
        if (!k.isTextual()) {
            throw new IllegalArgumentException(work.resolve(DemoPipeline.SUMMARY) + ": step '" + name + "' has no field 'kind'; the"
                    + " index was written by an older saelab: run the plan again (nothing is rebuilt) to record kinds and roles");
        }
        return k.asText();
    }

    /** A step's inputs by role (role → step id or source name), in the plan's order; empty for a step with none. */
    public Map<String, String> inputs(String name) {
        kind(name);
        Map<String, String> out = new java.util.LinkedHashMap<>();
        step(name).path("inputs").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** The input of {@code role} of a step, or null when the step has none. */
    public String input(String name, String role) {
        return inputs(name).get(role);
    }

    /** The head kind a control step ran with (its {@code head} parameter), or one sentence naming the step. */
    public saelab.heads.HeadKind head(String controlStep) throws IOException {
        return saelab.heads.HeadKind.parse(params(controlStep).path("head").asText(), "control step " + controlStep + ": parameter 'head'");
    }

    /** The plan's note on a step, or null when it has none. */
    public String note(String name) {
        JsonNode n = step(name).path("note");
        return n.isTextual() ? n.asText() : null;
    }

    /**
     * The step of {@code kind} that serves paper section {@code section} (e.g. {@code 4.1}): the first whose plan note starts
     * with {@code section <section>} and no further digit, the plans' convention.
     *
     * @throws IllegalArgumentException naming the index, the kind and the section when no step's note names it
     */
    public String forSection(String kind, String section) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("^section " + java.util.regex.Pattern.quote(section) + "(?![0-9.]*[0-9])");
        for (String s : ofKind(kind)) {
            String n = note(s);
            if (n != null && p.matcher(n).find()) {
                return s;
            }
        }
        throw new IllegalArgumentException(work.resolve(DemoPipeline.SUMMARY) + ": no " + kind + " step has a note starting 'section "
                + section + "'; the plan ties its steps to paper sections by their notes (steps of that kind: " + ofKind(kind) + ")");
    }

    /** The steps of one kind, in run order. */
    public List<String> ofKind(String kind) {
        List<String> out = new ArrayList<>();
        for (String s : steps()) {
            if (kind(s).equals(kind)) {
                out.add(s);
            }
        }
        return out;
    }

    /** The steps of {@code kind} whose input {@code role} is {@code step}, in run order (e.g. the eval steps of an SAE). */
    public List<String> readers(String kind, String role, String step) {
        List<String> out = new ArrayList<>();
        for (String s : ofKind(kind)) {
            if (step.equals(input(s, role))) {
                out.add(s);
            }
        }
        return out;
    }

    /** The parameters a step ran with, from its {@code step.json} ({@link StepRunner#STEP_FILE}). */
    public JsonNode params(String name) throws IOException {
        Path file = dir(name).resolve(StepRunner.STEP_FILE);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "step '" + name + "' of " + work.resolve(DemoPipeline.SUMMARY)
                    + " has no record; run the plan again");
        }
        return Json.mapper().readTree(file.toFile()).path("params");
    }

    /**
     * The model folder a model reference of a step names: a backbone step's trained folder, or the folder a model source
     * step found (its {@code folder}; a hub model's snapshot in the hub cache).
     */
    public Path modelFolder(String ref) {
        if (summary.path("steps").has(ref) && kind(ref).equals("backbone")) {
            return dir(ref).resolve(BackboneStep.DIR);
        }
        String source = SourceStep.PREFIX + ref;
        String folder = step(source).path("summary").path("folder").asText("");
        if (folder.isEmpty()) {
            throw new IllegalArgumentException(work.resolve(DemoPipeline.SUMMARY) + ": step '" + source + "' has no field"
                    + " 'summary.folder'; expected the model source's folder");
        }
        return Path.of(folder);
    }

    /**
     * Every SAE of the run ({@code sae} steps, in run order) with the steps that read it and the capture it was trained on.
     *
     * @throws IOException when a step's record cannot be read
     */
    public List<RunSae> saes() throws IOException {
        List<RunSae> out = new ArrayList<>();
        for (String s : ofKind("sae")) {
            out.add(RunSae.of(this, s));
        }
        return out;
    }

    /**
     * The dataset spec of a dataset source a step read ({@code manifest:} the source step's {@code dataset.json}, the exact
     * list of examples its key names).
     */
    public String datasetSpec(String source) {
        return saelab.capture.CapturePipeline.MANIFEST_PREFIX + dir(SourceStep.PREFIX + source).resolve(SourceStep.MANIFEST);
    }

    /** The split of a dataset source ({@code split} of its source step's parameters), or null for a layout without splits. */
    public String datasetSplit(String source) throws IOException {
        JsonNode split = params(SourceStep.PREFIX + source).path("split");
        return split.isTextual() ? split.asText() : null;
    }

    /** Whether {@code ref} (a step input) names a toy-world step of this run, rather than a dataset source. */
    public boolean isWorld(String ref) {
        return summary.path("steps").has(ref) && kind(ref).equals("world");
    }

    /**
     * The folder the images of a step's dataset input lie under: a toy-world step's world folder, or the root a dataset
     * source's manifest records.
     */
    public Path imageRoot(String datasetRef) throws IOException {
        if (isWorld(datasetRef)) {
            return dir(datasetRef).resolve(WorldStep.DIR);
        }
        Path manifest = dir(SourceStep.PREFIX + datasetRef).resolve(SourceStep.MANIFEST);
        String root = Json.mapper().readTree(manifest.toFile()).path("root").asText("");
        if (root.isEmpty()) {
            throw new IllegalArgumentException(manifest + ": field 'root' is missing; expected the dataset's folder");
        }
        return Path.of(root);
    }

    /**
     * The held-out images a head of {@code kind} is shown or measured on, as a dataset spec and split: on a toy-world step
     * the view of that world the head's classes come from ({@link #heldOutDataset}), on a dataset source its manifest.
     */
    public String[] images(String datasetRef, saelab.heads.HeadKind kind) throws IOException {
        if (isWorld(datasetRef)) {
            return new String[] {HeadStep.dataset(dir(datasetRef).resolve(WorldStep.DIR), kind == saelab.heads.HeadKind.SEGMENT),
                    HeadStep.split(kind == saelab.heads.HeadKind.SEGMENT)};
        }
        return new String[] {datasetSpec(datasetRef), datasetSplit(datasetRef)};
    }

    /**
     * The prompt templates a heads step's zero-shot head averaged ({@code {}} stands for the class name), as its record
     * says: the list itself (the toy world's, {@link HeadStep}) or the name of a set ({@code simple7}, {@code openai80}:
     * {@link DatasetHeadStep}); empty for a heads step without a zero-shot head.
     *
     * @throws IllegalArgumentException when the record names no template set
     */
    public List<String> zeroShotTemplates(String headsStep) throws IOException {
        JsonNode t = params(headsStep).path("templates");
        if (PlanKinds.NO_TEMPLATES.equals(t.asText(null))) {
            return List.of();
        }
        if (t.isArray()) {
            List<String> out = new ArrayList<>();
            t.forEach(x -> out.add(x.asText()));
            return out;
        }
        if (t.isTextual() && saelab.text.PromptTemplates.NAMES.contains(t.asText())) {
            return saelab.text.PromptTemplates.named(t.asText());
        }
        throw new IllegalArgumentException(dir(headsStep).resolve(StepRunner.STEP_FILE) + ": field 'params.templates' is " + t
                + "; expected the zero-shot head's templates or one of " + saelab.text.PromptTemplates.NAMES);
    }

    /** A step's output folder. */
    public Path dir(String name) {
        return ConfinedPaths.resolve(work, step(name).path("dir").asText(), work.resolve(DemoPipeline.SUMMARY),
                "steps." + name + ".dir");
    }

    /** The toy world's folder ({@code images/}, the ADE20K layout, {@code captions.jsonl}, {@code world.json}). */
    public Path world() {
        return dir(WorldStep.NAME).resolve(WorldStep.DIR);
    }

    /** A backbone's Hugging Face model folder. */
    public Path model(String backbone) {
        return dir(BackboneStep.name(backbone)).resolve(BackboneStep.DIR);
    }

    /** A backbone's activation cache. */
    public Path cache(String backbone) {
        return dir(CaptureStep.name(backbone)).resolve(CaptureStep.DIR);
    }

    /** The SAE checkpoint trained on a backbone's patch or CLS tokens. */
    public Path sae(String backbone, TokenKind kind) {
        return dir(SaeStep.name(backbone, kind)).resolve(SaeStep.CHECKPOINT);
    }

    /** The SAE step's folder (checkpoint and {@code metrics.jsonl}, the training curve). */
    public Path saeDir(String backbone, TokenKind kind) {
        return dir(SaeStep.name(backbone, kind));
    }

    /** The evaluation folder ({@code metrics.json}, per-latent statistics). */
    public Path eval(String backbone, TokenKind kind) {
        return dir(EvalStep.name(backbone, kind));
    }

    /** The feature-analysis folder (what {@code saelab analyze} writes; {@code show-latent} reads it). */
    public Path analysis(String backbone, TokenKind kind) {
        return dir(AnalyzeStep.name(backbone, kind));
    }

    /** The concept-matching folder ({@code concepts.csv}, tables and bar charts). */
    public Path concepts(String backbone, TokenKind kind) {
        return dir(ConceptStep.name(backbone, kind));
    }

    /**
     * The question families of a VLM control step, in order ({@code families} of its parameters): {@code colour} and
     * {@code shape} on the toy world ({@link VlmControlStep}), {@code class} on a dataset ({@link DatasetVlmControlStep}).
     */
    public List<String> vlmFamilies(String step) throws IOException {
        List<String> out = new ArrayList<>();
        params(step).path("families").forEach(f -> out.add(f.asText()));
        if (out.isEmpty()) {
            throw new IllegalArgumentException(dir(step).resolve(StepRunner.STEP_FILE) + ": field 'params.families' is missing or empty;"
                    + " expected the VLM control step's question families");
        }
        return out;
    }

    /**
     * The VLM control protocol's folder of one family of a VLM control step: {@code per-class.csv}, {@code answers.csv},
     * {@code summary.json}, {@code vlm-protocol.png/pdf/csv}, {@code index.json}; its question file is
     * {@code questions.jsonl} in the folder above.
     */
    public Path vlmProtocol(String step, String family) throws IOException {
        List<String> families = vlmFamilies(step);
        if (!families.contains(family)) {
            throw new IllegalArgumentException("the VLM control step " + step + " has no family '" + family + "'; expected one of "
                    + String.join(", ", families));
        }
        return dir(step).resolve(family).resolve("protocol");
    }

    /** The vlm step (a toy VLM trained by the run) a VLM control step asks, or null when it asks a model source. */
    public String toyVlm(String step) {
        String vlm = input(step, "vlm");
        return summary.path("steps").has(vlm) && kind(vlm).equals("vlm") ? vlm : null;
    }

    /** The LLaVA folder a VLM control step asks: the toy VLM of its vlm step, or its model source's folder. */
    public Path vlmFolder(String step) {
        String toy = toyVlm(step);
        return toy != null ? dir(toy).resolve(VlmStep.DIR) : modelFolder(input(step, "vlm"));
    }

    /** A control step's output folder ({@code per-class.csv}, {@code summary.json}, the dose-response files, {@code edits/}). */
    public Path control(String backbone, saelab.heads.HeadKind head) {
        return dir(ControlStep.name(backbone, head));
    }

    /**
     * A task head trained on a backbone by the run's head step ({@code heads-<backbone>}): {@code segment.safetensors},
     * {@code classify.safetensors} or {@code zeroshot.safetensors}.
     *
     * @throws IllegalArgumentException when the run has no head step for the backbone or the step wrote no head of that kind
     */
    public Path head(String backbone, saelab.heads.HeadKind kind) {
        Path file = dir(HeadStep.name(backbone)).resolve(kind.id() + ".safetensors");
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new IllegalArgumentException(work.resolve(DemoPipeline.SUMMARY) + ": step " + HeadStep.name(backbone) + " has no "
                    + kind.id() + " head (" + file.getFileName() + "); the run trained other heads on " + backbone);
        }
        return file;
    }

    /** The prompt templates the run's zero-shot heads average over ({@code {}} stands for the class name). */
    public List<String> zeroShotTemplates() {
        return HeadStep.templates();
    }

    /** The held-out world's view a head of this kind is evaluated on, as a dataset spec ({@code saelab.data.Datasets}). */
    public String heldOutDataset(saelab.heads.HeadKind kind) {
        return HeadStep.dataset(heldOutWorld(), kind == saelab.heads.HeadKind.SEGMENT);
    }

    /** The split of {@link #heldOutDataset} ({@code train} for the ADE20K layout, null for the image folder). */
    public String heldOutSplit(saelab.heads.HeadKind kind) {
        return HeadStep.split(kind == saelab.heads.HeadKind.SEGMENT);
    }

        /** The held-out world the control steps run on. */
    public Path heldOutWorld() {
        return dir(WorldStep.HELD_OUT).resolve(WorldStep.DIR);
    }

        /** Every step with its status and seconds, as "name status seconds" lines. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(java.util.Locale.ROOT, "run '%s' in %s: %d steps, %.1f s%n", size(), work, steps().size(),
                summary.path("seconds").asDouble()));
        for (Iterator<Map.Entry<String, JsonNode>> it = summary.path("steps").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            sb.append(String.format(java.util.Locale.ROOT, "  %-24s %-8s %7.1f s  %s%n", e.getKey(),
                    e.getValue().path("status").asText(), e.getValue().path("seconds").asDouble(), e.getValue().path("dir").asText()));
        }
        return sb.toString();
    }
}
