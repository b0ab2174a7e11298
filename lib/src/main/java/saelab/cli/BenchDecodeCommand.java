package saelab.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.capture.DecodeBenchmark;

/** {@code saelab bench decode}: images/s of decoding + preprocessing alone, as the capture does it. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = "Decode + preprocess throughput of a dataset with a model's preprocessing (no model); prints 'images/s: N' last.")
final class BenchDecodeCommand implements Callable<Integer> {

    @Option(names = "--dataset", required = true, description = "KIND[,OPTION=VALUE...]:PATH")
    String dataset;

    @Option(names = "--split", description = "split (default: the reader's)")
    String split;

    @Option(names = "--model", required = true, description = "model folder (its preprocessor_config.json is used)")
    Path model;

    @Option(names = "--limit", defaultValue = "0", description = "only the first N images (0 = all)")
    long limit;

    @Option(names = "--threads", description = "threads (default: available processors)")
    Integer threads;

    @Option(names = "--batch", defaultValue = "64", description = "images per batch (default ${DEFAULT-VALUE})")
    int batch;

    @Override
    public Integer call() throws Exception {
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        DecodeBenchmark.Result r = DecodeBenchmark.run(dataset, split, model, limit, t, batch, System.out);
        System.out.printf(Locale.ROOT, "images/s: %.1f%n", r.imagesPerSecond());
        return 0;
    }
}
