package saelab.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import saelab.io.RequiredPaths;
import saelab.sae.SaeCheckpoint;
import saelab.store.CacheManifest;

/**
 * Feature sets from folders given on the command line ({@code saelab serve --sae CKPT --analysis DIR ...}), for work
 * done with single commands ({@code saelab capture}, {@code train}, {@code analyze}, {@code concepts}) rather than a plan:
 * each folder is checked before the server starts, and a missing or wrong one is one sentence naming the option.
 */
public final class FolderFeatureSets {

    /**
     * One feature set as given.
     *
     * @param id       its id in URLs, or null for one made from the analysis folder's name
     * @param sae      the SAE checkpoint ({@code --sae})
     * @param analysis its analysis folder ({@code --analysis}, written by {@code saelab analyze})
     * @param cache    the activation cache the analysis read ({@code --cache}), or null: no top-image tiles
     * @param images   the folder the cache's image paths are relative to ({@code --images}), or null: tiles show the
     *                 heatmap alone
     * @param model    the model folder whose preprocessing brings an image to the model's view ({@code --model}), or null
     * @param concepts the concept-matching folder ({@code --concepts}), or null
     */
    public record Given(String id, Path sae, Path analysis, Path cache, Path images, Path model, Path concepts) {}

    private FolderFeatureSets() {}

    /**
     * The feature sets, ids made distinct.
     *
     * @throws IllegalArgumentException one sentence naming the option and the path: a missing file or folder, a checkpoint
     *                                  that is not an SAE, an analysis folder without its index, a cache without a manifest,
     *                                  a bad or repeated id
     */
    public static List<FeatureSet> of(List<Given> given) throws IOException {
        Set<String> ids = new HashSet<>();
        List<FeatureSet> out = new java.util.ArrayList<>();
        for (Given g : given) {
            requireSaeAndAnalysis(g.sae(), "--sae", g.analysis(), "--analysis");
            if (g.cache() != null) {
                RequiredPaths.folder(g.cache(), "the activation cache the analysis read, for --cache (saelab capture)");
                if (!Files.isRegularFile(g.cache().resolve(CacheManifest.FILE_NAME))) {
                    throw new IllegalArgumentException("--cache " + g.cache() + " has no " + CacheManifest.FILE_NAME + "; expected an"
                            + " activation cache written by saelab capture");
                }
            }
            if (g.images() != null) {
                RequiredPaths.folder(g.images(), "the folder the cache's image paths are relative to, for --images");
            }
            if (g.model() != null) {
                RequiredPaths.folder(g.model(), "the model folder the cache was captured with, for --model");
            }
            if (g.concepts() != null) {
                RequiredPaths.folder(g.concepts(), "the concept-matching folder for --concepts (saelab concepts)");
            }
            String id = distinctId(g.id(), idFrom(g.analysis()), ids, "--id " + g.id() + " is given twice; expected one id per feature set");
            out.add(new FeatureSet(id, id, g.sae(), g.analysis(), g.cache(), g.images(), g.model(), g.concepts()));
        }
        return List.copyOf(out);
    }

    /**
     * Checks an SAE checkpoint and its analysis folder given on the command line.
     *
     * @throws IllegalArgumentException one sentence naming the option: a missing file or folder, a checkpoint that is not an
     *                                  SAE, an analysis folder without its index
     */
    static void requireSaeAndAnalysis(Path sae, String saeOption, Path analysis, String analysisOption) throws IOException {
        RequiredPaths.file(sae, "an SAE checkpoint for " + saeOption + " (sae.safetensors from saelab train)");
        try {
            SaeCheckpoint.config(sae);
        } catch (IllegalArgumentException | IOException e) {
            throw new IllegalArgumentException(saeOption + " " + sae + " is not a readable SAE checkpoint (" + e.getMessage() + ")");
        }
        RequiredPaths.folder(analysis, "the SAE's analysis folder for " + analysisOption + " (saelab analyze)");
        if (!Files.isRegularFile(analysis.resolve(saelab.analysis.AnalysisIndex.FILE))) {
            throw new IllegalArgumentException(analysisOption + " " + analysis + " has no " + saelab.analysis.AnalysisIndex.FILE
                    + "; expected the folder saelab analyze wrote for this SAE");
        }
    }

    /**
     * The id given, or {@code fallback} made distinct with a number; added to {@code ids}.
     *
     * @param taken the sentence when a given id is already in {@code ids}
     */
    static String distinctId(String given, String fallback, Set<String> ids, String taken) {
        String id = given != null ? given : fallback;
        if (given == null) {
            for (int k = 2; ids.contains(id); k++) {
                id = fallback + "-" + k;
            }
        } else if (ids.contains(id)) {
            throw new IllegalArgumentException(taken);
        }
        ids.add(id);
        return id;
    }

    /** An id from a folder's name: lower-cased, other characters than letters and digits turned into dashes, 64 at most. */
    static String idFrom(Path folder) {
        Path name = folder.toAbsolutePath().normalize().getFileName();
        String s = (name == null ? "set" : name.toString()).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
        s = s.isEmpty() ? "set" : s;
        return s.length() <= 64 ? s : s.substring(0, 64).replaceAll("-+$", "");
    }
}
