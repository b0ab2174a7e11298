package saelab.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.config.Workspace;
import saelab.web.DashboardScreenshots;
import saelab.web.DashboardServer;
import saelab.web.ServedRun;

/** {@code saelab serve}: the dashboards over a run's outputs, on 127.0.0.1, until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serves the interactive dashboards (feature map) over a finished run, on 127.0.0.1 only, until Ctrl-C.",
                "By default the demo's outputs (<workspace root>/work/demo, written by saelab demo); --work serves any run's (saelab run PLAN --work DIR)."})
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

    @Override
    public Integer call() throws Exception {
        Path dir = work != null ? work : Workspace.locate().root().resolve("work").resolve("demo");
        ServedRun run = ServedRun.ofRun(dir);
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
