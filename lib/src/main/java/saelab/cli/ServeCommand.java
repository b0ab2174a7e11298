package saelab.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.config.Workspace;
import saelab.web.DashboardScreenshots;
import saelab.web.DashboardServer;
import saelab.web.FolderFeatureSets;
import saelab.web.ServedRun;

/** {@code saelab serve}: the dashboards over a run's outputs, on 127.0.0.1, until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serves the interactive dashboards (feature map) over a finished run, on 127.0.0.1 only, until Ctrl-C.",
                "By default the demo's outputs (<workspace root>/work/demo, written by saelab demo); --work serves any run's (saelab run PLAN --work DIR).",
                "Feature sets of work done with single commands are given by their folders: --sae CKPT --analysis DIR [--cache DIR"
                        + " --images DIR --model DIR --concepts DIR --id ID], repeatable; without --work they are served alone (the feature"
                        + " map), with it beside the run's."})
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--work", description = "the work folder of the run to serve, a demo's or a plan's (default: <workspace root>/work/demo)")
    Path work;

    @Option(names = "--port", defaultValue = "0", description = "port on 127.0.0.1 (default: any free port, printed at start)")
    int port;

    @Option(names = "--umap-max", defaultValue = "5000",
            description = "at most this many latents per SAE get UMAP coordinates; the rest are placed by PCA (default ${DEFAULT-VALUE})")
    int umapMax;

    @Option(names = "--screenshots", paramLabel = "DIR",
            description = "picture each dashboard with the system Chromium into DIR (e.g. figures/demo/dashboards), then stop")
    Path screenshots;

    /** One feature set given by its folders. */
    static final class SetFolders {
        @Option(names = "--sae", required = true, paramLabel = "CKPT", description = "an SAE checkpoint (starts a feature set given by folders)")
        Path sae;

        @Option(names = "--analysis", required = true, paramLabel = "DIR", description = "its analysis folder (saelab analyze)")
        Path analysis;

        @Option(names = "--cache", paramLabel = "DIR", description = "the activation cache the analysis read (top-image tiles)")
        Path cache;

        @Option(names = "--images", paramLabel = "DIR", description = "the folder the cache's image paths are relative to")
        Path images;

        @Option(names = "--model", paramLabel = "DIR", description = "the model folder (its preprocessing crops the tiles as the model saw them)")
        Path model;

        @Option(names = "--concepts", paramLabel = "DIR", description = "the SAE's concept-matching folder (saelab concepts)")
        Path concepts;

        @Option(names = "--id", paramLabel = "ID", description = "the set's id in URLs (default: from the analysis folder's name)")
        String id;
    }

    @ArgGroup(exclusive = false, multiplicity = "0..*", heading = "Feature sets given by folders (repeatable):%n")
    List<SetFolders> sets = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<FolderFeatureSets.Given> given = new ArrayList<>();
        for (SetFolders f : sets) {
            given.add(new FolderFeatureSets.Given(f.id, f.sae, f.analysis, f.cache, f.images, f.model, f.concepts));
        }
        ServedRun run;
        if (!given.isEmpty() && work == null) {
            run = new ServedRun("feature sets given on the command line", FolderFeatureSets.of(given), List.of(), List.of());
        } else {
            ServedRun served = ServedRun.ofRun(work != null ? work : Workspace.locate().root().resolve("work").resolve("demo"));
            List<saelab.web.FeatureSet> all = new ArrayList<>(served.featureSets());
            all.addAll(FolderFeatureSets.of(given));
            run = new ServedRun(served.name(), all, served.benches(), served.vlms());
        }
        DashboardServer server = DashboardServer.start(run, new DashboardServer.Options(port, umapMax));
        if (screenshots != null) {
            try (server) {
                for (Path p : DashboardScreenshots.take(server.url(), server.showcaseViews(), screenshots, DashboardScreenshots.DEFAULT_CHROMIUM)) {
                    System.out.println("saelab serve: wrote " + p);
                }
            }
            return 0;
        }
        System.out.println("saelab serve: " + run.name() + " at " + server.url() + " (Ctrl-C stops it)");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
