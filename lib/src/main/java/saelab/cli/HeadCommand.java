package saelab.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import saelab.heads.HeadEvaluation;
import saelab.heads.HeadKind;
import saelab.heads.HeadTrainer;
import saelab.heads.HeadTraining;
import saelab.heads.LinearHead;
import saelab.io.Json;
import saelab.store.ActivationCache;

/** {@code saelab head train|eval|zeroshot}: task heads on cached final-layer features, and saved zero-shot heads. */
@Command(name = "head", mixinStandardHelpOptions = true,
        description = "Train and evaluate task heads on cached final-layer features (capture --layers final,pooled).",
        subcommands = {HeadCommand.Train.class, HeadCommand.Eval.class, HeadZeroShotCommand.class})
final class HeadCommand {

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = {"Trains a linear head: segment (final-normed patch tokens, patch labels) or classify (pooled output,"
                    + " image labels); writes a safetensors file with its provenance and held-out metrics."})
    static final class Train implements Callable<Integer> {
        @Option(names = "--kind", required = true, description = "segment or classify")
        String kind;

        @Option(names = "--cache", required = true, description = "the cache folder (with the final or pooled layer)")
        Path cache;

        @Option(names = "--out", required = true, description = "the head file to write (.safetensors)")
        Path out;

        @Option(names = "--epochs", defaultValue = "10", description = "passes over the training images (default ${DEFAULT-VALUE})")
        int epochs;

        @Option(names = "--lr", defaultValue = "1e-3", description = "Adam step size (default ${DEFAULT-VALUE})")
        double lr;

        @Option(names = "--batch", defaultValue = "64", description = "images per step (default ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--seed", defaultValue = "0", description = "seed of the split and the order (default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--val-fraction", defaultValue = "0.1", description = "images held out for evaluation (default ${DEFAULT-VALUE})")
        double valFraction;

        @Mixin
        DeviceOption device;

        @Override
        public Integer call() throws Exception {
            HeadKind k = HeadKind.parse(kind, "--kind");
            HeadTraining cfg = new HeadTraining(epochs, lr, batch, seed, valFraction);
            CliPaths.requireWritable(out);
            try (ActivationCache c = ActivationCache.open(cache)) {
                LinearHead head = HeadTrainer.train(c, k, cfg, device.device(), System.err);
                java.nio.file.Files.createDirectories(out.toAbsolutePath().getParent());
                head.save(out);
                ObjectNode m = (ObjectNode) head.provenance().metrics();
                System.out.printf(Locale.ROOT, "wrote %s: %s head, %d classes, width %d%n", out, k.id(), head.classes(), head.dModel());
                System.out.println("metrics " + Json.mapper().writeValueAsString(m));
            }
            return 0;
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = {"Scores a head on a cache: the held-out images of its training cache, or every image of another cache"
                    + " of the same model; writes metrics.json and per-class.csv."})
    static final class Eval implements Callable<Integer> {
        @Option(names = "--head", required = true, description = "the head file")
        Path head;

        @Option(names = "--cache", required = true, description = "the cache folder")
        Path cache;

        @Option(names = "--out", required = true, description = "output folder")
        Path out;

        @Mixin
        DeviceOption device;

        @Override
        public Integer call() throws Exception {
            CliPaths.requireWritable(out);
            try (ActivationCache c = ActivationCache.open(cache)) {
                ObjectNode r = HeadEvaluation.evaluateToFolder(head, c, out, device.device());
                System.out.println(Json.mapper().writeValueAsString(r.get("metrics")));
                System.out.println("wrote " + out.resolve("metrics.json") + " and " + out.resolve("per-class.csv"));
            }
            return 0;
        }
    }
}
