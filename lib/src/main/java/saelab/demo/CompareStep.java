package saelab.demo;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.analysis.CrossModelMatching;
import saelab.analysis.CrossModelOutputs;
import saelab.analysis.FeaturePass;
import saelab.analysis.LatentSelection;
import saelab.analysis.SparseCodes;
import saelab.analysis.SparseCodesWriter;
import saelab.io.FileTrees;
import saelab.io.Verbosity;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.store.ActivationCache;

/**
 * Step {@code compare-<a>-<b>}: the latents of two patch SAEs matched by their activations on the same patches of the
 * same images ({@link CrossModelMatching}, patch units). Each side's SAE encodes every patch of the first
 * {@code images} images of its own capture into a codes folder ({@link SparseCodesWriter}, what
 * {@code saelab analyze --codes} writes: {@code codes-a/}, {@code codes-b/}); the two folders are matched
 * ({@code saelab compare}), the results written by {@link CrossModelOutputs} ({@code matches-a.csv},
 * {@code matches-b.csv}, {@code summary.json}), and the codes folders removed (they are only a means: a few hundred MB
 * at the demo size). The two captures must cover the same world in the same order on the same patch grid, which the
 * matching checks.
 */
final class CompareStep {

    static final int VERSION = 1;
    /** The codes folders of the two sides, inside the step folder while it is built. */
    static final String CODES_A = "codes-a";
    static final String CODES_B = "codes-b";

    private CompareStep() {}

    /**
     * The comparison of SAE {@code a} with SAE {@code b}.
     *
     * @param name     the step's name
     * @param names    what to call the two sides in the summary (the SAE steps' ids)
     * @param images   how many images, from the first, are matched (at most the captures' images)
     * @param maxTableBytes the largest co-moment table accepted (not part of the key: it changes whether the step runs,
     *                      not what it writes)
     * @param dataset  the world both captures read
     */
    static Step of(String name, String[] names, int images, long maxTableBytes, StepOutcome dataset, StepOutcome saeA,
                   StepOutcome captureA, StepOutcome saeB, StepOutcome captureB) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("unit", "patch");
        params.put("images", images);
        params.put("names", List.of(names[0], names[1]));
        // an SAE compared with itself reads its steps once
        Map<String, StepOutcome> inputs = new LinkedHashMap<>();
        for (StepOutcome o : List.of(dataset, saeA, captureA, saeB, captureB)) {
            inputs.putIfAbsent(o.name(), o);
        }
        return new Step(name, VERSION, params, List.copyOf(inputs.values()), (out, log) -> {
            Path codesA = encode(SaeStep.checkpoint(saeA), CaptureStep.cacheDir(captureA), out.resolve(CODES_A));
            Path codesB = encode(SaeStep.checkpoint(saeB), CaptureStep.cacheDir(captureB), out.resolve(CODES_B));
            Map<String, Object> summary;
            try (SparseCodes a = SparseCodes.open(codesA); SparseCodes b = SparseCodes.open(codesB)) {
                CrossModelMatching.PatchCodes pa = first(CrossModelMatching.PatchCodes.of(a), images, names[0]);
                CrossModelMatching.PatchCodes pb = first(CrossModelMatching.PatchCodes.of(b), images, names[1]);
                CrossModelMatching.Result r = CrossModelMatching.measure(pa, pb,
                        new CrossModelMatching.Options(CrossModelMatching.Unit.PATCH, maxTableBytes));
                Map<String, Object> sides = new LinkedHashMap<>();
                sides.put("a", saeA.name() + " on " + captureA.name());
                sides.put("b", saeB.name() + " on " + captureB.name());
                summary = CrossModelOutputs.write(out, r, CrossModelMatching.Unit.PATCH, names, sides);
            }
            FileTrees.deleteTree(codesA);
            FileTrees.deleteTree(codesB);
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("units", summary.get("units"));
            s.put("mutual_pairs", summary.get("mutual_pairs"));
            s.put("a", summary.get("a"));
            s.put("b", summary.get("b"));
            log.printf("compared %s with %s over %s patches: %s mutual pairs%n", names[0], names[1], summary.get("units"),
                    summary.get("mutual_pairs"));
            return s;
        });
    }

    /** Encodes every token of the cache with the SAE into a codes folder (one pass, codes only). */
    private static Path encode(Path saeFile, Path cacheDir, Path dir) throws IOException {
        try (NDManager nd = NDManager.newBaseManager(); Sae sae = SaeCheckpoint.read(saeFile, nd);
             ActivationCache c = ActivationCache.open(cacheDir)) {
            int layer = c.layers().getFirst();
            int[] all = LatentSelection.parse(null, sae.config().dSae(), "latents");
            String saeName = saeFile.getParent().getFileName().toString();
            try (SparseCodesWriter w = SparseCodesWriter.create(dir, c, sae, saeName, layer)) {
                FeaturePass.run(c, sae, saeName, nd, new FeaturePass.Options(layer, 1, AnalyzeStep.BATCH, all, Verbosity.QUIET), w);
                w.finish();
            }
        }
        return dir;
    }

    /** The first {@code n} images of {@code codes}. */
    private static CrossModelMatching.PatchCodes first(CrossModelMatching.PatchCodes codes, int n, String name) {
        if (n > codes.images()) {
            throw new IllegalArgumentException("compare: field 'images' is " + n + " but the capture under " + name + " holds "
                    + codes.images() + " images; expected at most that many");
        }
        return new CrossModelMatching.PatchCodes() {
            @Override
            public long images() {
                return n;
            }

            @Override
            public int patches() {
                return codes.patches();
            }

            @Override
            public int dSae() {
                return codes.dSae();
            }

            @Override
            public saelab.analysis.SparseCodes.Codes codes(long image, int patch) {
                return codes.codes(image, patch);
            }
        };
    }
}
