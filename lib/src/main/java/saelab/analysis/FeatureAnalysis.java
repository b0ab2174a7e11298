package saelab.analysis;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import saelab.io.Verbosity;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.store.ActivationCache;

/**
 * The analysis of an SAE over a cache, written to an analysis folder: the one entry point behind
 * {@code saelab analyze} and the demo's analysis steps. In this order it runs the feature pass
 * ({@link FeaturePass}; with {@link Options.Builder#codes} every token's codes stream into
 * {@code codes/}, {@link SparseCodes}), writes the patch maps of the top images ({@link PatchMaps}) and the
 * folder's files ({@link AnalysisResult#write}: {@code latents.csv}, the top-k lists, {@code index.json});
 * when the cache has per-patch labels, {@code density.csv} ({@link LabelStatistics}) and, through the
 * caller's {@link DensityDrawer}, its plot; with {@link Options.Builder#decoderMaps} {@code maps.csv}
 * ({@link DecoderMaps}). The file names are those {@code index.json} readers expect.
 *
 * <p>Drawing belongs to {@code saelab.plot}, which sits above this package, so the density plot is drawn by
 * a function the caller passes in (the CLI and the demo both pass {@code AnalysisPlots.densityScatter}).
 */
public final class FeatureAnalysis {

    /** Draws the density view into an analysis folder and returns the files it wrote. */
    @FunctionalInterface
    public interface DensityDrawer {
        List<Path> draw(DensityView view, Path dir) throws IOException;
    }

    /**
     * Settings; build with {@link #builder()}.
     *
     * @param layer         block index to read, or null for the cache's first recorded layer
     * @param k             top examples per latent
     * @param batchRows     tokens per encoder batch
     * @param latents       latents to analyse as {@link LatentSelection} text (e.g. {@code 0-1023,2000}), or null for all
     * @param maxMapBytes   refuse patch maps larger than this
     * @param decoderMaps   whether to write {@code maps.csv}
     * @param umapMax       with decoder maps: UMAP on at most this many latents
     * @param codes         whether to write every token's codes under {@code codes/}
     * @param verbosity     whether to print progress on standard error
     * @param log           where "wrote ..." lines go, or null for none
     * @param densityDrawer draws {@code density.png/pdf}, or null to write only {@code density.csv}
     */
    public record Options(Integer layer, int k, int batchRows, String latents, long maxMapBytes, boolean decoderMaps, int umapMax,
                          boolean codes,
                          Verbosity verbosity, PrintStream log, DensityDrawer densityDrawer) {

        /** Default k (64), batch (4096 tokens), all latents, the default patch-map limit, no maps, no codes, silent. */
        public static Builder builder() {
            return new Builder();
        }

        /** Builder of {@link Options}. */
        public static final class Builder {
            private Integer layer;
            private int k = 64;
            private int batchRows = 4096;
            private String latents;
            private long maxMapBytes = PatchMaps.DEFAULT_MAX_BYTES;
            private boolean decoderMaps;
            private int umapMax = DecoderMaps.Options.DEFAULT.umapMax();
            private boolean codes;
            private Verbosity verbosity = Verbosity.QUIET;
            private PrintStream log;
            private DensityDrawer densityDrawer;

            private Builder() {}

            /** Block index to read (null: the first recorded). */
            public Builder layer(Integer layer) {
                this.layer = layer;
                return this;
            }

            /** Top examples per latent. */
            public Builder k(int k) {
                this.k = k;
                return this;
            }

            /** Tokens per encoder batch. */
            public Builder batchRows(int batchRows) {
                this.batchRows = batchRows;
                return this;
            }

            /** Latents to analyse as {@link LatentSelection} text; null for all. */
            public Builder latents(String latents) {
                this.latents = latents;
                return this;
            }

            /** Refuse patch maps larger than this many bytes. */
            public Builder maxMapBytes(long maxMapBytes) {
                this.maxMapBytes = maxMapBytes;
                return this;
            }

            /** Also write {@code maps.csv}, with UMAP on at most {@code umapMax} latents. */
            public Builder decoderMaps(int umapMax) {
                this.decoderMaps = true;
                this.umapMax = umapMax;
                return this;
            }

            /** Also write every token's codes under {@code codes/}. */
            public Builder codes() {
                this.codes = true;
                return this;
            }

            /** Print progress on standard error. */
            public Builder progress() {
                this.verbosity = Verbosity.PROGRESS;
                return this;
            }

            /** Print a "wrote ..." line per file written. */
            public Builder log(PrintStream log) {
                this.log = log;
                return this;
            }

            /** Draw the density plot with {@code drawer} (when the cache has per-patch labels). */
            public Builder densityDrawer(DensityDrawer drawer) {
                this.densityDrawer = drawer;
                return this;
            }

            public Options build() {
                return new Options(layer, k, batchRows, latents, maxMapBytes, decoderMaps, umapMax, codes, verbosity, log, densityDrawer);
            }
        }
    }

    /**
     * What was written.
     *
     * @param result  the analysis (with the patch maps recorded in its index)
     * @param codes   the codes' index, or null without {@link Options#codes}
     * @param density the density view, or null when the cache has no per-patch labels
     */
    public record Outcome(AnalysisResult result, SparseCodes.Index codes, DensityView density) {}

    private FeatureAnalysis() {}

    /**
     * Analyses the SAE checkpoint {@code saeFile} over the cache {@code cacheDir} into {@code out}.
     *
     * @throws IllegalArgumentException when the checkpoint or cache is unreadable, the latents are malformed, the patch
     *                                  maps would be too large, or the SAE does not fit the cache
     */
    public static Outcome run(Path saeFile, Path cacheDir, Path out, Options o) throws IOException {
        try (NDManager nd = NDManager.newBaseManager(); Sae model = SaeCheckpoint.read(saeFile, nd);
             ActivationCache c = ActivationCache.open(cacheDir)) {
            int[] ids = LatentSelection.parse(o.latents(), model.config().dSae(), "--latents");
            PatchMaps.checkSize(ids.length, o.k(), c.tokens().patches(), o.maxMapBytes());
            int layer = o.layer() == null ? c.layers().getFirst() : o.layer();
            String saeName = saeFile.toAbsolutePath().toString();
            FeaturePass.Options pass = new FeaturePass.Options(layer, o.k(), o.batchRows(), ids, o.verbosity());
            AnalysisResult r;
            SparseCodes.Index codes = null;
            if (o.codes()) {
                Files.createDirectories(out);
                try (SparseCodesWriter w = SparseCodesWriter.create(out.resolve(SparseCodes.FOLDER), c, model, saeName, layer)) {
                    r = FeaturePass.run(c, model, saeName, nd, pass, w);
                    codes = w.finish();
                }
                wrote(o, String.format(Locale.ROOT, "%s: %d tokens x %d latents, %d codes (%.1f per token)", out.resolve(SparseCodes.FOLDER),
                        codes.rows(), codes.dSae(), codes.nnz(), codes.rows() == 0 ? 0.0 : (double) codes.nnz() / codes.rows()));
            } else {
                r = FeaturePass.run(c, model, saeName, nd, pass);
                Files.createDirectories(out); // only now, so a refused pass (NaN activations, a damaged shard) leaves no folder
            }
            r = PatchMaps.write(out, c, model, nd, r, o.batchRows(), o.maxMapBytes(), o.verbosity());
            r.write(out);
            DensityView view = null;
            LabelStatistics.Source source = c.hasPatchLabels() ? LabelStatistics.Source.PATCH
                    : !c.imageClasses().isEmpty() ? LabelStatistics.Source.IMAGE : null;
            if (source != null) {
                // the ultra-low-density view: frequency and mean value against the label entropy of the top patches'
                // segmentation labels, or without those of the top images' class labels (the seed post's ImageNet version)
                LabelStatistics stats = LabelStatistics.of(r, c, source);
                stats.writeDensityCsv(out.resolve(DensityView.FILE), r, source == LabelStatistics.Source.PATCH ? c.labelClasses()
                        : c.imageClasses());
                DensityView.writeSource(out, source);
                wrote(o, out.resolve(DensityView.FILE).toString());
                view = DensityView.of(r, stats);
                if (o.densityDrawer() != null) {
                    if (view.drawable() > 0) {
                        for (Path f : o.densityDrawer().draw(view, out)) {
                            wrote(o, f.toString());
                        }
                    } else if (o.log() != null) {
                        o.log().println("no analysed latent fires: density.png/pdf not drawn");
                    }
                }
            }
            if (o.decoderMaps()) {
                DecoderMaps.Options mo = new DecoderMaps.Options(o.umapMax(), DecoderMaps.Options.DEFAULT.neighbors(),
                        DecoderMaps.Options.DEFAULT.epochs(), DecoderMaps.Options.DEFAULT.seed());
                DecoderMaps.Maps m = DecoderMaps.compute(model.exportArrays().wDec(), model.config().dSae(), model.config().dModel(),
                        ids, mo);
                wrote(o, DecoderMaps.write(out, m, r, null).toString());
            }
            return new Outcome(r, codes, view);
        }
    }

    private static void wrote(Options o, String what) {
        if (o.log() != null) {
            o.log().println("wrote " + what);
        }
    }
}
