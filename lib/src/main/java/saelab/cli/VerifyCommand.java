package saelab.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.config.Workspace;
import saelab.manifest.DataManifests;
import saelab.manifest.DataRoot;

/** {@code saelab verify}: is my data the same as the manifests say? */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check the data manifests of data-manifests/ against your local data (data root: SAELAB_DATA"
                + " or ~/.config/saelab/config.json). Exit 1 when something is missing or different.")
final class VerifyCommand implements Callable<Integer> {

    @Option(names = "--deep", description = "recompute every checksum (and every cache shard's), not only sizes")
    boolean deep;

    @Override
    public Integer call() {
        Workspace ws = Workspace.locate();
        Path root = DataRoot.find().orElse(null);
        List<Path> files = DataManifests.list(ws.manifests());
        System.out.println("data root: " + (root == null ? "not set (" + DataRoot.VAR + " or ~/.config/saelab/config.json)" : root));
        if (files.isEmpty()) {
            System.out.println("no data manifests in " + ws.root().relativize(ws.manifests()) + "/{datasets,models,caches}");
            return 0;
        }
        int bad = 0;
        for (Path f : files) {
            DataManifests.Check c = DataManifests.check(f, root, deep ? DataManifests.Depth.DEEP : DataManifests.Depth.QUICK);
            System.out.printf("%-8s %-7s %-40s %s%n", c.status(), c.manifest().kind(), c.manifest().id(),
                    c.local() == null ? "" : c.local());
            c.problems().forEach(p -> System.out.println("           " + p));
            if (!c.status().equals("ok")) {
                bad++;
            }
        }
        return bad == 0 ? 0 : 1;
    }
}
