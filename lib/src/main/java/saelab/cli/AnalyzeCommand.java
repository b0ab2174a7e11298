package saelab.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.analysis.AnalysisResult;
import saelab.analysis.DecoderMaps;
import saelab.analysis.LabelStatistics;
import saelab.analysis.FeaturePass;
import saelab.analysis.LatentSelection;
import saelab.analysis.PatchMaps;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.store.ActivationCache;

/** {@code saelab analyze}: the feature pass of an SAE over a cache, written to an analysis folder. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Per-latent firing frequency, mean and max, value histograms, top-k images, patches and CLS"
                + " examples, and the patch maps of the top images; writes latents.csv, *.npy and index.json.")
final class AnalyzeCommand implements Callable<Integer> {

    @Option(names = "--sae", required = true, description = "sae.safetensors")
    Path sae;

    @Option(names = "--cache", required = true, description = "activation cache folder")
    Path cache;

    @Option(names = "--out", required = true, description = "output folder")
    Path out;

    @Option(names = "--layer", description = "block index (default: the first recorded)")
    Integer layer;

    @Option(names = "--k", defaultValue = "64", description = "top examples per latent (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--batch", defaultValue = "4096", description = "tokens per encoder batch (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--latents", description = "latents to analyse, e.g. 0-1023,2000 (default: all)")
    String latents;

    @Option(names = "--max-map-bytes", defaultValue = "" + PatchMaps.DEFAULT_MAX_BYTES,
            description = "refuse patch maps larger than this (default ${DEFAULT-VALUE})")
    long maxMapBytes;

    @Option(names = "--maps", description = "also write maps.csv: PCA and UMAP of the analysed latents' decoder directions")
    boolean maps;

    @Option(names = "--umap-max", defaultValue = "5000", description = "UMAP on at most this many latents (a seeded sample; default ${DEFAULT-VALUE})")
    int umapMax;

    @Override
    public Integer call() throws Exception {
        try (NDManager nd = NDManager.newBaseManager(); Sae model = SaeCheckpoint.read(sae, nd);
             ActivationCache c = ActivationCache.open(cache)) {
            int[] ids = LatentSelection.parse(latents, model.config().dSae(), "--latents");
            PatchMaps.checkSize(ids.length, k, c.tokens().patches(), maxMapBytes);
            int l = layer == null ? c.layers().getFirst() : layer;
            AnalysisResult r = FeaturePass.run(c, model, sae.toAbsolutePath().toString(), nd,
                    new FeaturePass.Options(l, k, batch, ids, true));
            Files.createDirectories(out);
            r = PatchMaps.write(out, c, model, nd, r, batch, maxMapBytes, true);
            r.write(out);
            if (c.hasPatchLabels()) {
                // the ultra-low-density view: frequency and mean value against the label entropy of the top patches
                LabelStatistics stats = LabelStatistics.of(r, c, LabelStatistics.Source.PATCH);
                stats.writeDensityCsv(out.resolve("density.csv"), r, c.labelClasses());
                System.out.println("wrote " + out.resolve("density.csv"));
            }
            if (maps) {
                var arrays = model.exportArrays();
                DecoderMaps.Options mo = new DecoderMaps.Options(umapMax, DecoderMaps.Options.DEFAULT.neighbors(),
                        DecoderMaps.Options.DEFAULT.epochs(), DecoderMaps.Options.DEFAULT.seed());
                DecoderMaps.Maps m = DecoderMaps.compute(arrays.wDec(), model.config().dSae(), model.config().dModel(), ids, mo);
                System.out.println("wrote " + DecoderMaps.write(out, m, r, null));
            }
            System.out.println(r.summary());
            System.out.println("wrote " + out.resolve("index.json"));
        }
        return 0;
    }
}
