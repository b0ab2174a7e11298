package saelab.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.config.Workspace;
import saelab.demo.BackboneProvider;
import saelab.demo.DemoBackbones;
import saelab.demo.DemoPipeline;
import saelab.demo.DemoSize;
import saelab.demo.ModelFolderBackbone;
import saelab.demo.PlanKinds;
import saelab.manifest.DataRoot;
import saelab.plan.PlanFiles;
import saelab.plan.PlanReader;

/**
 * {@code saelab demo}: the whole pipeline on the embedded toy world, as content-addressed steps: {@code saelab run demo}
 * (or {@code quick} with {@code --size quick}); with {@code --backbone ID=DIR}, the same steps over model folders of one's
 * own ({@link DemoPipeline}).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the demo pipeline on the toy world (the plan data-manifests/plans/demo.json, or quick.json with --size quick; the same as saelab run demo): world, backbones, capture, SAEs on patch and CLS tokens, eval,"
                + " feature analysis, ground truth and concept matching. Each step is skipped when its parameters and inputs are"
                + " unchanged; prints each step's status and time and writes WORK/demo.json.",
                "The outputs are recorded as data manifests of the demo profile (data-manifests/) when the work folder lies"
                        + " under the data root (SAELAB_DATA)."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--work", description = "work folder (default: <workspace root>/work/demo)")
    Path work;

    @Option(names = "--size", defaultValue = "demo", description = "quick or demo (default ${DEFAULT-VALUE})")
    String size;

    @Option(names = "--force", split = ",", paramLabel = "STEP",
            description = "rebuild a step and the steps after it: a step name, a kind such as capture or sae, or all (repeatable)")
    List<String> force = new ArrayList<>();

    @Option(names = "--backbone", paramLabel = "ID=DIR",
            description = "use an existing model folder (with preprocessor_config.json) as backbone ID instead of the built-in"
                    + " toy backbones (repeatable)")
    List<String> backbones = new ArrayList<>();

    @Option(names = "--no-manifests", description = "do not record data manifests")
    boolean noManifests;

    @Option(names = "--jobs", paramLabel = "N", description = "steps run at once when their inputs are ready (default 2 on a machine"
            + " with 2 or more cores, else 1; the plan runner only); the outputs are the same for any N")
    Integer jobs;

    @Override
    public Integer call() throws Exception {
        DemoSize s = DemoSize.parse(size);
        if (backbones.isEmpty()) { // the demo is its plan: data-manifests/plans/<size>.json
            Workspace ws = Workspace.locate();
            Path file = PlanFiles.locate(s.name(), ws.manifests().resolve(PlanFiles.FOLDER));
            return RunCommand.run(PlanReader.read(file, PlanKinds.ALL), ws, work, force, false, null, noManifests, jobs, false);
        }
        List<BackboneProvider> providers = new ArrayList<>();
        for (String b : backbones) {
            int eq = b.indexOf('=');
            if (eq <= 0 || eq == b.length() - 1) {
                throw new IllegalArgumentException("--backbone is '" + b + "'; expected ID=MODEL_DIR");
            }
            providers.add(new ModelFolderBackbone(b.substring(0, eq), Path.of(b.substring(eq + 1))));
        }
        if (providers.isEmpty()) {
            providers.addAll(DemoBackbones.standard(s));
        }
        Workspace ws = null;
        Path dir = work;
        if (dir == null || !noManifests) {
            ws = Workspace.locate();
        }
        if (dir == null) {
            dir = ws.root().resolve("work").resolve("demo");
        }
        Path root = noManifests ? null : DataRoot.find().orElse(null);
        if (!noManifests && root == null) {
            System.out.println("manifests: not recorded: no data root is set (" + DataRoot.VAR
                    + " or data_root in ~/.config/saelab/config.json)");
        }
        Set<String> f = new LinkedHashSet<>();
        for (String x : force) {
            if (!x.isBlank()) {
                f.add(x.trim());
            }
        }
        DemoPipeline.run(new DemoPipeline.Options(dir, s, providers, f, noManifests ? null : ws.manifests(), root, System.out));
        return 0;
    }
}
