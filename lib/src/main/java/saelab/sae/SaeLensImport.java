package saelab.sae;

import static saelab.sae.SaeImport.bad;
import static saelab.sae.SaeImport.batchTopKKind;
import static saelab.sae.SaeImport.bool;
import static saelab.sae.SaeImport.broadcast;
import static saelab.sae.SaeImport.positiveInt;
import static saelab.sae.SaeImport.requireFinite;
import static saelab.sae.SaeImport.requirePositive;
import static saelab.sae.SaeImport.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.io.Safetensors;
import saelab.io.Sha256;

/**
 * The importer of SAELens SAE folders (see {@link SaeImport} for the entry point).
 *
 * <p><b>SAELens</b> (jbloomAus/SAELens, {@code sae_lens/saes/*.py},
 * {@code sae_lens/loading/pretrained_sae_loaders.py}): a folder with {@code cfg.json} and
 * {@code sae_weights.safetensors} ({@code W_enc} [d_in, d_sae], {@code W_dec} [d_sae, d_in],
 * {@code b_enc}, {@code b_dec}, {@code threshold} [d_sae] or {@code log_threshold} for jumprelu,
 * {@code threshold} or the scalar {@code topk_threshold} for batchtopk). The config keys of both
 * generations are read: before 6.0 {@code architecture} (standard, gated, jumprelu, topk),
 * {@code activation_fn_str} ("relu", "topk" with {@code activation_fn_kwargs.k}),
 * {@code finetuning_scaling_factor}; from 6.0 {@code architecture} (standard, topk, batchtopk,
 * jumprelu, ...), {@code k}, {@code rescale_acts_by_decoder_norm} and a {@code metadata} object
 * with {@code sae_lens_version}. Common: {@code d_in}, {@code d_sae},
 * {@code apply_b_dec_to_input} (true: {@code centered}, false: {@code raw}), {@code dtype},
 * {@code normalize_activations} (only "none" can be imported). A decoder-norm rescaling or a
 * fine-tuning scaling factor is folded into the weights (the codes and reconstructions stay the
 * same); gated SAEs are rejected.
 */
final class SaeLensImport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SaeLensImport() {}

    /**
     * Imports a SAELens SAE folder ({@code cfg.json} and {@code sae_weights.safetensors}), config keys of
     * SAELens before and after 6.0: standard (ReLU), topk, batchtopk and jumprelu SAEs.
     *
     * @throws IllegalArgumentException naming the file and the field or tensor for a missing file, a gated
     *     or unknown architecture or activation, a {@code normalize_activations} other than none, a missing
     *     tensor, a wrong shape (both shapes), non-finite values or a JumpReLU threshold ≤ 0
     */
    static SaeImport.Imported read(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException(folder + (Files.exists(folder) ? " is not a folder" : " does not exist")
                    + "; a SAELens SAE is a folder holding " + SaeImport.SAELENS_CONFIG + " and " + SaeImport.SAELENS_WEIGHTS);
        }
        Path cfgFile = folder.resolve(SaeImport.SAELENS_CONFIG);
        Path weights = folder.resolve(SaeImport.SAELENS_WEIGHTS);
        for (Path p : List.of(cfgFile, weights)) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException(p + " is missing; a SAELens SAE folder holds " + SaeImport.SAELENS_CONFIG + " and "
                        + SaeImport.SAELENS_WEIGHTS);
            }
        }
        JsonNode cfg;
        try {
            cfg = JSON.readTree(Files.readAllBytes(cfgFile));
        } catch (JsonProcessingException e) {
            throw bad(cfgFile, "is not valid JSON: " + e.getOriginalMessage());
        }
        if (cfg == null || !cfg.isObject()) {
            throw bad(cfgFile, "is not a JSON object; expected SAELens' SAE config");
        }
        List<String> notes = new ArrayList<>();
        String version = text(cfg.path("metadata"), "sae_lens_version", text(cfg, "sae_lens_version",
                text(cfg, "sae_lens_training_version", "")));
        String architecture = text(cfg, "architecture", "standard");
        JsonNode norm = cfg.get("normalize_activations");
        boolean normNone = norm == null || norm.isNull() || (norm.isBoolean() && !norm.asBoolean())
                || (norm.isTextual() && norm.asText().equals("none"));
        if (!normNone) {
            throw bad(cfgFile, "field 'normalize_activations' is " + norm + "; saelab imports only SAEs with \"none\" (it does not"
                    + " rescale inputs at inference: fold the scaling into the weights first, e.g. with SAELens'"
                    + " fold_activation_norm_scaling_factor, and save again)");
        }
        String actField = cfg.has("activation_fn_str") ? "activation_fn_str" : "activation_fn";
        String act = text(cfg, actField, "relu");
        int d = positiveInt(cfgFile, cfg, "d_in", "");
        int f = positiveInt(cfgFile, cfg, "d_sae", "");
        JsonNode applyBDec = cfg.get("apply_b_dec_to_input");
        if (applyBDec != null && !applyBDec.isNull() && !applyBDec.isBoolean()) {
            throw bad(cfgFile, "field 'apply_b_dec_to_input' is " + applyBDec + "; expected true or false");
        }
        String encoderInput = applyBDec == null || applyBDec.isNull() || applyBDec.asBoolean() ? "centered" : "raw";
        SaeKind kind;
        switch (architecture) {
            case "standard" -> {
                kind = switch (act) {
                    case "relu" -> SaeKind.RELU;
                    case "topk" -> SaeKind.TOPK;
                    default -> throw bad(cfgFile, "field '" + actField + "' is '" + act + "'; saelab imports standard SAEs with"
                            + " the relu or topk activation");
                };
            }
            case "topk" -> kind = SaeKind.TOPK;
            case "batchtopk" -> kind = SaeKind.BATCHTOPK;
            case "jumprelu" -> {
                if (!act.equals("relu")) {
                    throw bad(cfgFile, "field '" + actField + "' is '" + act + "'; a jumprelu SAE saelab imports has the relu activation");
                }
                kind = SaeKind.JUMPRELU;
            }
            case "gated" -> throw bad(cfgFile, "field 'architecture' is 'gated': gated SAEs have no saelab equivalent; saelab imports"
                    + " standard, topk, batchtopk and jumprelu SAEs");
            default -> throw bad(cfgFile, "field 'architecture' is '" + architecture + "'; saelab imports standard, topk, batchtopk"
                    + " and jumprelu SAEs");
        }
        int k = 0;
        if (kind.selectsTopK()) {
            JsonNode kwargs = cfg.path("activation_fn_kwargs");
            k = cfg.hasNonNull("k") ? positiveInt(cfgFile, cfg, "k", "") : positiveInt(cfgFile, kwargs, "k", "activation_fn_kwargs.");
            if (k > f) {
                throw bad(cfgFile, "field 'k' is " + k + ", more than d_sae " + f);
            }
        }

        Safetensors.Contents c = Safetensors.read(weights);
        float[] wEnc = c.require(weights, "W_enc", d, f).values();
        float[] bEnc = c.require(weights, "b_enc", f).values();
        float[] wDec = c.require(weights, "W_dec", f, d).values();
        float[] bDec = c.require(weights, "b_dec", d).values();
        float[] threshold = null;
        String thresholdName = "threshold";
        if (kind == SaeKind.JUMPRELU) {
            if (c.tensors().containsKey("threshold") || !c.tensors().containsKey("log_threshold")) {
                threshold = requireTensor(weights, c, "threshold", "(nor 'log_threshold'); a jumprelu SAE needs one threshold per latent", f);
            } else {
                thresholdName = "log_threshold";
                float[] log = c.require(weights, "log_threshold", f).values();
                threshold = new float[f];
                for (int i = 0; i < f; i++) {
                    threshold[i] = (float) Math.exp(log[i]);
                }
                notes.add("threshold = exp(log_threshold)");
            }
        } else if (kind == SaeKind.BATCHTOPK) {
            if (c.tensors().containsKey("threshold") || !c.tensors().containsKey("topk_threshold")) {
                threshold = requireTensor(weights, c, "threshold", "(nor 'topk_threshold'); a batchtopk SAE needs its inference threshold", f);
            } else {
                thresholdName = "topk_threshold";
                Safetensors.Tensor t = c.tensors().get("topk_threshold");
                if (t.values().length != 1) {
                    throw bad(weights, "tensor 'topk_threshold' has shape " + t.shapeText() + ", expected [] (a scalar)");
                }
                threshold = broadcast(t.values(), f);
            }
        }
        SaeCheckpoint.Arrays raw = new SaeCheckpoint.Arrays(wEnc, bEnc, wDec, bDec, threshold);
        requireFinite(weights, raw, thresholdName);
        if (kind == SaeKind.JUMPRELU) {
            requirePositive(weights, thresholdName.equals("log_threshold") ? "exp(log_threshold)" : thresholdName, threshold);
        }
        if (kind == SaeKind.BATCHTOPK) {
            kind = batchTopKKind(weights, thresholdName, threshold, notes);
        }
        if (bool(cfgFile, cfg, "finetuning_scaling_factor")) {
            float[] s = c.require(weights, "finetuning_scaling_factor", f).values();
            requireFinite(weights, "finetuning_scaling_factor", s);
            for (int i = 0; i < f; i++) {
                for (int j = 0; j < d; j++) {
                    wDec[i * d + j] *= s[i];
                }
            }
            notes.add("finetuning_scaling_factor folded into W_dec (row i times factor i)");
        }
        if (kind.selectsTopK() && bool(cfgFile, cfg, "rescale_acts_by_decoder_norm")) {
            foldDecoderNorms(weights, wEnc, bEnc, wDec, d, f);
            notes.add("rescale_acts_by_decoder_norm folded: W_enc columns and b_enc times the W_dec row norms, W_dec rows normalised");
        }
        String dtype = text(cfg, "dtype", "float32");
        if (!dtype.equals("float32") && !dtype.equals("torch.float32")) {
            notes.add("cfg.json dtype " + dtype + "; the weights were converted to float32");
        }
        SaeConfig config = SaeConfig.inference(kind, d, f, k, encoderInput);
        Map<String, Object> prov = new LinkedHashMap<>();
        prov.put("imported_from", folder.toAbsolutePath().normalize().toString());
        prov.put("source_format", SaeImport.SAELENS_FORMAT);
        prov.put("source_sha256", Sha256.of(weights));
        prov.put("source_config_sha256", Sha256.of(cfgFile));
        prov.put("source_config", cfg);
        prov.put("source_era", version.isEmpty() ? "SAELens (version not recorded)" : "SAELens " + version);
        if (!notes.isEmpty()) {
            prov.put("import_notes", notes);
        }
        return new SaeImport.Imported(config, new SaeCheckpoint.Arrays(wEnc, bEnc, wDec, bDec, threshold), prov);
    }

    private static float[] requireTensor(Path file, Safetensors.Contents c, String name, String why, int f) {
        if (!c.tensors().containsKey(name)) {
            throw bad(file, "tensor '" + name + "' is missing " + why + "; the file has " + c.tensors().keySet());
        }
        return c.require(file, name, f).values();
    }

    /** TopK with decoder-norm rescaling, folded: pre·n = x(W_enc·n) + b_enc·n, (f/n)W_dec = f(W_dec/n). */
    private static void foldDecoderNorms(Path file, float[] wEnc, float[] bEnc, float[] wDec, int d, int f) {
        for (int i = 0; i < f; i++) {
            double sq = 0;
            for (int j = 0; j < d; j++) {
                sq += (double) wDec[i * d + j] * wDec[i * d + j];
            }
            double n = Math.sqrt(sq);
            if (!(n > 0) || Double.isInfinite(n)) {
                throw bad(file, "tensor 'W_dec' row " + i + " has norm " + n + "; rescale_acts_by_decoder_norm needs non-zero rows");
            }
            for (int j = 0; j < d; j++) {
                wDec[i * d + j] = (float) (wDec[i * d + j] / n);
                wEnc[j * f + i] = (float) (wEnc[j * f + i] * n);
            }
            bEnc[i] = (float) (bEnc[i] * n);
        }
    }
}
