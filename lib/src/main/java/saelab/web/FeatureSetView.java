package saelab.web;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;
import saelab.analysis.AnalysisResult;
import saelab.analysis.DecoderMaps;
import saelab.analysis.DensityView;
import saelab.analysis.LogHistogram;
import saelab.image.Preprocessor;
import saelab.plot.LatentGridPlot;
import saelab.plot.LatentTiles;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;
import saelab.store.ActivationCache;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * One feature set loaded for the feature map: the analysis (frequencies, histograms, top images), the density view
 * (label entropy), the SAE's unit decoder directions (for the 2-D map and for nearest latents) and the concepts each
 * latent best matches. Built once per set and kept by {@link FeatureMapApi}; the top-image tiles of a latent are
 * rendered on first request and kept (a dashboard shows the same latents again and again).
 */
final class FeatureSetView implements AutoCloseable {

    /** A concept whose best-F1 latent this is. */
    record ConceptHit(String family, String name, double f1, double auroc) {}

    private static final int TILE_CACHE_LATENTS = 256;

    private final FeatureSet set;
    private final AnalysisResult analysis;
    private final DensityView density;
    private final float[] unitDecoder;
    private final int dModel;
    private final DecoderMaps.Maps maps;
    private final Map<Integer, List<ConceptHit>> concepts;
    private final ActivationCache cache;
    private final Preprocessor preprocessor;
    private final Map<Integer, List<byte[]>> tiles = new ConcurrentHashMap<>();

    private FeatureSetView(FeatureSet set, AnalysisResult analysis, DensityView density, float[] unitDecoder, int dModel,
                           DecoderMaps.Maps maps, Map<Integer, List<ConceptHit>> concepts, ActivationCache cache, Preprocessor pre) {
        this.set = set;
        this.analysis = analysis;
        this.density = density;
        this.unitDecoder = unitDecoder;
        this.dModel = dModel;
        this.maps = maps;
        this.concepts = concepts;
        this.cache = cache;
        this.preprocessor = pre;
    }

    /**
     * Loads a set.
     *
     * @param umapMax at most this many latents get UMAP coordinates (the rest PCA only); a run whose analysis folder
     *                holds {@code maps.csv} ({@code saelab analyze --maps}) is read instead of computed
     * @throws IllegalArgumentException when a file is missing or does not fit the others (naming it)
     */
    static FeatureSetView load(FeatureSet set, int umapMax) throws IOException {
        AnalysisResult analysis = AnalysisResult.read(set.analysis());
        DensityView density = Files.isRegularFile(set.analysis().resolve(DensityView.FILE)) ? DensityView.read(set.analysis()) : null;
        if (density != null && !Arrays.equals(density.latents(), analysis.index().latents().stream().mapToInt(Integer::intValue).toArray())) {
            throw new IllegalArgumentException(set.analysis().resolve(DensityView.FILE) + ": column latent does not list the latents of "
                    + set.analysis().resolve("index.json") + " in the same order; expected both from one saelab analyze run");
        }
        SaeConfig cfg = SaeCheckpoint.config(set.sae());
        if (cfg.dSae() != analysis.index().dSae()) {
            throw new IllegalArgumentException(set.analysis().resolve("index.json") + ": field d_sae is " + analysis.index().dSae()
                    + " but the SAE " + set.sae() + " has " + cfg.dSae() + " latents; expected the analysis of that SAE");
        }
        float[] wDec = SaeCheckpoint.readArrays(set.sae(), cfg).wDec();
        int dModel = cfg.dModel();
        int[] latents = analysis.index().latents().stream().mapToInt(Integer::intValue).toArray();
        DecoderMaps.Maps maps = DecoderMaps.compute(wDec, cfg.dSae(), dModel, latents,
                new DecoderMaps.Options(umapMax, 15, 0, 0));
        float[] unit = new float[latents.length * dModel];
        for (int i = 0; i < latents.length; i++) {
            double norm = 0;
            for (int c = 0; c < dModel; c++) {
                double v = wDec[latents[i] * dModel + c];
                norm += v * v;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int c = 0; c < dModel; c++) {
                unit[i * dModel + c] = wDec[latents[i] * dModel + c] * inv;
            }
        }
        Map<Integer, List<ConceptHit>> concepts = set.concepts() == null ? Map.of() : readConcepts(set.concepts().resolve("concepts.csv"));
        ActivationCache cache = set.cache() == null ? null : ActivationCache.open(set.cache());
        Preprocessor pre = set.model() == null ? null : Preprocessor.load(set.model());
        return new FeatureSetView(set, analysis, density, unit, dModel, maps, concepts, cache, pre);
    }

    static Map<Integer, List<ConceptHit>> readConcepts(Path csv) throws IOException {
        if (!Files.isRegularFile(csv)) {
            return Map.of();
        }
        // Tablesaw parses the quoted CSV the concept matching writes (names may hold commas).
        Table t = Table.read().csv(CsvReadOptions.builder(csv.toFile()).header(true).build());
        for (String col : List.of("name", "best_f1_latent", "best_f1", "best_auroc")) {
            if (!t.columnNames().contains(col)) {
                throw new IllegalArgumentException(csv + ": column '" + col + "' is missing; expected the concepts.csv of saelab concepts");
            }
        }
        // the toy world's ground truth has families (colour, shape, ...); a dataset's labels are one family, written without
        // the column; a name may read as a number (a class id), so every text column is read as text
        boolean families = t.columnNames().contains("family");
        Map<Integer, List<ConceptHit>> out = new LinkedHashMap<>();
        for (int i = 0; i < t.rowCount(); i++) {
            int latent = (int) number(t, "best_f1_latent", i, csv);
            out.computeIfAbsent(latent, k -> new ArrayList<>()).add(new ConceptHit(families ? t.column("family").getString(i) : "label",
                    t.column("name").getString(i), number(t, "best_f1", i, csv), number(t, "best_auroc", i, csv)));
        }
        return out;
    }

    private static double number(Table t, String col, int row, Path csv) {
        if (t.column(col) instanceof tech.tablesaw.api.NumericColumn<?> n) {
            return n.getDouble(row);
        }
        throw new IllegalArgumentException(csv + ": column '" + col + "' is not numeric; expected the concepts.csv of saelab concepts");
    }

    /**
     * The latent a first look should open: the best-F1 latent of the concept matched best (a colour on the toy world),
     * or the most frequent latent when no concepts were matched.
     */
    int showcaseLatent() {
        int best = -1;
        double bestF1 = -1;
        for (Map.Entry<Integer, List<ConceptHit>> e : concepts.entrySet()) {
            for (ConceptHit h : e.getValue()) {
                if (h.f1() > bestF1 && analysis.rowOf(e.getKey()) >= 0 && !h.name().equals("none")) {
                    bestF1 = h.f1();
                    best = e.getKey();
                }
            }
        }
        if (best >= 0) {
            return best;
        }
        int row = 0;
        for (int i = 1; i < analysis.rows(); i++) {
            if (analysis.fires()[i] > analysis.fires()[row]) {
                row = i;
            }
        }
        return analysis.index().latents().get(row);
    }

    FeatureSet set() {
        return set;
    }

    /** Analysed latents. */
    int size() {
        return analysis.rows();
    }

    /**
     * The map as columns (compact for 25,000 points): latent ids, PCA and UMAP coordinates (null where a latent is
     * outside the UMAP sample), log10 frequency, log10 mean value when firing, label entropy (null when unknown) and the
     * top label's name.
     */
    Map<String, Object> mapJson() {
        int n = analysis.rows();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("set", set.id());
        m.put("label", set.label());
        m.put("d_sae", analysis.index().dSae());
        m.put("latents", maps.latents());
        m.put("pca_x", rounded(maps.pcaX()));
        m.put("pca_y", rounded(maps.pcaY()));
        m.put("umap_x", rounded(maps.umapX()));
        m.put("umap_y", rounded(maps.umapY()));
        Double[] logF = new Double[n];
        Double[] logM = new Double[n];
        Double[] entropy = new Double[n];
        for (int i = 0; i < n; i++) {
            logF[i] = finiteOrNull(Math.log10(analysis.frequency(i)));
            logM[i] = finiteOrNull(Math.log10(analysis.meanWhenFiring(i)));
            entropy[i] = density == null ? null : finiteOrNull(density.entropy()[i]);
        }
        m.put("log10_frequency", logF);
        m.put("log10_mean", logM);
        m.put("label_entropy", entropy);
        return m;
    }

    /** One latent's page: its numbers, histogram, concepts, nearest latents and top images. */
    Map<String, Object> latentJson(int latent, int nearest) {
        int row = rowOf(latent);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("set", set.id());
        m.put("latent", latent);
        m.put("frequency", analysis.frequency(row));
        m.put("mean_when_firing", analysis.meanWhenFiring(row));
        m.put("max", analysis.max()[row]);
        m.put("cls_frequency", analysis.clsFrequency(row));
        m.put("label_entropy", density == null ? null : finiteOrNull(density.entropy()[row]));
        int bins = analysis.index().histogramBins();
        long[] counts = Arrays.copyOfRange(analysis.histograms(), row * bins, (row + 1) * bins);
        m.put("histogram", Map.of("edges", LogHistogram.edges(), "counts", counts));
        m.put("concepts", concepts.getOrDefault(latent, List.of()));
        m.put("nearest", nearest(row, nearest));
        List<Map<String, Object>> top = new ArrayList<>();
        int k = analysis.index().k();
        for (int rank = 0; rank < k; rank++) {
            int image = analysis.topImages().images()[row * k + rank];
            if (image < 0) {
                break;
            }
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("rank", rank);
            t.put("image", image);
            t.put("value", analysis.topImages().values()[row * k + rank]);
            t.put("label", cache == null ? null : fileName(cache.image(image).path()));
            t.put("url", "/api/sets/" + set.id() + "/latents/" + latent + "/top/" + rank + ".png");
            top.add(t);
        }
        m.put("top_images", top);
        return m;
    }

    /** The row of an analysed latent; IllegalArgumentException naming the range otherwise. */
    int rowOf(int latent) {
        int row = analysis.rowOf(latent);
        if (row < 0) {
            throw new IllegalArgumentException("latent " + latent + " was not analysed in " + set.id() + " (the analysis has "
                    + analysis.rows() + " of " + analysis.index().dSae() + " latents)");
        }
        return row;
    }

    private List<Map<String, Object>> nearest(int row, int n) {
        int rows = analysis.rows();
        double[] cos = new double[rows];
        for (int j = 0; j < rows; j++) {
            double s = 0;
            for (int c = 0; c < dModel; c++) {
                s += unitDecoder[row * dModel + c] * unitDecoder[j * dModel + c];
            }
            cos[j] = j == row ? Double.NEGATIVE_INFINITY : s;
        }
        Integer[] order = new Integer[rows];
        for (int j = 0; j < rows; j++) {
            order[j] = j;
        }
        Arrays.sort(order, (a, b) -> Double.compare(cos[b], cos[a]));
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < Math.min(n, rows - 1); i++) {
            out.add(Map.of("latent", analysis.index().latents().get(order[i]), "cosine", Math.round(cos[order[i]] * 1e4) / 1e4));
        }
        return out;
    }

    /**
     * The PNG of one top image of a latent with its patch heatmap over the image as the model saw it.
     *
     * @throws IllegalArgumentException when the latent was not analysed or has fewer top images than {@code rank + 1}
     */
    byte[] tilePng(int latent, int rank) throws IOException {
        rowOf(latent);
        List<byte[]> pngs = tiles.get(latent);
        if (pngs == null) {
            LatentGridPlot grid = LatentTiles.grid(set.analysis(), analysis, latent, analysis.index().k(), 0.6, 4,
                    new LatentTiles.Sources(cache, set.dataRoot(), preprocessor));
            List<byte[]> rendered = new ArrayList<>();
            for (int i = 0; i < grid.tiles().size(); i++) {
                rendered.add(png(grid.renderTile(i)));
            }
            pngs = List.copyOf(rendered);
            if (tiles.size() >= TILE_CACHE_LATENTS) {
                tiles.clear();
            }
            tiles.put(latent, pngs);
        }
        if (rank < 0 || rank >= pngs.size()) {
            throw new IllegalArgumentException("latent " + latent + " has " + pngs.size() + " top images; rank " + rank
                    + " is outside 0.." + (pngs.size() - 1));
        }
        return pngs.get(rank);
    }

    private static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static Double[] rounded(double[] v) {
        Double[] out = new Double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Double.isFinite(v[i]) ? Math.round(v[i] * 1e5) / 1e5 : null;
        }
        return out;
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    @Override
    public void close() {
        if (cache != null) {
            cache.close();
        }
    }
}
