package saelab.web;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import saelab.heads.HeadKind;

/**
 * How responsive the dashboards are ({@code saelab bench serve}), in three parts, printed as figures with their setup
 * and the load average beside each (no pass/fail):
 * <ol>
 *   <li>{@link Part#HTTP}: a slider move on the segmentation and classification dashboards of a demo run, timed at the
 *       HTTP API over loopback ({@link HttpEditBenchmark}); with Chromium, also in the page up to the redrawn answer;</li>
 *   <li>{@link Part#VIT}: the server-side path of one slider move on a ViT-B/14-sized model with random weights and a
 *       24,576-latent SAE, in process ({@link RandomVitEditBenchmark}; part 1's HTTP overhead comes on top);</li>
 *   <li>{@link Part#MAP}: the feature map page with 25,000 latents in Chromium: redraws at different zoom transforms
 *       and hover look-ups, timed by the page itself ({@link FeatureMapBenchmark}).</li>
 * </ol>
 */
public final class DashboardBenchmark {

    /** The parts, as {@code --parts} names them. */
    public enum Part {
        /** Slider edits over HTTP on the demo models. */
        HTTP,
        /** The slider's server-side path on a ViT-B/14-sized random model. */
        VIT,
        /** The feature map with many latents in Chromium. */
        MAP;

        /** The part from its name (http, vit, map). */
        public static Part of(String name) {
            for (Part p : values()) {
                if (p.name().equalsIgnoreCase(name.trim())) {
                    return p;
                }
            }
            throw new IllegalArgumentException("part '" + name + "' is not one of http, vit, map");
        }
    }

    /**
     * Settings.
     *
     * @param parts      the parts to run
     * @param work       the demo work folder part 1 serves ({@code demo.json} inside)
     * @param edits      timed slider moves per dashboard (parts 1 and 2)
     * @param warmup     untimed slider moves first
     * @param newImages  new images opened and timed (parts 1 and 2)
     * @param chromium   the Chromium binary (part 3, and part 1's in-page figures), or null to leave the browser out
     * @param width      part 2: model width
     * @param layers     part 2: blocks
     * @param heads      part 2: attention heads
     * @param image      part 2: image side in pixels
     * @param patch      part 2: patch side in pixels
     * @param dSae       part 2: SAE latents
     * @param rest       part 2: blocks after the edit block
     * @param classes    part 2: segmentation classes (background included)
     * @param threads    libtorch intra-op threads for every part (0: libtorch's own)
     * @param mapLatents part 3: latents of the synthetic feature set
     * @param mapWidth   part 3: width of its decoder directions
     * @param umapMax    part 3: latents placed by UMAP (0: PCA only; the page is timed on PCA, which shows all)
     * @param redraws    part 3: timed redraws
     * @param seed       seed of the random weights and the synthetic set
     */
    public record Options(Set<Part> parts, Path work, int edits, int warmup, int newImages, Path chromium, int width, int layers, int heads,
                          int image, int patch, int dSae, int rest, int classes, int threads, int mapLatents, int mapWidth, int umapMax,
                          int redraws, long seed) {
        public Options {
            parts = parts.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(parts));
            if (parts.isEmpty()) {
                throw new IllegalArgumentException("--parts names no part; expected some of http, vit, map");
            }
            positive("--edits", edits, 10_000);
            positive("--map-latents", mapLatents, 200_000);
            positive("--redraws", redraws, 10_000);
            if (warmup < 0 || warmup > 1000 || newImages < 0 || newImages > 100 || threads < 0 || umapMax < 0 || rest < 0) {
                throw new IllegalArgumentException("--warmup (0..1000), --new-images (0..100), --threads, --umap-max and --rest must not be negative;"
                        + " got " + warmup + ", " + newImages + ", " + threads + ", " + umapMax + " and " + rest);
            }
            if (width <= 0 || heads <= 0 || width % heads != 0 || layers <= 0 || rest >= layers || patch <= 0 || image < patch
                    || image % patch != 0 || dSae <= 0 || classes < 2 || mapWidth < 2) {
                throw new IllegalArgumentException("the random model needs width a multiple of heads, rest < layers, an image side that is a"
                        + " multiple of the patch, d_sae > 0, at least 2 classes and a map width >= 2; got width " + width + ", heads " + heads
                        + ", layers " + layers + ", rest " + rest + ", image " + image + ", patch " + patch + ", d_sae " + dSae + ", classes "
                        + classes + ", map width " + mapWidth);
            }
            if (mapLatents < 3) {
                throw new IllegalArgumentException("--map-latents is " + mapLatents + "; the map needs at least 3 latents");
            }
        }

        private static void positive(String name, int v, int most) {
            if (v <= 0 || v > most) {
                throw new IllegalArgumentException(name + " is " + v + "; expected 1.." + most);
            }
        }

        /**
         * The setup: 50 timed moves after 5 warm-up ones, 5 new images; a ViT-B/14 (width 768, 12 blocks, 12
         * heads, 224 px) with a 24,576-latent SAE on the second-to-last block's output and 151 classes (150 + background,
         * ADE20K's); 25,000 latents of width 768 on the map (PCA only), 60 redraws.
         */
        public static Options defaults(Path work, Path chromium) {
            return new Options(EnumSet.allOf(Part.class), work, 50, 5, 5, chromium, 768, 12, 12, 224, 14, 24_576, 1, 151, 0, 25_000, 768,
                    0, 60, 0);
        }
    }

    private DashboardBenchmark() {}

    /** Runs the chosen parts, printing each figure as it is taken; returns them all. */
    public static List<Figure> run(Options o, PrintStream out) throws IOException, InterruptedException {
        Engine.getInstance(); // loads libtorch before its thread count is touched
        int threadsBefore = JniUtils.getNumThreads();
        if (o.threads() > 0) {
            JniUtils.setNumThreads(o.threads());
        }
        try {
            return runParts(o, out);
        } finally {
            if (o.threads() > 0) {
                JniUtils.setNumThreads(threadsBefore);
            }
        }
    }

    private static List<Figure> runParts(Options o, PrintStream out) throws IOException, InterruptedException {
        List<Figure> figures = new ArrayList<>();
        boolean browser = o.chromium() != null && Files.isExecutable(o.chromium());
        out.printf(Locale.ROOT, "saelab bench serve: %d processors, libtorch intra-op threads %d%s, %s; browser %s%n",
                Runtime.getRuntime().availableProcessors(), JniUtils.getNumThreads(), o.threads() > 0 ? " (--threads)" : " (libtorch's default)",
                LoadAverage.now(), browser ? o.chromium() : "none" + (o.chromium() == null ? "" : " (no Chromium at " + o.chromium() + ")"));
        if (o.parts().contains(Part.HTTP)) {
            ServedRun run = ServedRun.ofRun(o.work());
            out.println("part 1: slider move to updated answer on the demo models, timed at the HTTP API over loopback (" + run.name() + ");"
                    + " the page's redraw comes on top" + (browser ? " (the Chromium lines time both)" : ""));
            try (DashboardServer server = DashboardServer.start(run, DashboardServer.Options.defaults());
                 DevToolsPage page = browser ? DevToolsPage.open(o.chromium()) : null) {
                HttpEditBenchmark http = new HttpEditBenchmark(server.url(), o, out, figures);
                http.run(HeadKind.SEGMENT, page);
                http.run(HeadKind.CLASSIFY, page);
            }
        }
        if (o.parts().contains(Part.VIT)) {
            out.println("part 2: the server-side path of one slider move on a ViT-B/14-sized model with random weights, in process"
                    + " (HTTP overhead from part 1 comes on top)");
            RandomVitEditBenchmark.run(o, out, figures);
        }
        if (o.parts().contains(Part.MAP)) {
            out.printf(Locale.ROOT, "part 3: the feature map with %d latents (random unit decoder directions of width %d, log-normal frequencies)%n",
                    o.mapLatents(), o.mapWidth());
            if (!browser) {
                out.println("  not timed: the page is timed in Chromium, and there is none at " + o.chromium()
                        + " (apt-get install chromium, or set SAELAB_CHROMIUM)");
            } else {
                Path dir = Files.createTempDirectory("saelab-bench-map");
                try {
                    FeatureSet set = FeatureMapBenchmark.write(dir, o.mapLatents(), o.mapWidth(), o.seed());
                    ServedRun run = new ServedRun("synthetic feature set", List.of(set), List.of(), List.of());
                    try (DashboardServer server = DashboardServer.start(run, new DashboardServer.Options(0, o.umapMax()));
                         DevToolsPage page = DevToolsPage.open(o.chromium())) {
                        FeatureMapBenchmark.run(server, page, o, out, figures);
                    }
                } finally {
                    try (var files = Files.walk(dir)) {
                        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                    }
                }
            }
        }
        return figures;
    }
}
