package saelab.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import saelab.data.DatasetManifestFiles;
import saelab.data.Datasets;
import saelab.io.RequiredPaths;
import saelab.lm.llava.LlavaModel;
import saelab.lm.moondream.MoondreamForward;

/**
 * Vision-language models for the VLM dashboard from folders given on the command line ({@code saelab serve --vlm DIR
 * --vlm-sae CKPT --vlm-analysis DIR --vlm-images SPEC ...}): a LLaVA or moondream2 folder with the SAE of the features it
 * edits (trained on what {@code saelab capture} recorded: LLaVA's tower block, moondream's {@code projection} input), the
 * SAE's analysis, and the images offered. Each is checked before the server starts; a missing or wrong one is one sentence
 * naming the option.
 */
public final class FolderVlms {

    /**
     * One VLM as given.
     *
     * @param id       its id in URLs, or null for one made from the model folder's name
     * @param model    the LLaVA or moondream2 folder with its {@code tokenizer.json} ({@code --vlm})
     * @param sae      the SAE checkpoint ({@code --vlm-sae})
     * @param analysis its analysis folder ({@code --vlm-analysis}; the latents' maxima are the sliders' unit)
     * @param concepts its concept-matching folder ({@code --vlm-concepts}), or null
     * @param images   the dataset spec of the images offered ({@code --vlm-images}, as {@code saelab dataset} reads it)
     * @param split    its split ({@code --vlm-split}), or null for the dataset's default
     */
    public record Given(String id, Path model, Path sae, Path analysis, Path concepts, String images, String split) {}

    private FolderVlms() {}

    /**
     * The VLMs, ids made distinct from each other and from {@code taken} (a run's own).
     *
     * @throws IllegalArgumentException one sentence naming the option and the path
     */
    public static List<ServedRun.Vlm> of(List<Given> given, Set<String> taken) throws IOException {
        Set<String> ids = new HashSet<>(taken);
        List<ServedRun.Vlm> out = new ArrayList<>();
        for (Given g : given) {
            RequiredPaths.folder(g.model(), "a LLaVA or moondream2 model folder for --vlm");
            if (!LlavaModel.isLlavaFolder(g.model()) && !MoondreamForward.isMoondreamFolder(g.model())) {
                throw new IllegalArgumentException("--vlm " + g.model() + " holds neither a LLaVA model (config.json with model_type \"llava\")"
                        + " nor a moondream2 model; expected one of those folders");
            }
            if (!Files.isRegularFile(g.model().resolve("tokenizer.json"))) {
                throw new IllegalArgumentException("--vlm " + g.model() + " has no tokenizer.json; expected the model's Hugging Face tokenizer"
                        + " file beside its weights");
            }
            FolderFeatureSets.requireSaeAndAnalysis(g.sae(), "--vlm-sae", g.analysis(), "--vlm-analysis");
            if (g.concepts() != null) {
                RequiredPaths.folder(g.concepts(), "the concept-matching folder for --vlm-concepts (saelab concepts)");
            }
            if (g.images() == null || g.images().isBlank()) {
                throw new IllegalArgumentException("--vlm-images is missing; expected the dataset of the images offered (e.g. a folder of"
                        + " images, as saelab dataset reads it)");
            }
            try { // the spec and its folder (or manifest file), before the server starts; the listing waits for the first ask
                if (g.images().startsWith(DatasetManifestFiles.SPEC_PREFIX)) {
                    RequiredPaths.file(Path.of(g.images().substring(DatasetManifestFiles.SPEC_PREFIX.length())), "a dataset manifest");
                } else {
                    Datasets.open(g.images(), g.split());
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--vlm-images " + g.images() + ": " + e.getMessage());
            }
            String id = FolderFeatureSets.distinctId(g.id(), FolderFeatureSets.idFrom(g.model()), ids,
                    "--vlm-id " + g.id() + " is taken (given twice, or the served run's VLM); expected one id per VLM");
            out.add(new ServedRun.Vlm(id, g.model(), g.sae(), g.analysis(), g.concepts(), new String[] {g.images(), g.split()}));
        }
        return List.copyOf(out);
    }
}
