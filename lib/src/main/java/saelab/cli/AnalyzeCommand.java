package saelab.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.analysis.AnalysisResult;
import saelab.analysis.DecoderMaps;
import saelab.analysis.DensityView;
import saelab.analysis.LabelStatistics;
import saelab.analysis.FeaturePass;
import saelab.analysis.LatentSelection;
import saelab.analysis.PatchMaps;
import saelab.analysis.SparseCodes;
import saelab.analysis.SparseCodesWriter;
import saelab.plot.AnalysisPlots;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.store.ActivationCache;

/** {@code saelab analyze}: the feature pass of an SAE over a cache, written to an analysis folder. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Per-latent firing frequency, mean and max, value histograms, top-k images, patches and CLS"
                + " examples, and the patch maps of the top images; writes latents.csv, *.npy and index.json; with per-patch labels"
                + " density.csv/png/pdf (frequency vs mean value by label entropy); with --codes every token's codes as CSR.")
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

    @Option(names = "--codes", description = "also write every token's SAE codes (all latents) as CSR under OUT/codes/:"
            + " indptr.npy (int64), indices.npy (int32), values.npy (float32) and codes.json")
    boolean writeCodes;

    @Override
    public Integer call() throws Exception {
        try (NDManager nd = NDManager.newBaseManager(); Sae model = SaeCheckpoint.read(sae, nd);
             ActivationCache c = ActivationCache.open(cache)) {
            int[] ids = LatentSelection.parse(latents, model.config().dSae(), "--latents");
            PatchMaps.checkSize(ids.length, k, c.tokens().patches(), maxMapBytes);
            int l = layer == null ? c.layers().getFirst() : layer;
            Files.createDirectories(out);
            String saeName = sae.toAbsolutePath().toString();
            FeaturePass.Options options = new FeaturePass.Options(l, k, batch, ids, true);
            AnalysisResult r;
            if (writeCodes) {
                try (SparseCodesWriter w = SparseCodesWriter.create(out.resolve(SparseCodes.FOLDER), c, model, saeName, l)) {
                    r = FeaturePass.run(c, model, saeName, nd, options, w);
                    SparseCodes.Index ix = w.finish();
                    System.out.printf(Locale.ROOT, "wrote %s: %d tokens x %d latents, %d codes (%.1f per token)%n",
                            out.resolve(SparseCodes.FOLDER), ix.rows(), ix.dSae(), ix.nnz(), ix.rows() == 0 ? 0.0 : (double) ix.nnz() / ix.rows());
                }
            } else {
                r = FeaturePass.run(c, model, saeName, nd, options);
            }
            r = PatchMaps.write(out, c, model, nd, r, batch, maxMapBytes, true);
            r.write(out);
            if (c.hasPatchLabels()) {
                // the ultra-low-density view: frequency and mean value against the label entropy of the top patches
                LabelStatistics stats = LabelStatistics.of(r, c, LabelStatistics.Source.PATCH);
                stats.writeDensityCsv(out.resolve(DensityView.FILE), r, c.labelClasses());
                System.out.println("wrote " + out.resolve(DensityView.FILE));
                DensityView view = DensityView.of(r, stats);
                if (view.drawable() > 0) {
                    for (Path f : AnalysisPlots.densityScatter("density", view).writeImages(out)) {
                        System.out.println("wrote " + f);
                    }
                } else {
                    System.out.println("no analysed latent fires: density.png/pdf not drawn");
                }
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
