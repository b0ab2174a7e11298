package saelab.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import saelab.analysis.AnalysisResult;
import saelab.analysis.FeatureAnalysis;
import saelab.analysis.PatchMaps;
import saelab.plot.AnalysisPlots;

/** {@code saelab analyze}: the feature pass of an SAE over a cache, written to an analysis folder. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Per-latent firing frequency, mean and max, value histograms, top-k images, patches and CLS"
                + " examples, and the patch maps of the top images; writes latents.csv, *.npy and index.json; with per-patch labels"
                + " density.csv/png/pdf (frequency vs mean value by label entropy); with --codes every token's codes as CSR.")
final class AnalyzeCommand implements Callable<Integer> {

    @Mixin
    SaeFileOption sae;

    @Mixin
    CacheFolderOption cache;

    @Mixin
    OutputFolderOption out;

    @Mixin
    LayerOption layer;

    @Mixin
    FeaturePassOptions pass;

    @Mixin
    LatentsOption latents;

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
        Path checkpoint = sae.file();
        Path cacheDir = cache.folder();
        Path folder = out.folder();
        FeatureAnalysis.Options.Builder o = FeatureAnalysis.Options.builder().layer(layer.layer).k(pass.k).batchRows(pass.batch).latents(latents.latents)
                .maxMapBytes(maxMapBytes).progress().log(System.out)
                .densityDrawer((view, dir) -> AnalysisPlots.densityScatter("density", view).writeImages(dir));
        if (maps) {
            o.decoderMaps(umapMax);
        }
        if (writeCodes) {
            o.codes();
        }
        AnalysisResult r = FeatureAnalysis.run(checkpoint, cacheDir, folder, o.build()).result();
        System.out.println(r.summary());
        System.out.println("wrote " + folder.resolve("index.json"));
        return 0;
    }
}
