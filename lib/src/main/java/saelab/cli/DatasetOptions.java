package saelab.cli;

import picocli.CommandLine.Option;

/**
 * The dataset options shared by {@code capture} and {@code bench decode}: which images ({@code --dataset},
 * {@code --split}, {@code --limit}) and how many threads decode them ({@code --threads}), declared once; used as
 * a picocli mixin.
 */
final class DatasetOptions {

    @Option(names = "--dataset", required = true, description = "KIND[,OPTION=VALUE...]:PATH with KIND folder, imagenet, inat2021, ade20k or cub200;"
            + " or manifest:FILE, a list saved by 'saelab dataset manifest' (used as is, no walk over the files)")
    String dataset;

    @Option(names = "--split", description = "split (default: the reader's; train for imagenet and ade20k)")
    String split;

    @Option(names = "--limit", defaultValue = "0", description = "only the first N images of the dataset list (0 = all)")
    long limit;

    @Option(names = "--threads", description = "decode + preprocess threads (default: available processors)")
    Integer threads;

    /** {@code --threads}, or the number of available processors when it is not given. */
    int threadsOrProcessors() {
        return threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    }
}
