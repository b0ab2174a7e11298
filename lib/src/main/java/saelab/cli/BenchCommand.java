package saelab.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import java.util.Locale;
import saelab.sae.GradientMath;
import saelab.sae.SaeConfig;
import saelab.sae.TrainBenchmark;
import saelab.store.ActivationCache;
import saelab.store.LoaderBenchmark;
import saelab.store.ShuffleOptions;

/** {@code saelab bench ...}: measurements of the heavy paths, printed as figures. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks of the heavy paths.",
        subcommands = {BenchCommand.Loader.class, BenchCommand.Train.class, BenchForwardCommand.class, BenchDecodeCommand.class,
                BenchAnalyzeCommand.class, BenchInterveneCommand.class, BenchVlmCommand.class, BenchServeCommand.class})
final class BenchCommand {

    @Command(name = "loader", mixinStandardHelpOptions = true,
            description = "Patches/s and MB/s of the shuffled stream, against sequential reads of the same bytes.")
    static final class Loader implements Callable<Integer> {
        @Mixin
        CacheFolderOption cache;

        @Mixin
        LayerOption layer;

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
            try (ActivationCache c = ActivationCache.open(cache.folder())) {
                int l = layer.of(c);
                ShuffleOptions o = ShuffleOptions.builder(l).batchSize(batch).seed(seed)
                        .reservoirBytes(reservoirMb * 1_000_000L).build();
                if (threads != null) {
                    o = o.toBuilder().threads(threads).build();
                }
                LoaderBenchmark.run(c, l, o, rows, System.out);
            }
            return 0;
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Training steps per second on random data; prints 'tokens/s: N' last (after 3 warm-up steps).")
    static final class Train implements Callable<Integer> {
        @Option(names = "--d-model", defaultValue = "384")
        int dModel;

        @Option(names = "--d-sae", defaultValue = "6144")
        int dSae;

        @Option(names = "--batch", defaultValue = "4096")
        int batch;

        @Option(names = "--steps", defaultValue = "20")
        int steps;

        @Mixin
        SaeKindOptions sae;

        @Option(names = "--dense", description = "use the dense (device-independent) gradients even where sparse kernels apply")
        boolean dense;

        @Override
        public Integer call() throws Exception {
            SaeConfig cfg = sae.builder(dModel, dSae).l1(4e-4).lr(4e-4).warmupSteps(1).batchSize(batch).steps(steps + 3).build();
            double secs = TrainBenchmark.run(cfg, 3, dense ? GradientMath.DENSE : GradientMath.SPARSE_WHERE_APPLIES);
            System.out.printf(Locale.ROOT, "saelab %s%s sae d_model %d d_sae %d batch %d steps %d k %d seconds %.3f threads %d%n",
                    cfg.kind().id(), dense ? " (dense)" : "", dModel, dSae, batch, steps, cfg.kind().selectsTopK() ? cfg.k() : 0, secs,
                    Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "tokens/s: %.1f%n", (double) batch * steps / secs);
            return 0;
        }
    }
}
