package saelab.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import saelab.io.FileTrees;
import saelab.io.Verbosity;
import saelab.sae.Sae;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;
import saelab.store.ActivationCache;
import saelab.store.StorageDtype;
import saelab.store.SyntheticCache;

/**
 * Times the {@link FeaturePass} on a synthetic cache ({@link SyntheticCache}, f16, one layer, a CLS
 * token and {@code patchesPerImage} patches per image, written to a temporary folder and deleted
 * afterwards) with a randomly initialised TopK SAE, against the encoder's matrix product alone
 * ({@code Linear.linear(x, W_enc, b_enc)} on a random batch of the same rows and widths, timed the
 * same way). The pass's peak heap comes from the JVM's own accounting: the sum over heap memory pools
 * ({@link MemoryPoolMXBean}) of their peak usage since a reset just before the pass (an upper bound
 * of the true peak, as pools peak at different moments). Patch maps are not part of the timing.
 */
public final class AnalysisBenchmark {

    /**
     * A measurement.
     *
     * @param tokens        tokens encoded (CLS and patches)
     * @param seconds       wall time of the pass
     * @param matmulTokensPerSecond rows per second of the encoder product alone
     * @param peakHeapBytes peak heap during the pass (sum of the heap pools' peaks)
     * @param maxHeapBytes  the heap limit (-Xmx)
     */
    public record Result(long tokens, double seconds, double matmulTokensPerSecond, long peakHeapBytes, long maxHeapBytes) {
        /** Tokens per second of the pass. */
        public double tokensPerSecond() {
            return seconds > 0 ? tokens / seconds : 0;
        }

        /** The pass's rate over the matrix product's rate. */
        public double matmulFraction() {
            return matmulTokensPerSecond > 0 ? tokensPerSecond() / matmulTokensPerSecond : 0;
        }
    }

    private AnalysisBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param tokens    patch tokens to pass at least (rounded up to whole images)
     * @param batchRows tokens per encoder batch
     * @param tmpParent where the temporary cache goes (null: the system's temporary folder)
     */
    public static Result run(int dModel, int dSae, int k, int patchesPerImage, long tokens, int batchRows, int topK,
                             Path tmpParent, PrintStream log) throws IOException {
        if (dModel <= 0 || dSae <= 0 || k <= 0 || patchesPerImage <= 0 || tokens <= 0 || batchRows <= 0 || topK <= 0) {
            throw new IllegalArgumentException("bench analyze needs positive --d-model, --d-sae, --k, --patches-per-image, "
                    + "--tokens, --batch and --top-k; got " + dModel + ", " + dSae + ", " + k + ", " + patchesPerImage + ", "
                    + tokens + ", " + batchRows + ", " + topK);
        }
        long images = (tokens + patchesPerImage - 1) / patchesPerImage;
        Path dir = tmpParent == null ? Files.createTempDirectory("saelab-bench-analyze")
                : Files.createTempDirectory(tmpParent, "saelab-bench-analyze");
        try (NDManager nd = NDManager.newBaseManager()) {
            long t0 = System.nanoTime();
            SyntheticCache.write(dir.resolve("cache"), images, patchesPerImage + 1, dModel, StorageDtype.F16, 1, 0, 7,
                    1L << 30, Verbosity.QUIET);
            log.printf(Locale.ROOT, "synthetic cache: %d images x %d tokens x d %d (f16) written in %.1f s%n", images,
                    patchesPerImage + 1, dModel, (System.nanoTime() - t0) / 1e9);
            SaeConfig cfg = SaeConfig.builder(SaeKind.TOPK, dModel, dSae).k(k).lr(4e-4).batchSize(batchRows).steps(1).seed(11)
                    .build();
            try (Sae sae = Sae.initialise(cfg, nd); ActivationCache cache = ActivationCache.open(dir.resolve("cache"))) {
                int[] all = LatentSelection.parse(null, dSae, "--latents");
                FeaturePass.Options o = new FeaturePass.Options(0, topK, batchRows, all, Verbosity.QUIET);
                int rows = Math.max(1, batchRows / (patchesPerImage + 1)) * (patchesPerImage + 1);
                double matmul = matmulRate(nd, sae, rows);
                System.gc();
                resetHeapPeaks();
                long t1 = System.nanoTime();
                AnalysisResult r = FeaturePass.run(cache, sae, "random", nd, o);
                double secs = (System.nanoTime() - t1) / 1e9;
                long peak = heapPeak();
                long encoded = r.index().patchTokens() + r.index().clsTokens();
                Result res = new Result(encoded, secs, matmul, peak, Runtime.getRuntime().maxMemory());
                log.printf(Locale.ROOT, "pass: %d tokens (%d images) in %.2f s, batch %d rows, d_sae %d, SAE k %d, top-k %d;"
                                + " encoder product alone: %.1f tokens/s; heap limit %.0f MB; threads %d%n",
                        encoded, r.index().nImages(), secs, rows, dSae, k, topK, matmul, res.maxHeapBytes() / 1e6,
                        Runtime.getRuntime().availableProcessors());
                return res;
            }
        } finally {
            FileTrees.deleteTree(dir);
        }
    }

    /** Rows per second of {@code Linear.linear(x, W_enc, b_enc)} at {@code rows} rows (one warm-up, then at least 3 runs and 2 s). */
    static double matmulRate(NDManager nd, Sae sae, int rows) {
        NDArray w = sae.params().get(0);
        NDArray b = sae.params().get(1);
        try (NDManager scope = nd.newSubManager()) {
            NDArray x = scope.randomNormal(new Shape(rows, sae.config().dModel()));
            Linear.linear(x, w, b).singletonOrThrow().close();
            long t0 = System.nanoTime();
            int runs = 0;
            while (runs < 3 || System.nanoTime() - t0 < 2_000_000_000L) {
                NDArray y = Linear.linear(x, w, b).singletonOrThrow();
                y.close();
                runs++;
            }
            return (double) rows * runs / ((System.nanoTime() - t0) / 1e9);
        }
    }

    static void resetHeapPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isValid()) {
                p.resetPeakUsage();
            }
        }
    }

    /** Sum of the heap pools' peak usage (bytes). */
    static long heapPeak() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isValid() && p.getPeakUsage() != null) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
