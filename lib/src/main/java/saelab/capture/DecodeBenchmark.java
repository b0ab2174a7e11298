package saelab.capture;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import saelab.data.DatasetManifest;
import saelab.data.Datasets;
import saelab.data.ManifestOptions;
import saelab.image.Preprocessor;

/**
 * Times the producer side of a capture alone: decoding and preprocessing a dataset's images with a
 * model's preprocessing on the capture's thread pool and ordered, bounded batches
 * ({@link OrderedBatches}), no model. Compare its images/s with the capture's to see which side limits.
 */
public final class DecodeBenchmark {

    /**
     * A measurement.
     *
     * @param images  images loaded (decoded + preprocessed, or failed)
     * @param failed  images that could not be decoded
     * @param seconds wall time (manifest excluded)
     * @param threads loader threads
     */
    public record Result(long images, long failed, double seconds, int threads) {
        public double imagesPerSecond() {
            return seconds > 0 ? images / seconds : 0;
        }
    }

    private DecodeBenchmark() {}

    /**
     * Decodes and preprocesses the first {@code limit} images (0 = all) of a dataset.
     *
     * @param dataset  {@code KIND[,OPTIONS]:PATH}
     * @param split    the split or null
     * @param modelDir a folder with the model's preprocessing config
     * @param threads  loader threads
     * @param batch    images per batch
     */
    public static Result run(String dataset, String split, Path modelDir, long limit, int threads, int batch, PrintStream log)
            throws IOException, InterruptedException {
        DatasetManifest m = Datasets.open(dataset, split).manifest(ManifestOptions.DEFAULT.withThreads(Math.min(8, threads)));
        List<DatasetManifest.Example> list = m.examples();
        if (limit > 0 && limit < list.size()) {
            list = list.subList(0, (int) limit);
        }
        List<DatasetManifest.Example> examples = list;
        Preprocessor pre = Preprocessor.load(modelDir);
        ExampleLoader loader = new ExampleLoader(Path.of(m.root()), pre, null, 1, 0, 0);
        AtomicLong failed = new AtomicLong();
        long t0 = System.nanoTime();
        long n = 0;
        try (OrderedBatches b = new OrderedBatches(0, examples.size(), batch, threads, Math.max(2 * batch, 4 * threads), 2,
                pos -> loader.load(pos, examples.get((int) pos)), l -> {
                    if (l.problem() != null) {
                        failed.incrementAndGet();
                    }
                })) {
            OrderedBatches.Batch x;
            while ((x = b.next()) != null) {
                n += x.images().size();
            }
        }
        Result r = new Result(n, failed.get(), (System.nanoTime() - t0) / 1e9, threads);
        log.printf(Locale.ROOT, "decode + preprocess: %d images (%d failed) in %.2f s on %d threads (%s)%n", r.images(), r.failed(),
                r.seconds(), threads, pre.config().describe());
        return r;
    }
}
