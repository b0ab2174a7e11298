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
import saelab.heads.HeadKind;
import saelab.store.TokenKind;

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
     * @param model    the LLaVA folder
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
     */
    public record Bench(String backbone, Path model, Path sae, Path analysis, Map<HeadKind, Path> heads, Map<HeadKind, String[]> images,
                        List<String> zeroShotTemplates, Path concepts) {
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
     * The outputs of a finished demo run ({@code <work>/demo.json}): for every backbone, its patch and CLS SAEs with their
     * analyses, the capture's images (under the toy world's folder) and its concept matches.
     *
     * @throws IOException when {@code demo.json} is missing or unreadable (the message says to run {@code saelab demo})
     */
    public static ServedRun ofDemo(Path work) throws IOException {
        DemoOutputs d = DemoOutputs.open(work);
        List<FeatureSet> sets = new ArrayList<>();
        for (String backbone : d.backbones()) {
            for (TokenKind kind : List.of(TokenKind.PATCHES, TokenKind.CLS)) {
                String tokens = kind == TokenKind.PATCHES ? "patch" : "cls";
                sets.add(new FeatureSet(backbone + "-" + tokens, backbone + " · " + tokens + " tokens", d.sae(backbone, kind),
                        d.analysis(backbone, kind), d.cache(backbone), d.world(), d.model(backbone), d.concepts(backbone, kind)));
            }
        }
        List<Bench> benches = new ArrayList<>();
        for (String backbone : d.backbones()) {
            Map<HeadKind, Path> heads = new EnumMap<>(HeadKind.class);
            Map<HeadKind, String[]> images = new EnumMap<>(HeadKind.class);
            for (HeadKind kind : HeadKind.values()) {
                Optional<Path> head = headOf(d, backbone, kind);
                if (head.isPresent()) {
                    heads.put(kind, head.get());
                    images.put(kind, new String[] {d.heldOutDataset(kind), d.heldOutSplit(kind)});
                }
            }
            if (!heads.isEmpty()) {
                benches.add(new Bench(backbone, d.model(backbone), d.sae(backbone, TokenKind.PATCHES), d.analysis(backbone, TokenKind.PATCHES),
                        heads, images, d.zeroShotTemplates(), d.concepts(backbone, TokenKind.PATCHES)));
            }
        }
        List<Vlm> vlms = new ArrayList<>();
        for (String backbone : d.backbones()) {
            Optional<Path> vlm = optional(() -> d.vlm(backbone));
            if (vlm.isPresent() && java.nio.file.Files.isRegularFile(vlm.get().resolve("config.json"))) {
                HeadKind images = headOf(d, backbone, HeadKind.CLASSIFY).isPresent() ? HeadKind.CLASSIFY : HeadKind.SEGMENT;
                vlms.add(new Vlm(backbone, vlm.get(), d.sae(backbone, TokenKind.PATCHES), d.analysis(backbone, TokenKind.PATCHES),
                        d.concepts(backbone, TokenKind.PATCHES), new String[] {d.heldOutDataset(images), d.heldOutSplit(images)}));
            }
        }
        return new ServedRun("demo (" + d.size() + ", " + work + ")", sets, benches, vlms);
    }

    private static <T> Optional<T> optional(java.util.function.Supplier<T> s) {
        try {
            return Optional.of(s.get());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> headOf(DemoOutputs d, String backbone, HeadKind kind) {
        try {
            return Optional.of(d.head(backbone, kind));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The feature set with this id, if any. */
    public Optional<FeatureSet> featureSet(String id) {
        return featureSets.stream().filter(f -> f.id().equals(id)).findFirst();
    }
}
