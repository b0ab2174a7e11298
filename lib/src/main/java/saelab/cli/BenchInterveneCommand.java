package saelab.cli;

import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.intervene.InterventionBenchmark;

/** {@code saelab bench intervene}: edits/s of the spliced forward, fast and full paths; prints {@code edits/s: N} (fast) last. */
@Command(name = "intervene", mixinStandardHelpOptions = true,
        description = {"Edits/s of one SAE feature edit plus the rest of a random ViT and a per-patch head, on the fast (delta) path and",
                "on the full encode-overwrite-decode path in the same run; prints 'edits/s: N' (fast path) last.",
                "Compare with torch_intervene.py (with and without --delta) at the same options on the same machine."})
final class BenchInterveneCommand implements Callable<Integer> {

    @Option(names = "--width", defaultValue = "768")
    int width;

    @Option(names = "--heads", defaultValue = "12")
    int heads;

    @Option(names = "--tokens", description = "CLS + patches per image (default 257: 224 px at patch 14)")
    Integer tokens;

    @Option(names = "--image", description = "image side in pixels instead of --tokens (patch 14)")
    Integer image;

    @Option(names = "--d-sae", defaultValue = "24576")
    int dSae;

    @Option(names = "--rest", defaultValue = "1", description = "blocks after the edit layer (default ${DEFAULT-VALUE})")
    int rest;

    @Option(names = "--classes", defaultValue = "151")
    int classes;

    @Option(names = "--latents", defaultValue = "1", description = "latents edited at once (default ${DEFAULT-VALUE})")
    int latents;

    @Option(names = "--edits", defaultValue = "20", description = "timed edits per path (default ${DEFAULT-VALUE})")
    int edits;

    @Option(names = "--threads", defaultValue = "0", description = "libtorch threads (default: libtorch's own)")
    int threads;

    @Override
    public Integer call() {
        if (tokens != null && image != null) {
            throw new IllegalArgumentException("give --tokens or --image, not both");
        }
        int t = tokens != null ? tokens : image != null ? (image / 14) * (image / 14) + 1 : 257;
        InterventionBenchmark.Options o = new InterventionBenchmark.Options(width, heads, t, dSae, rest, classes, latents, edits, threads, 0);
        System.out.printf(Locale.ROOT, "saelab intervene width %d heads %d tokens %d d_sae %d rest %d classes %d latents %d edits %d threads %d%n",
                width, heads, t, dSae, rest, classes, latents, edits, threads);
        InterventionBenchmark.Result r = InterventionBenchmark.run(o, System.out);
        System.out.printf(Locale.ROOT, "edits/s: %.2f%n", r.deltaPerSecond());
        return 0;
    }
}
