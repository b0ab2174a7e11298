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
import saelab.web.FolderVlms;
import saelab.web.ServedRun;

/** {@code saelab serve}: the dashboards over a run's outputs, on 127.0.0.1, until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serves the interactive dashboards (feature map) over a finished run, on 127.0.0.1 only, until Ctrl-C.",
                "By default the demo's outputs (<workspace root>/work/demo, written by saelab demo); --work serves any run's (saelab run PLAN --work DIR).",
                "Feature sets of work done with single commands are given by their folders: --sae CKPT --analysis DIR [--cache DIR"
                        + " --images DIR --model DIR --concepts DIR --id ID], repeatable; without --work they are served alone (the feature"
                        + " map), with it beside the run's.",
                "Vision-language models (LLaVA or moondream2) for the VLM dashboard likewise: --vlm DIR --vlm-sae CKPT --vlm-analysis DIR"
                        + " --vlm-images DATASET [--vlm-split S --vlm-concepts DIR --vlm-id ID], repeatable."})
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

    /** One VLM given by its folders. */
    static final class VlmFolders {
        @Option(names = "--vlm", required = true, paramLabel = "DIR", description = "a LLaVA or moondream2 model folder with its tokenizer.json"
                + " (starts a VLM given by folders)")
        Path model;

        @Option(names = "--vlm-sae", required = true, paramLabel = "CKPT", description = "the SAE of the features it edits (LLaVA: the"
                + " tower block it reads; moondream2: the projection input)")
        Path sae;

        @Option(names = "--vlm-analysis", required = true, paramLabel = "DIR", description = "that SAE's analysis folder (saelab analyze)")
        Path analysis;

        @Option(names = "--vlm-images", required = true, paramLabel = "DATASET", description = "the images offered, a dataset as saelab"
                + " dataset reads it (e.g. a folder of images)")
        String images;

        @Option(names = "--vlm-split", paramLabel = "SPLIT", description = "the dataset's split (default: its own)")
        String split;

        @Option(names = "--vlm-concepts", paramLabel = "DIR", description = "the SAE's concept-matching folder (saelab concepts)")
        Path concepts;

        @Option(names = "--vlm-id", paramLabel = "ID", description = "the VLM's id in URLs (default: from the model folder's name)")
        String id;
    }

    @ArgGroup(exclusive = false, multiplicity = "0..*", heading = "Vision-language models given by folders (repeatable):%n")
    List<VlmFolders> vlms = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<FolderFeatureSets.Given> given = new ArrayList<>();
        for (SetFolders f : sets) {
            given.add(new FolderFeatureSets.Given(f.id, f.sae, f.analysis, f.cache, f.images, f.model, f.concepts));
        }
        List<FolderVlms.Given> givenVlms = new ArrayList<>();
        for (VlmFolders v : vlms) {
            givenVlms.add(new FolderVlms.Given(v.id, v.model, v.sae, v.analysis, v.concepts, v.images, v.split));
        }
        ServedRun run;
        if ((!given.isEmpty() || !givenVlms.isEmpty()) && work == null) {
            run = new ServedRun("folders given on the command line", FolderFeatureSets.of(given), List.of(),
                    FolderVlms.of(givenVlms, java.util.Set.of()));
        } else {
            ServedRun served = ServedRun.ofRun(work != null ? work : Workspace.locate().root().resolve("work").resolve("demo"));
            List<saelab.web.FeatureSet> all = new ArrayList<>(served.featureSets());
            all.addAll(FolderFeatureSets.of(given));
            List<ServedRun.Vlm> allVlms = new ArrayList<>(served.vlms());
            allVlms.addAll(FolderVlms.of(givenVlms, served.vlms().stream().map(ServedRun.Vlm::backbone).collect(java.util.stream.Collectors.toSet())));
            run = new ServedRun(served.name(), all, served.benches(), allVlms);
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
