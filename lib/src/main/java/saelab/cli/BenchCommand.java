package saelab.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.store.ActivationCache;
import saelab.store.LoaderBenchmark;
import saelab.store.ShuffleOptions;

/** {@code saelab bench ...}: measurements of the heavy paths, printed as figures. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks of the heavy paths.",
        subcommands = {BenchCommand.Loader.class})
final class BenchCommand {

    @Command(name = "loader", mixinStandardHelpOptions = true,
            description = "Patches/s and MB/s of the shuffled stream, against sequential reads of the same bytes.")
    static final class Loader implements Callable<Integer> {
        @Option(names = "--cache", required = true, description = "the cache folder")
        Path cache;

        @Option(names = "--layer", description = "block index (default: the first recorded)")
        Integer layer;

        @Option(names = "--batch", defaultValue = "16384", description = "rows per batch (default ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--threads", description = "assembly threads (default: available processors)")
        Integer threads;

        @Option(names = "--reservoir-mb", defaultValue = "1024", description = "shuffle window in MB of stored activations")
        long reservoirMb;

        @Option(names = "--rows", defaultValue = "10000000", description = "rows of the shuffled stream to time, at most one epoch")
        long rows;

        @Option(names = "--seed", defaultValue = "0")
        long seed;

        @Override
        public Integer call() throws Exception {
            try (ActivationCache c = ActivationCache.open(cache)) {
                int l = layer == null ? c.layers().getFirst() : layer;
                ShuffleOptions o = ShuffleOptions.of(l).withBatchSize(batch).withSeed(seed)
                        .withReservoirBytes(reservoirMb * 1_000_000L);
                if (threads != null) {
                    o = o.withThreads(threads);
                }
                LoaderBenchmark.run(c, l, o, rows, System.out);
            }
            return 0;
        }
    }
}
