package saelab.web;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import saelab.demo.DemoOutputs;
import saelab.demo.RunSae;
import saelab.heads.HeadKind;

/**
 * What one dashboard server shows: the feature sets (SAEs with their analyses) of one run, by id.
 *
 * @param name        what the pages call the run (e.g. {@code demo (work/demo)})
 * @param featureSets the feature sets, in the order the pages list them; ids distinct
 * @param benches     what the control dashboards edit, one per backbone with task heads; backbones distinct
 * @param vlms        the vision-language models the VLM dashboard asks, one per backbone at most
 */
public record ServedRun(String name, List<FeatureSet> featureSets, List<Bench> benches, List<Vlm> vlms) {

    /**
     * A vision-language model with the SAE of the vision features it reads.
     *
     * @param backbone the backbone whose vision tower the VLM reads (lower-case letters, digits, dashes)
     * @param model    the LLaVA or moondream2 folder (with its tokenizer.json)
     * @param sae      the SAE of the selected vision features (trained on the block the VLM reads)
     * @param analysis that SAE's analysis folder (maxima: the sliders' unit)
     * @param concepts that SAE's concept-matching folder, or null (offers the concepts' best latents to pick)
     * @param images   the dataset spec and split of the images offered
     */
    public record Vlm(String backbone, Path model, Path sae, Path analysis, Path concepts, String[] images) {
        public Vlm {
            if (backbone == null || !backbone.matches("[a-z0-9][a-z0-9-]{0,63}")) {
                throw new IllegalArgumentException("backbone id '" + backbone + "' must be 1-64 lower-case letters, digits and dashes");
            }
        }
    }

    /**
     * One backbone as the control dashboards use it.
     *
     * @param backbone the backbone id (lower-case letters, digits, dashes)
     * @param model    the model folder
     * @param sae      the patch SAE checkpoint whose latents are edited (its provenance names the block)
     * @param analysis the SAE's analysis folder (maxima, frequencies)
     * @param heads    head files by kind
     * @param images   per head kind, the dataset spec and split ({@code saelab.data.Datasets}) of the images offered
     * @param zeroShotTemplates the prompt templates a zero-shot head over typed class names averages ({@code {}} = the name)
     * @param concepts the SAE's concept-matching folder, or null (names the latents of classes for the showcase views)
     * @param featureSet the id of the feature set of the same SAE (its latent pages give the example images), or null
     */
    public record Bench(String backbone, Path model, Path sae, Path analysis, Map<HeadKind, Path> heads, Map<HeadKind, String[]> images,
                        List<String> zeroShotTemplates, Path concepts, String featureSet) {
        public Bench {
            zeroShotTemplates = List.copyOf(zeroShotTemplates);
            if (backbone == null || !backbone.matches("[a-z0-9][a-z0-9-]{0,63}")) {
                throw new IllegalArgumentException("backbone id '" + backbone + "' must be 1-64 lower-case letters, digits and dashes");
            }
            heads = Map.copyOf(heads);
            images = Map.copyOf(images);
        }
    }

    public ServedRun {
        featureSets = List.copyOf(featureSets);
        benches = List.copyOf(benches);
        vlms = List.copyOf(vlms);
        Map<String, FeatureSet> seen = new LinkedHashMap<>();
        for (FeatureSet f : featureSets) {
            if (seen.put(f.id(), f) != null) {
                throw new IllegalArgumentException("two feature sets share the id '" + f.id() + "'");
            }
        }
    }

    /**
     * The outputs of any finished run, a demo or a paper plan's ({@code <work>/demo.json}), its steps found by kind and role:
     * <ul>
     *   <li>a feature set per SAE step with an analysis, named by the step ({@code clip-patch}, {@code dinov2-in1k-patch}),
     *       with its capture, the folder of that capture's images (the toy world's, or the dataset's root), its model and
     *       its first concept step;</li>
     *   <li>a control bench per heads step that a control step reads, named by the heads step ({@code clip},
     *       {@code dinov2-cub}): its model, the head files it wrote, the SAE, analysis and concepts of its first control
     *       step, and per head kind the held-out images of the control step of that kind (else of the first);</li>
     *   <li>a VLM per VLM control step, with that step's SAE and the classification view of its held-out images.</li>
     * </ul>
     *
     * @throws IOException when {@code demo.json} is missing or unreadable (the message says to run {@code saelab demo})
     */
    public static ServedRun ofRun(Path work) throws IOException {
        DemoOutputs d = DemoOutputs.open(work);
        List<FeatureSet> sets = new ArrayList<>();
        for (RunSae s : d.saes()) {
            if (s.analysis() == null) {
                continue;
            }
            List<String> concepts = d.readers("concepts", "sae", s.step());
            String dataset = d.input(s.capture(), "dataset");
            sets.add(new FeatureSet(s.stem() + "-" + s.tokens(), s.stem() + " · " + s.tokens() + " tokens", s.checkpoint(d), s.analysisDir(d),
                    s.cache(d), dataset == null ? null : d.imageRoot(dataset), d.modelFolder(s.model()),
                    concepts.isEmpty() ? null : d.dir(concepts.getFirst())));
        }
        List<Bench> benches = new ArrayList<>();
        for (String h : d.ofKind("heads")) {
            List<String> controls = d.readers("control", "heads", h);
            if (controls.isEmpty()) {
                continue; // nothing to edit with: no SAE is tied to these heads
            }
            String first = controls.getFirst();
            Map<HeadKind, Path> heads = new EnumMap<>(HeadKind.class);
            Map<HeadKind, String[]> images = new EnumMap<>(HeadKind.class);
            for (HeadKind kind : HeadKind.values()) {
                Path file = d.dir(h).resolve(kind.id() + ".safetensors");
                if (!java.nio.file.Files.isRegularFile(file)) {
                    continue;
                }
                heads.put(kind, file);
                String control = first;
                for (String c : controls) {
                    if (d.head(c) == kind) {
                        control = c;
                        break;
                    }
                }
                images.put(kind, d.images(d.input(control, "dataset"), kind));
            }
            String concepts = d.input(first, "concepts");
            Path sae = d.dir(d.input(first, "sae")).resolve("sae.safetensors");
            String set = sets.stream().filter(f -> f.sae().equals(sae)).map(FeatureSet::id).findFirst().orElse(null);
            benches.add(new Bench(name(h, "heads-"), d.modelFolder(d.input(h, "backbone")), sae, d.dir(d.input(first, "analysis")), heads,
                    images, d.zeroShotTemplates(h), concepts == null ? null : d.dir(concepts), set));
        }
        List<Vlm> vlms = new ArrayList<>();
        for (String v : d.ofKind("vlm-control")) {
            String vlm = d.input(v, "vlm");
            Path folder = d.vlmFolder(v);
            if (!java.nio.file.Files.isRegularFile(folder.resolve("config.json"))
                    || vlms.stream().anyMatch(x -> x.backbone().equals(name(vlm, "vlm-")))) { // several protocol steps may ask one VLM
                continue;
            }
            String concepts = d.input(v, "concepts");
            vlms.add(new Vlm(name(vlm, "vlm-"), folder, d.dir(d.input(v, "sae")).resolve("sae.safetensors"), d.dir(d.input(v, "analysis")),
                    concepts == null ? null : d.dir(concepts), d.images(d.input(v, "dataset"), HeadKind.CLASSIFY)));
        }
        return new ServedRun("run " + d.size() + " (" + work + ")", sets, benches, vlms);
    }

    /** A step id without its kind's prefix, as the pages name it ({@code heads-clip} → {@code clip}). */
    private static String name(String step, String prefix) {
        return step.startsWith(prefix) ? step.substring(prefix.length()) : step;
    }

    /** The feature set with this id, if any. */
    public Optional<FeatureSet> featureSet(String id) {
        return featureSets.stream().filter(f -> f.id().equals(id)).findFirst();
    }
}
