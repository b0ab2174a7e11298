package saelab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.config.Workspace;
import saelab.web.DashboardBenchmark;
import saelab.web.DashboardScreenshots;

/** {@code saelab bench serve}: how responsive the dashboards are; figures with their setup and the load average, no pass/fail. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"How responsive the dashboards are, printed as median / p95 / mean milliseconds with the load average beside each:",
                "1 (http): slider moves on the segmentation and classification dashboards of a demo run, timed at the HTTP API over",
                "  loopback (and, with Chromium, in the page up to the redrawn answer), and the first request of a new image;",
                "2 (vit): the server-side path of a slider move on a ViT-B/14-sized model with random weights and a 24,576-latent SAE,",
                "  in process (HTTP overhead comes on top);",
                "3 (map): the feature map page with 25,000 latents in the system Chromium: redraws at zoom transforms, hover look-ups."})
final class BenchServeCommand implements Callable<Integer> {

    @Option(names = "--parts", defaultValue = "http,vit,map", split = ",", description = "parts to run (default ${DEFAULT-VALUE})")
    String[] parts;

    @Option(names = "--work", description = "part 1: the demo work folder to serve (default: <workspace root>/work/demo)")
    Path work;

    @Option(names = "--edits", defaultValue = "50", description = "timed slider moves per dashboard (default ${DEFAULT-VALUE})")
    int edits;

    @Option(names = "--warmup", defaultValue = "5", description = "untimed slider moves first (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--new-images", defaultValue = "5", description = "new images opened and timed (default ${DEFAULT-VALUE})")
    int newImages;

    @Option(names = "--no-browser", description = "leave Chromium out (part 1 then times the HTTP API only; part 3 is skipped)")
    boolean noBrowser;

    @Option(names = "--width", defaultValue = "768", description = "part 2: model width (default ${DEFAULT-VALUE})")
    int width;

    @Option(names = "--layers", defaultValue = "12", description = "part 2: blocks (default ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--heads", defaultValue = "12", description = "part 2: attention heads (default ${DEFAULT-VALUE})")
    int heads;

    @Option(names = "--image", defaultValue = "224", description = "part 2: image side in pixels (default ${DEFAULT-VALUE})")
    int image;

    @Option(names = "--patch", defaultValue = "14", description = "part 2: patch side in pixels (default ${DEFAULT-VALUE})")
    int patch;

    @Option(names = "--d-sae", defaultValue = "24576", description = "part 2: SAE latents (default ${DEFAULT-VALUE})")
    int dSae;

    @Option(names = "--rest", defaultValue = "1", description = "part 2: blocks after the edit block (default ${DEFAULT-VALUE})")
    int rest;

    @Option(names = "--classes", defaultValue = "151", description = "part 2: segmentation classes, background included (default ${DEFAULT-VALUE})")
    int classes;

    @Option(names = "--threads", defaultValue = "0", description = "libtorch intra-op threads, every part (default: libtorch's own)")
    int threads;

    @Option(names = "--map-latents", defaultValue = "25000", description = "part 3: latents on the map (default ${DEFAULT-VALUE})")
    int mapLatents;

    @Option(names = "--map-width", defaultValue = "768", description = "part 3: width of their decoder directions (default ${DEFAULT-VALUE})")
    int mapWidth;

    @Option(names = "--umap-max", defaultValue = "0",
            description = "part 3: latents placed by UMAP too (default ${DEFAULT-VALUE}: PCA only; the page is timed on PCA, which draws all)")
    int umapMax;

    @Option(names = "--redraws", defaultValue = "60", description = "part 3: timed redraws (default ${DEFAULT-VALUE})")
    int redraws;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Override
    public Integer call() throws Exception {
        Set<DashboardBenchmark.Part> chosen = EnumSet.noneOf(DashboardBenchmark.Part.class);
        for (String p : parts) {
            if (!p.isBlank()) {
                chosen.add(DashboardBenchmark.Part.of(p));
            }
        }
        Path dir = null;
        if (chosen.contains(DashboardBenchmark.Part.HTTP)) {
            dir = work != null ? work : Workspace.locate().root().resolve("work").resolve("demo");
            if (!Files.isRegularFile(dir.resolve("demo.json"))) {
                throw new IllegalArgumentException("--work " + dir + " holds no demo.json; run 'saelab demo' first, give --work DIR of a"
                        + " finished demo run, or leave part 1 out with --parts vit,map");
            }
        }
        DashboardBenchmark.Options o = new DashboardBenchmark.Options(chosen, dir, edits, warmup, newImages,
                noBrowser ? null : DashboardScreenshots.DEFAULT_CHROMIUM, width, layers, heads, image, patch, dSae, rest, classes, threads,
                mapLatents, mapWidth, umapMax, redraws, seed);
        DashboardBenchmark.run(o, System.out);
        return 0;
    }
}
