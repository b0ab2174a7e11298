package saelab.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import saelab.analysis.ConceptMatching;
import saelab.analysis.CacheConcepts;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.store.ActivationCache;

/** {@code saelab concepts}: the best latent per class by F1 and AUROC, against random latents and random directions. */
@Command(name = "concepts", mixinStandardHelpOptions = true,
        description = {"Matches latents to the classes of a labelled cache: per class the latent with the best F1 (over every"
                + " threshold) and the best AUROC, with random-latent and random-direction baselines scored the same way.",
                "Writes concepts.csv, concept_f1.npy and concept_auroc.npy [classes, latents], and source.json (the SAE's checksum)."})
final class ConceptsCommand implements Callable<Integer> {

    @Mixin
    SaeFileOption sae;

    @Option(names = "--cache", required = true, description = "activation cache with per-patch labels (patch) or image labels (image)")
    Path cache;

    @Mixin
    OutputFolderOption out;

    @Mixin
    LayerOption layer;

    @Option(names = "--unit", defaultValue = "patch",
            description = "patch (segmentation labels) or image (image labels, score = max over patches) (default ${DEFAULT-VALUE})")
    String unit;

    @Option(names = "--classes", description = "class names, one per line (image units; default: label numbers)")
    Path classes;

    @Mixin
    LatentsOption latents;

    @Option(names = "--max-units", defaultValue = "1048576", description = "units kept, systematic subsample above (default ${DEFAULT-VALUE})")
    int maxUnits;

    @Option(names = "--draws", defaultValue = "32", description = "random latents and random directions per baseline (default ${DEFAULT-VALUE})")
    int draws;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Override
    public Integer call() throws Exception {
        ConceptMatching.Unit u = switch (unit.trim().toLowerCase(Locale.ROOT)) {
            case "patch" -> ConceptMatching.Unit.PATCH;
            case "image" -> ConceptMatching.Unit.IMAGE;
            default -> throw new IllegalArgumentException("--unit is '" + unit + "'; expected patch or image");
        };
        Path checkpoint = sae.file();
        CliPaths.requireFolder(cache, "an activation cache folder");
        Path folder = out.folder();
        try (NDManager nd = NDManager.newBaseManager(); Sae model = SaeCheckpoint.read(checkpoint, nd);
             ActivationCache c = ActivationCache.open(cache)) {
            int[] ids = latents.ids(model.config().dSae());
            int l = layer.of(c);
            List<String> names = classes == null ? null : Files.readAllLines(classes).stream().map(String::strip)
                    .filter(s -> !s.isEmpty()).toList();
            ConceptMatching.Options o = ConceptMatching.Options.builder(l).maxUnits(maxUnits).randomDraws(draws).seed(seed).progress()
                    .build();
            ConceptMatching.Result r = CacheConcepts.match(checkpoint, model, cache, c, ids, u, names, o, nd, folder);
            System.out.printf(Locale.ROOT, "%d classes, %d latents, %d units scored (stride %d)%n", r.classes().size(), ids.length,
                    r.units(), r.stride());
            System.out.println("wrote " + folder.resolve("concepts.csv"));
        }
        return 0;
    }
}
