package saelab.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import saelab.model.ForwardBenchmark;
import saelab.model.LoadOptions;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.model.VisionTower;

/** {@code saelab bench forward}: vision-tower throughput; prints {@code images/s: N} last. */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = {"Images/s of the vision forward pass (one warm-up batch, then --iters timed batches of random pixels).",
                "Compare with the same ViT timed in PyTorch on the same machine (e.g. width 384, 12 layers, 6 heads,",
                "patch 14, image 224, batch 32, 3 iterations, 2 threads)."})
final class BenchForwardCommand implements Callable<Integer> {

    @Option(names = "--model", description = "a model folder (as for saelab forward)")
    Path model;

    @Option(names = "--synthetic", description = "a model with random weights instead: dinov2")
    String synthetic;

    @Option(names = "--width", defaultValue = "384")
    int width;

    @Option(names = "--layers", defaultValue = "12")
    int layers;

    @Option(names = "--heads", defaultValue = "6")
    int heads;

    @Option(names = "--patch", defaultValue = "14")
    int patch;

    @Option(names = "--image", description = "image side in pixels (default 224 for --synthetic; the trained size for --model)")
    Integer image;

    @Option(names = "--batch", defaultValue = "32")
    int batch;

    @Option(names = "--iters", defaultValue = "3")
    int iters;

    @Mixin
    DeviceOption device;

    @Option(names = "--dtype", defaultValue = "f32", description = "f32, or f16 / bf16 on a GPU (--model only)")
    String dtype;

    @Override
    public Integer call() throws Exception {
        if ((model == null) == (synthetic == null)) {
            throw new IllegalArgumentException("give exactly one of --model DIR and --synthetic dinov2");
        }
        Device dev = device.device();
        ForwardBenchmark.Result r;
        String what;
        int side;
        if (synthetic != null) {
            if (!synthetic.equalsIgnoreCase("dinov2")) {
                throw new IllegalArgumentException("--synthetic is '" + synthetic + "'; expected dinov2");
            }
            side = image == null ? 224 : image;
            try (NDManager weights = NDManager.newBaseManager(dev)) {
                VisionTower t = ForwardBenchmark.syntheticDinov2(weights, width, layers, heads, patch, side, 0);
                r = ForwardBenchmark.run(t, dev, batch, side, side, iters);
            }
            what = String.format(Locale.ROOT, "synthetic dinov2 width %d layers %d heads %d patch %d", width, layers, heads, patch);
        } else {
            try (LoadedModel m = ModelLoader.load(model, new LoadOptions(dev, ForwardCommand.dtype(dtype), null))) {
                VisionTower t = m.vision();
                side = image == null ? t.trainedGrid() * t.patchSize() : image;
                r = ForwardBenchmark.run(t, dev, batch, side, side, iters);
                what = String.format(Locale.ROOT, "%s %s width %d layers %d patch %d", m.family().id(), model, t.width(), t.depth(), t.patchSize());
            }
        }
        System.out.printf(Locale.ROOT, "saelab forward %s image %d batch %d iters %d seconds %.3f device %s threads %d%n", what, side, batch,
                iters, r.seconds(), dev, Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "images/s: %.2f%n", r.imagesPerSecond());
        return 0;
    }
}
