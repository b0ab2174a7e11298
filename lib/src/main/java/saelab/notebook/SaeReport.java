package saelab.notebook;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.analysis.DensityView;
import saelab.analysis.LowDensityCluster;
import saelab.demo.DemoOutputs;
import saelab.demo.RunSae;
import saelab.io.Json;
import saelab.plot.ChartFigure;
import saelab.plot.SaePlots;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;
import saelab.store.ActivationCache;
import saelab.store.TokenKind;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The SAEs of a run (demo or paper plan; found by kind in its index, {@link DemoOutputs#saes}), for the paper's method section: one table row per SAE, every SAE's training curves, the
 * per-latent frequency and mean-activation histograms, and the density view of the patch SAEs with the
 * ultra-low-density cluster ({@link LowDensityCluster}). Every number is read from the run's step folders: the
 * checkpoint's config and provenance ({@link SaeCheckpoint}), the trainer's {@code metrics.jsonl}, the eval step's
 * {@code metrics.json} and {@code latents.csv} ({@link saelab.sae.SaeEvaluation}) and the analysis step's
 * {@code density.csv} ({@link DensityView}).
 */
public final class SaeReport {

    /** The column of {@link #table} naming the SAE, and of {@link #trainingLog}. */
    public static final String SAE = "sae";

    private SaeReport() {}

    /** Every SAE of the run, in run order ({@link DemoOutputs#saes}). */
    public static List<RunSae> saes(DemoOutputs d) throws IOException {
        return d.saes();
    }

    /** The SAEs of the run trained on patch tokens, in run order. */
    public static List<RunSae> patchSaes(DemoOutputs d) throws IOException {
        return d.saes().stream().filter(s -> s.kind() == TokenKind.PATCHES).toList();
    }

    /**
     * The patch SAEs with a density view: an analysis step that wrote {@code density.csv}, which needs labels in the capture:
     * per-patch labels (the toy world's, ADE20K's: the entropy of the top patches' labels) or image labels (ImageNet,
     * iNat2021, CUB: of the top images' class labels, {@link DensityView#source}).
     */
    public static List<RunSae> densitySaes(DemoOutputs d) throws IOException {
        List<RunSae> out = new ArrayList<>();
        for (RunSae s : patchSaes(d)) {
            if (s.analysis() != null && Files.isRegularFile(s.analysisDir(d).resolve(DensityView.FILE))) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * One row per SAE. Columns and their sources:
     * <ul>
     *   <li>{@code sae}, {@code model} (the backbone or model source the SAE's capture read, {@link RunSae#modelName}), {@code model_type} (the {@code model_type} of the
     *       model folder's {@code config.json}), {@code layer} (0-based index of the transformer block whose output was
     *       captured: the cache's first recorded layer, the one the SAE and eval steps read), {@code tokens}
     *       ({@code patch} or {@code cls});</li>
     *   <li>from the checkpoint's config: {@code kind}, {@code d_model}, {@code d_sae}, and the sparsity setting:
     *       {@code k} (active latents per token, topk and batchtopk; missing otherwise) and {@code l1_coeff} (the
     *       sparsity coefficient λ, relu and jumprelu; missing otherwise), {@code batch_size};</li>
     *   <li>from the checkpoint's provenance: {@code steps} and {@code tokens_seen} (the trainer's steps × batch size;
     *       computed from the two when the provenance lacks it; missing for an SAE whose recipe is unknown);</li>
     *   <li>from the eval step's {@code metrics.json} (saelab's {@link saelab.sae.SaeMetrics} over every token of the
     *       capture): {@code eval_tokens}, {@code l0} (mean active latents per token), {@code normalized_mse} (the SAE's
     *       squared error over that of predicting each dimension's mean, the fraction of variance unexplained, as saev
     *       defines it), {@code explained_variance} (1 − normalised MSE), {@code dead_fraction} (latents that never fire
     *       on the evaluation tokens, over d_sae) and {@code dense_fraction} (latents firing on more than 1e-2 of them,
     *       saev's threshold, over d_sae).</li>
     * </ul>
     *
     * @throws IllegalArgumentException naming the file and field when an input is missing or malformed
     */
    public static Table table(DemoOutputs d) throws IOException {
        Table t = Table.create("SAEs of the run", StringColumn.create(SAE), StringColumn.create("model"),
                StringColumn.create("model_type"), IntColumn.create("layer"), StringColumn.create("tokens"), StringColumn.create("kind"),
                IntColumn.create("d_model"), IntColumn.create("d_sae"), IntColumn.create("k"), DoubleColumn.create("l1_coeff"),
                IntColumn.create("batch_size"), LongColumn.create("steps"), LongColumn.create("tokens_seen"),
                LongColumn.create("eval_tokens"), DoubleColumn.create("l0"), DoubleColumn.create("normalized_mse"),
                DoubleColumn.create("explained_variance"), DoubleColumn.create("dead_fraction"), DoubleColumn.create("dense_fraction"));
        for (RunSae s : saes(d)) {
            Path ckpt = s.checkpoint(d);
            SaeConfig cfg = SaeCheckpoint.config(ckpt);
            JsonNode prov = SaeCheckpoint.provenance(ckpt);
            Path metricsFile = s.evalDir(d).resolve("metrics.json");
            JsonNode m = readJson(metricsFile);
            Row r = t.appendRow();
            r.setString(SAE, s.id());
            r.setString("model", s.modelName());
            r.setString("model_type", modelType(d.modelFolder(s.model())));
            r.setInt("layer", ActivationCache.readManifest(s.cache(d)).layers().getFirst());
            r.setString("tokens", s.tokens());
            r.setString("kind", cfg.kind().id());
            r.setInt("d_model", cfg.dModel());
            r.setInt("d_sae", cfg.dSae());
            if (cfg.kind().selectsTopK()) {
                r.setInt("k", cfg.k());
            } else {
                r.setMissing("k");
            }
            if (cfg.kind().hasPenalty()) {
                r.setDouble("l1_coeff", cfg.l1());
            } else {
                r.setMissing("l1_coeff");
            }
            r.setInt("batch_size", cfg.batchSize());
            long steps = prov.path("steps").asLong(cfg.steps());
            r.setLong("steps", steps);
            if (prov.path("tokens_seen").canConvertToLong()) {
                r.setLong("tokens_seen", prov.path("tokens_seen").asLong());
            } else if (cfg.trainable()) {
                r.setLong("tokens_seen", steps * cfg.batchSize());
            } else {
                r.setMissing("tokens_seen");
            }
            r.setLong("eval_tokens", (long) number(m, "rows", metricsFile.toString()));
            r.setDouble("l0", number(m, "l0", metricsFile.toString()));
            r.setDouble("normalized_mse", number(m, "normalized_mse", metricsFile.toString()));
            r.setDouble("explained_variance", number(m, "explained_variance", metricsFile.toString()));
            r.setDouble("dead_fraction", number(m, "dead", metricsFile.toString()) / cfg.dSae());
            r.setDouble("dense_fraction", number(m, "dense", metricsFile.toString()) / cfg.dSae());
        }
        return t;
    }

    /**
     * Every SAE's training log ({@code metrics.jsonl} of its step: one line every 1/20 of the steps) as one long table:
     * {@code sae}, {@code step}, {@code tokens} (tokens seen), {@code loss}, {@code relative_loss} (loss over the SAE's first
     * logged loss, so SAEs on activations of different scales share an axis), {@code mse}, {@code l0}, {@code never_fired}
     * (latents that have not fired once since the start) and {@code never_fired_fraction} (over d_sae), {@code lr} and
     * {@code l1_coeff} (the scheduled values at that step).
     *
     * @throws IllegalArgumentException naming the file and line when a line is not JSON or lacks step, tokens or loss
     */
    public static Table trainingLog(DemoOutputs d) throws IOException {
        StringColumn sae = StringColumn.create(SAE);
        LongColumn step = LongColumn.create("step");
        LongColumn tokens = LongColumn.create("tokens");
        Map<String, DoubleColumn> values = new LinkedHashMap<>();
        for (String f : List.of("loss", "relative_loss", "mse", "l0", "never_fired", "never_fired_fraction", "lr", "l1_coeff")) {
            values.put(f, DoubleColumn.create(f));
        }
        for (RunSae s : saes(d)) {
            int dSae = SaeCheckpoint.config(s.checkpoint(d)).dSae();
            Path file = d.dir(s.step()).resolve("metrics.jsonl");
            List<String> lines = readLines(file);
            double first = Double.NaN;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) {
                    continue;
                }
                String where = file + " line " + (i + 1);
                JsonNode m;
                try {
                    m = Json.mapper().readTree(lines.get(i));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalArgumentException(where + " is not a JSON object: " + Json.describe(e), e);
                }
                double loss = number(m, "loss", where);
                if (Double.isNaN(first)) {
                    first = loss;
                }
                sae.append(s.id());
                step.append((long) number(m, "step", where));
                tokens.append((long) number(m, "tokens", where));
                values.get("loss").append(loss);
                values.get("relative_loss").append(loss / first);
                values.get("mse").append(m.path("mse").asDouble(Double.NaN));
                values.get("l0").append(m.path("l0").asDouble(Double.NaN));
                double never = m.path("never_fired").asDouble(Double.NaN);
                values.get("never_fired").append(never);
                values.get("never_fired_fraction").append(never / dSae);
                values.get("lr").append(m.path("lr").asDouble(Double.NaN));
                values.get("l1_coeff").append(m.path("l1_coeff").asDouble(Double.NaN));
            }
        }
        Table t = Table.create("SAE training logs", sae, step, tokens);
        values.values().forEach(t::addColumns);
        return t;
    }

    /** One training curve per SAE from {@link #trainingLog}: {@code column} against tokens seen. */
    public static ChartFigure curves(String id, Table log, String column, String title, String yTitle, boolean logY) {
        return SaePlots.curves(id, title, log, SAE, "tokens", column, "training tokens", yTitle, logY);
    }

    /** Firing-frequency histograms of every SAE (eval step's {@code latents.csv}: share of its evaluation tokens). */
    public static ChartFigure frequencyHistograms(String id, DemoOutputs d) throws IOException {
        return SaePlots.logHistograms(id, "Latent firing frequency", "firing frequency (share of tokens)", latentColumn(d, 1));
    }

    /** Mean-activation histograms of every SAE (eval step's {@code latents.csv}: mean code when firing). */
    public static ChartFigure meanHistograms(String id, DemoOutputs d) throws IOException {
        return SaePlots.logHistograms(id, "Latent mean activation when firing", "mean activation when firing", latentColumn(d, 2));
    }

    /**
     * The density view of a patch SAE (its analysis step's {@code density.csv}: frequency over patch tokens, label entropy
     * of the top patches' segmentation labels or of the top images' class labels, said in the title), with the low-density
     * boundary at {@code threshold}.
     */
    public static ChartFigure density(String id, DemoOutputs d, RunSae sae, double threshold) throws IOException {
        Path dir = sae.analysisDir(d);
        String labels = DensityView.source(dir) == saelab.analysis.LabelStatistics.Source.IMAGE ? " (top images' class labels)" : "";
        return SaePlots.density(id, sae.stem() + " patch SAE" + labels, DensityView.read(dir), threshold);
    }

    /**
     * The ultra-low-density cluster of every patch SAE with a density view ({@link #densitySaes}), one row each: latents, dead,
     * cluster size and share, the mean label entropy (nats) of the cluster and of the other firing latents with the
     * number of latents each mean is over, Welch's p-value of their difference, the widest gap in log10 frequency, and on
     * each side the share of latents whose top patches' majority label is the background label of the cache (low entropy
     * then means "background", not one object class). CLS SAEs are left out: their analysis counts firing on patch tokens,
     * which they were not trained on.
     */
    public static Table lowDensity(DemoOutputs d, double threshold) throws IOException {
        Table t = Table.create("Ultra-low-density cluster (frequency < " + threshold + ")", StringColumn.create(SAE),
                IntColumn.create("latents"), IntColumn.create("dead"), IntColumn.create("cluster"), DoubleColumn.create("cluster_fraction"),
                DoubleColumn.create("cluster_entropy"), IntColumn.create("cluster_labelled"), DoubleColumn.create("rest_entropy"),
                IntColumn.create("rest_labelled"), DoubleColumn.create("welch_p"), DoubleColumn.create("gap_low_log10"),
                DoubleColumn.create("gap_high_log10"), DoubleColumn.create("cluster_background_share"),
                DoubleColumn.create("rest_background_share"));
        for (RunSae sae : densitySaes(d)) {
            Path dir = sae.analysisDir(d);
            var labels = ActivationCache.readManifest(sae.cache(d)).patchLabels();
            LowDensityCluster.Summary s = LowDensityCluster.of(DensityView.read(dir), threshold, majorityLabels(dir.resolve(DensityView.FILE)),
                    labels == null ? -1 : labels.background());
            Row r = t.appendRow();
            r.setString(SAE, sae.id());
            r.setInt("latents", s.latents());
            r.setInt("dead", s.dead());
            r.setInt("cluster", s.cluster());
            r.setDouble("cluster_fraction", s.clusterFraction());
            r.setDouble("cluster_entropy", s.clusterEntropy());
            r.setInt("cluster_labelled", s.clusterLabelled());
            r.setDouble("rest_entropy", s.restEntropy());
            r.setInt("rest_labelled", s.restLabelled());
            r.setDouble("welch_p", s.welchP());
            r.setDouble("gap_low_log10", s.gapLow());
            r.setDouble("gap_high_log10", s.gapHigh());
            r.setDouble("cluster_background_share", labels == null ? Double.NaN : (double) s.clusterBackground() / s.cluster());
            r.setDouble("rest_background_share", labels == null ? Double.NaN : (double) s.restBackground() / s.rest());
        }
        return t;
    }

    /**
     * The {@code top_label} column (the majority label of each latent's top patches, −1 for none) of a {@code density.csv}
     * that {@link DensityView#read} has already checked. {@link DensityView} does not keep it; the label is the sixth of
     * seven fields, before the only one that may be quoted, so a split with a limit finds it.
     */
    static int[] majorityLabels(Path file) throws IOException {
        List<String> lines = readLines(file);
        int[] out = new int[Math.max(0, lines.size() - 1)];
        for (int i = 0; i < out.length; i++) {
            String[] c = lines.get(i + 1).split(",", 7);
            try {
                out[i] = Integer.parseInt(c[5]);
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new IllegalArgumentException(file + ": row " + (i + 1) + " has no integer field top_label", e);
            }
        }
        return out;
    }

    /** Per SAE, one column (1 frequency, 2 mean value) of its eval step's {@code latents.csv}. */
    private static Map<String, double[]> latentColumn(DemoOutputs d, int column) throws IOException {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (RunSae s : saes(d)) {
            out.put(s.id(), readLatents(s.evalDir(d).resolve("latents.csv"))[column - 1]);
        }
        return out;
    }

    /**
     * The frequency and mean-value columns of an eval {@code latents.csv} (header {@code latent,frequency,mean_value}).
     * Read by hand: three numeric columns need no CSV library, and a hand parser names the bad row.
     */
    static double[][] readLatents(Path file) throws IOException {
        List<String> lines = readLines(file);
        if (lines.isEmpty() || !lines.getFirst().equals("latent,frequency,mean_value")) {
            throw new IllegalArgumentException(file + ": expected the header 'latent,frequency,mean_value'");
        }
        int n = lines.size() - 1;
        double[] f = new double[n];
        double[] m = new double[n];
        for (int i = 0; i < n; i++) {
            String[] c = lines.get(i + 1).split(",");
            try {
                if (c.length != 3) {
                    throw new NumberFormatException(c.length + " fields");
                }
                f[i] = Double.parseDouble(c[1]);
                m[i] = Double.parseDouble(c[2]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ": row " + (i + 1) + " is not three numbers (latent, frequency, mean_value)", e);
            }
            if (!(f[i] >= 0 && f[i] <= 1) || !(m[i] >= 0) || !Double.isFinite(m[i])) {
                throw new IllegalArgumentException(file + ": row " + (i + 1) + " has frequency " + f[i] + " and mean value " + m[i]
                        + "; expected a frequency in [0, 1] and a finite mean value >= 0");
            }
        }
        return new double[][] {f, m};
    }

    private static String modelType(Path modelDir) throws IOException {
        Path config = modelDir.resolve("config.json");
        return Files.isRegularFile(config) ? readJson(config).path("model_type").asText("") : "";
    }

    private static JsonNode readJson(Path file) throws IOException {
        try {
            return Json.mapper().readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + Json.describe(e), e);
        } catch (java.io.FileNotFoundException | NoSuchFileException e) {
            throw new IllegalArgumentException(file + " is missing", e);
        }
    }

    private static List<String> readLines(Path file) throws IOException {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + " is missing", e);
        }
    }

    private static double number(JsonNode m, String field, String where) {
        JsonNode v = m.path(field);
        if (!v.isNumber()) {
            throw new IllegalArgumentException(where + ": field '" + field + "' is " + (v.isMissingNode() ? "missing" : "'" + v + "'")
                    + "; expected a number");
        }
        return v.asDouble();
    }
}
