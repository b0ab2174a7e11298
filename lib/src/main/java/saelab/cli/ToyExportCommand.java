package saelab.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.data.ToyDatasetExport;
import saelab.data.ToyWorld;

/** {@code saelab toy export}: toy-world scenes in a real dataset's layout ({@link ToyDatasetExport}). */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Writes toy-world scenes in a real dataset's layout, read by the same readers as the real data:"
                + " imagenet (Kaggle layout), inat2021 (train_mini.json, val.json), ade20k (ADEChallengeData2016), cub200 (CUB_200_2011).",
                "Training split: scenes 0..N-1 of the world; held-out split: scenes of the world with the next seed. Image labels are"
                        + " the largest object's colour; ADE20K label maps the colour segmentation."})
final class ToyExportCommand implements Callable<Integer> {

    @Option(names = "--layout", required = true, paramLabel = "imagenet|inat2021|ade20k|cub200", description = "the dataset layout")
    String layout;

    @Option(names = "--images", required = true, paramLabel = "N", description = "scenes in the training split")
    int images;

    @Option(names = "--held-out", paramLabel = "N", description = "scenes in the held-out split (val, or test for cub200; default: N/4, at least 1)")
    Integer heldOut;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "the world's seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the dataset root to write (new, empty, or an earlier export)")
    Path out;

    @Override
    public Integer call() throws Exception {
        ToyDatasetExport.Layout l = ToyDatasetExport.Layout.parse(layout, "--layout");
        int held = heldOut != null ? heldOut : Math.max(1, images / 4);
        ToyDatasetExport.Summary s = ToyDatasetExport.write(l, out, ToyWorld.withSeed(seed), images, held);
        System.out.printf(Locale.ROOT, "toy %s export: %s (%s %d images, %s %d images; read it as %s:%s)%n", l.id(), s.dir(),
                l.splits().get(0), s.train(), l.splits().get(1), s.heldOut(), l.id(), s.dir());
        return 0;
    }
}
