package saelab.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.BuildInfo;
import saelab.image.ImageDecoder;
import saelab.image.Parallelism;
import saelab.image.Preprocessor;
import saelab.image.ResizeRule;
import saelab.image.RgbImage;
import saelab.io.Safetensors;
import saelab.io.Sha256;

/** {@code saelab preprocess}: one image through a model's preprocessing, to a safetensors file. */
@Command(name = "preprocess", mixinStandardHelpOptions = true,
        description = {"Preprocess one image as the model's reference pipeline does (Pillow bicubic resize, centre crop,"
                + " rescale, normalise) and write pixel_values [1, 3, H, W] float32 to a safetensors file.",
                "The model folder needs only preprocessor_config.json (Hugging Face) or open_clip_config.json (open_clip)."})
final class PreprocessCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "model folder (or the preprocessing JSON file itself)")
    Path model;

    @Option(names = "--image", required = true, description = "image file (PNG, JPEG, ...)")
    Path image;

    @Option(names = "--out", required = true, description = "output .safetensors file")
    Path out;

    @Option(names = "--repeat", defaultValue = "0",
            description = "also time decoding, resizing and the whole preprocessing over this many repeats and print the medians")
    int repeat;

    @Override
    public Integer call() {
        try {
            Preprocessor pre = Preprocessor.load(model).withResizeRows(Parallelism.PARALLEL);
            RgbImage rgb = ImageDecoder.decode(image);
            float[] pixels = pre.apply(rgb);
            ResizeRule.Size size = pre.outputSize(rgb.width(), rgb.height());
            Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
            tensors.put("pixel_values", new Safetensors.Tensor(new long[] {1, 3, size.height(), size.width()}, pixels));
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("image", image.toAbsolutePath().toString());
            meta.put("image_sha256", Sha256.of(image));
            meta.put("image_size", rgb.width() + "x" + rgb.height());
            meta.put("preprocess_config", pre.config().source());
            meta.put("preprocess", pre.config().describe());
            meta.put("saelab", BuildInfo.current().describe());
            Safetensors.write(out, tensors, meta);
            System.out.printf(Locale.ROOT, "%s: %dx%d -> pixel_values [1, 3, %d, %d] (%s)%nwrote %s%n", image, rgb.width(), rgb.height(),
                    size.height(), size.width(), pre.config().describe(), out);
            if (repeat > 0) {
                time(pre, rgb);
            }
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private void time(Preprocessor parallel, RgbImage rgb) throws IOException {
        Preprocessor sequential = parallel.withResizeRows(Parallelism.SEQUENTIAL);
        double[] decode = new double[repeat];
        double[] resizeSeq = new double[repeat];
        double[] resizePar = new double[repeat];
        double[] whole = new double[repeat];
        for (int i = 0; i < repeat; i++) {
            long t0 = System.nanoTime();
            ImageDecoder.decode(image);
            long t1 = System.nanoTime();
            sequential.resize(rgb);
            long t2 = System.nanoTime();
            parallel.resize(rgb);
            long t3 = System.nanoTime();
            sequential.apply(rgb);
            long t4 = System.nanoTime();
            decode[i] = (t1 - t0) / 1e6;
            resizeSeq[i] = (t2 - t1) / 1e6;
            resizePar[i] = (t3 - t2) / 1e6;
            whole[i] = (t4 - t3) / 1e6;
        }
        ResizeRule.Size r = parallel.config().resize() == null ? new ResizeRule.Size(rgb.width(), rgb.height())
                : parallel.config().resize().outputSize(rgb.width(), rgb.height());
        System.out.printf(Locale.ROOT, "median of %d repeats (ms): decode %.3f  resize %dx%d -> %s %.3f (1 thread), %.3f (rows in parallel)"
                        + "  resize+crop+normalise %.3f (1 thread)%n", repeat, median(decode), rgb.width(), rgb.height(), r,
                median(resizeSeq), median(resizePar), median(whole));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
