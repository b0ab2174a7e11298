package saelab.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import saelab.capture.DecodeBenchmark;

/** {@code saelab bench decode}: images/s of decoding + preprocessing alone, as the capture does it. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = "Decode + preprocess throughput of a dataset with a model's preprocessing (no model); prints 'images/s: N' last.")
final class BenchDecodeCommand implements Callable<Integer> {

    @Mixin
    DatasetOptions data;

    @Option(names = "--model", required = true, description = "model folder (its preprocessor_config.json is used)")
    Path model;


    @Option(names = "--batch", defaultValue = "64", description = "images per batch (default ${DEFAULT-VALUE})")
    int batch;

    @Override
    public Integer call() throws Exception {
        DecodeBenchmark.Result r = DecodeBenchmark.run(data.dataset, data.split, model, data.limit, data.threadsOrProcessors(), batch,
                System.out);
        System.out.printf(Locale.ROOT, "images/s: %.1f%n", r.imagesPerSecond());
        return 0;
    }
}
