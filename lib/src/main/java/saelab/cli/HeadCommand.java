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
import saelab.heads.PixelEvaluation;
import saelab.heads.SegmentationMetrics;
import saelab.hub.ModelLocator;
import saelab.io.Json;
import saelab.store.ActivationCache;

/**
 * {@code saelab head train|eval|zeroshot}: task heads on cached final-layer features (evaluated on a cache per patch, or on
 * a dataset's images per pixel), and saved zero-shot heads.
 */
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
            description = {"Scores a head. With --cache (per patch): the held-out images of its training cache, or every image of another"
                    + " cache of the same model. With --model and --dataset (a segmentation head, --resolution pixel): runs the model on the"
                    + " images and scores the head per pixel at the preprocessed image size (logits upsampled bilinearly, label maps resized"
                    + " nearest-neighbour and cropped as the image) and per patch. Writes metrics.json and per-class.csv."})
    static final class Eval implements Callable<Integer> {
        @Option(names = "--head", required = true, description = "the head file")
        Path head;

        @Option(names = "--cache", description = "the cache folder (per-patch figures)")
        Path cache;

        @Option(names = "--model", description = "model folder or hub id ORG/NAME[@REVISION] (per-pixel figures, with --dataset)")
        String model;

        @Option(names = "--revision", defaultValue = "main", description = "hub revision of --model (default ${DEFAULT-VALUE})")
        String revision;

        @Option(names = "--dataset", paramLabel = "KIND:PATH|manifest:FILE",
                description = "images with label maps, as 'saelab capture --dataset' takes them (e.g. ade20k:PATH)")
        String dataset;

        @Option(names = "--split", defaultValue = "val", description = "the split of a dataset spec (default ${DEFAULT-VALUE})")
        String split;

        @Option(names = "--limit", paramLabel = "N", description = "score the first N images in dataset order (default: all)")
        Integer limit;

        @Option(names = "--resolution", paramLabel = "patch|pixel",
                description = "patch (with --cache, the default there) or pixel (with --model and --dataset, the default there)")
        String resolution;

        @Option(names = "--out", required = true, description = "output folder")
        Path out;

        @Mixin
        DeviceOption device;

        @Override
        public Integer call() throws Exception {
            boolean live = model != null || dataset != null;
            if (cache != null && live) {
                throw new IllegalArgumentException("give --cache (per-patch figures from a cache) or --model and --dataset (per-pixel figures"
                        + " from the images), not both");
            }
            if (cache == null && !live) {
                throw new IllegalArgumentException("give --cache DIR (per-patch figures) or --model and --dataset (per-pixel figures)");
            }
            SegmentationMetrics.Resolution res = resolution == null
                    ? (live ? SegmentationMetrics.Resolution.PIXEL : SegmentationMetrics.Resolution.PATCH)
                    : SegmentationMetrics.Resolution.parse(resolution, "--resolution");
            if (!live && res == SegmentationMetrics.Resolution.PIXEL) {
                throw new IllegalArgumentException("--resolution pixel needs --model and --dataset: a cache holds per-patch labels, not the"
                        + " label maps at image resolution");
            }
            if (live && res == SegmentationMetrics.Resolution.PATCH) {
                throw new IllegalArgumentException("--model and --dataset score at image resolution (--resolution pixel, which reports the"
                        + " per-patch figures too); for per-patch figures from a cache give --cache");
            }
            if (live && (model == null || dataset == null)) {
                String missing = model == null ? "--model" : "--dataset";
                throw new IllegalArgumentException("--resolution pixel needs both --model and --dataset (" + missing + " is missing)");
            }
            if (limit != null && limit < 1) {
                throw new IllegalArgumentException("--limit is " + limit + "; expected at least 1");
            }
            CliPaths.requireWritable(out);
            if (live) {
                Path headFile = CliPaths.requireFile(head, "a head file (saelab head train)");
                Path folder = ModelLocator.resolve(model, revision);
                int most = limit == null ? Integer.MAX_VALUE : limit;
                ObjectNode r = PixelEvaluation.evaluateToFolder(headFile, model, folder, dataset, split, most, out, device.device());
                System.out.println("pixel " + Json.mapper().writeValueAsString(r.get("pixel_metrics")));
                System.out.println("patch " + Json.mapper().writeValueAsString(r.get("metrics")));
                System.out.printf(Locale.ROOT, "%d images scored, %d skipped%n", r.get("n_images").asInt(), r.get("skipped").asInt());
                System.out.println("wrote " + out.resolve("metrics.json") + " and " + out.resolve("per-class.csv"));
                return 0;
            }
            try (ActivationCache c = ActivationCache.open(cache)) {
                ObjectNode r = HeadEvaluation.evaluateToFolder(head, c, out, device.device());
                System.out.println(Json.mapper().writeValueAsString(r.get("metrics")));
                System.out.println("wrote " + out.resolve("metrics.json") + " and " + out.resolve("per-class.csv"));
            }
            return 0;
        }
    }
}
