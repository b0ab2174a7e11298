package saelab.sae;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;
import saelab.io.Safetensors;
import saelab.io.Sha256;

/**
 * Importers of other tools' SAE checkpoints into saelab's checkpoint ({@link SaeCheckpoint}); the
 * {@code saelab sae import} command writes the result. Both importers give an inference-only
 * config ({@link SaeConfig#inference}): the training recipe of a foreign SAE is unknown.
 *
 * <p><b>saev</b> (OSU-NLP-Group/saev, {@code src/saev/nn/modeling.py}, {@code dump}/{@code load}):
 * {@code sae.pt} is one UTF-8 JSON line (the config), a newline, then {@code torch.save} of the
 * module's state dict written into the same open file: a zip archive holding
 * {@code <archive>/data.pkl} (a protocol-2 pickle of an {@code OrderedDict} of tensors, each
 * {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)} with the storage a
 * persistent id {@code ('storage', torch.FloatStorage, key, location, numel)}) and the raw
 * little-endian storages {@code <archive>/data/<key>}. The zip's offsets are relative to its own
 * start and it has zip64 end records, so it is read from a copy of the bytes after the newline.
 * Tensors: {@code W_enc} [d_model, d_sae], {@code b_enc} [d_sae], {@code W_dec} [d_sae, d_model],
 * {@code b_dec} [d_model], plus {@code activation.threshold} (a scalar buffer) for BatchTopK.
 * Configs by generation:
 * <ul>
 *   <li>paper era (no {@code schema}): {@code d_vit}, {@code exp_factor} (d_sae = d_vit × exp_factor),
 *       {@code sparsity_coeff}, ...: a ReLU SAE whose encoder sees x − b_dec ({@code centered});</li>
 *   <li>schema 1 (2025-04 to 2025-07): {@code {"schema": 1, "cls", "cfg": {d_vit, exp_factor, ...}}}
 *       where {@code cls} is the activation (Relu, TopK, BatchTopK with {@code cfg.top_k}) or
 *       {@code SparseAutoencoderConfig} with {@code cfg.activation}; the code of that time centred the
 *       encoder input;</li>
 *   <li>schemas 2 to 5 (current): {@code {"schema": N, "cfg": {"d_model", "d_sae" (schemas 2-3:
 *       "exp_factor"), "activation": {"cls": "Relu"|"TopK"|"BatchTopK", "params": {"key", "top_k",
 *       ...}}, ...}, "commit", "lib"}}; the encoder sees x ({@code raw}). saev's TopK keeps the k
 *       largest pre-activations even when negative, saelab's only positive ones: the codes agree
 *       whenever a row has at least k positive pre-activations. BatchTopK at inference is
 *       {@code x > threshold ? x : 0} (plain ReLU when threshold ≤ 0), as saelab's batchtopk.</li>
 * </ul>
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
public final class SaeImport {

    /** {@code source_format} of a saev checkpoint. */
    public static final String SAEV_FORMAT = "saev-sae.pt";
    /** {@code source_format} of a SAELens folder. */
    public static final String SAELENS_FORMAT = "saelens";
    /** The config file of a SAELens folder. */
    public static final String SAELENS_CONFIG = "cfg.json";
    /** The weights file of a SAELens folder. */
    public static final String SAELENS_WEIGHTS = "sae_weights.safetensors";

    /** Longest JSON config line of a sae.pt accepted. */
    private static final int MAX_JSON_LINE = 1 << 20;
    /** Largest array a tensor or storage may need. */
    private static final long MAX_VALUES = Integer.MAX_VALUE - 8;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LAYOUTS = "expected a saev sae.pt file (*.pt) or a SAELens folder holding "
            + SAELENS_CONFIG + " and " + SAELENS_WEIGHTS;

    private SaeImport() {}

    /**
     * An imported SAE, ready for {@link SaeCheckpoint#write(Path, SaeConfig, SaeCheckpoint.Arrays, Map)}.
     *
     * @param config     inference-only config (kind, widths, k, encoder input)
     * @param arrays     the tensors in saelab's checkpoint layout
     * @param provenance {@code imported_from} (absolute path), {@code source_format}, {@code source_sha256},
     *                   {@code source_config} (the original config JSON) and, when the import changed
     *                   anything, {@code import_notes}
     */
    public record Imported(SaeConfig config, SaeCheckpoint.Arrays arrays, Map<String, Object> provenance) {
        /** Keeps an unmodifiable copy of the provenance, in its order. */
        public Imported {
            provenance = Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
        }
    }

    /**
     * Imports a saev {@code sae.pt} file (a name ending in {@code .pt}) or a SAELens folder (holding
     * {@code cfg.json}).
     *
     * @throws IllegalArgumentException naming the path and the two accepted layouts when it is neither,
     *     or the importer's error for a bad file
     */
    public static Imported read(Path source) throws IOException {
        if (Files.isDirectory(source)) {
            if (Files.isRegularFile(source.resolve(SAELENS_CONFIG))) {
                return readSaeLens(source);
            }
            throw new IllegalArgumentException(source + " is a folder without " + SAELENS_CONFIG + "; " + LAYOUTS);
        }
        if (!Files.exists(source)) {
            throw new IllegalArgumentException(source + " does not exist; " + LAYOUTS);
        }
        String name = source.getFileName().toString();
        if (Files.isRegularFile(source) && name.toLowerCase(Locale.ROOT).endsWith(".pt")) {
            return readSaev(source);
        }
        String hint = name.equals(SAELENS_CONFIG) || name.equals(SAELENS_WEIGHTS) ? " (give the SAELens folder, not one of its files)" : "";
        throw new IllegalArgumentException(source + " is not an SAE checkpoint saelab can import" + hint + "; " + LAYOUTS);
    }

    // ------------------------------------------------------------------------------------ saev

    /**
     * Imports saev's {@code sae.pt}: the JSON config line, then the {@code torch.save} zip archive of
     * the state dict (float32 tensors, any storage offset and strides).
     *
     * @throws IllegalArgumentException naming the file and the field or tensor for a missing or truncated
     *     JSON line, bytes that are not a zip archive, a missing {@code data.pkl} or tensor, a wrong shape
     *     (both shapes), a dtype other than float32, an unknown activation or non-finite values
     */
    public static Imported readSaev(Path saePt) throws IOException {
        if (!Files.isRegularFile(saePt)) {
            throw new IllegalArgumentException(saePt + (Files.exists(saePt) ? " is not a file" : " does not exist")
                    + "; expected saev's sae.pt");
        }
        long size = Files.size(saePt);
        byte[] head;
        try (InputStream in = Files.newInputStream(saePt)) {
            head = in.readNBytes((int) Math.min(size, MAX_JSON_LINE + 1));
        }
        if (head.length == 0) {
            throw bad(saePt, "is empty; expected saev's layout: one JSON config line, a newline, then a torch.save zip archive");
        }
        if (isZipStart(head, 0)) {
            throw bad(saePt, "starts with a zip archive, not with the JSON config line: a plain torch.save file, not saev's sae.pt"
                    + " (one JSON config line, a newline, then the torch.save archive)");
        }
        if ((head[0] & 0xff) == 0x80) {
            throw bad(saePt, "starts with a pickle (the legacy torch.save format of torch < 1.6), not with saev's JSON config line");
        }
        int nl = indexOf(head, (byte) '\n');
        if (nl < 0) {
            throw bad(saePt, head.length > MAX_JSON_LINE
                    ? "the first line is longer than 1 MiB: not saev's JSON config line"
                    : "the JSON config line has no newline after it (truncated file?); expected the JSON line, a newline, then a"
                            + " torch.save zip archive");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(head, 0, nl, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw bad(saePt, "the first line is not valid JSON (" + e.getOriginalMessage() + "); expected saev's config line"
                    + " (truncated file?)");
        }
        if (header == null || !header.isObject()) {
            throw bad(saePt, "the first line is " + (header == null ? "empty" : "not a JSON object") + "; expected saev's config line");
        }
        List<String> notes = new ArrayList<>();
        SaevConfig sc = saevConfig(saePt, header, notes);
        int d = sc.dModel();
        int f = sc.dSae();
        SaeKind kind = sc.kind();
        float[] threshold = null;
        SaeCheckpoint.Arrays arrays;
        try (TorchArchive archive = TorchArchive.open(saePt, nl + 1L, size)) {
            float[] wEnc = archive.tensor("W_enc", d, f);
            float[] bEnc = archive.tensor("b_enc", f);
            float[] wDec = archive.tensor("W_dec", f, d);
            float[] bDec = archive.tensor("b_dec", d);
            if (kind == SaeKind.BATCHTOPK) {
                TensorRef t = archive.ref("activation.threshold");
                if (t.numel() != 1 && !Arrays.equals(t.size(), new long[] {f})) {
                    throw bad(saePt, "tensor 'activation.threshold' has shape " + Arrays.toString(t.size()) + ", expected [] (a scalar)"
                            + " or [" + f + "]");
                }
                threshold = broadcast(archive.values("activation.threshold", t), f);
            }
            arrays = new SaeCheckpoint.Arrays(wEnc, bEnc, wDec, bDec, threshold);
        }
        requireFinite(saePt, arrays, kind == SaeKind.BATCHTOPK ? "activation.threshold" : "threshold");
        if (kind == SaeKind.BATCHTOPK) {
            kind = batchTopKKind(saePt, "activation.threshold", threshold, notes);
        }
        if (kind == SaeKind.TOPK) {
            notes.add("saev's TopK keeps the k largest pre-activations even when negative; saelab's keeps only positive ones"
                    + " (the codes agree for rows with at least k positive pre-activations)");
        }
        SaeConfig config = SaeConfig.inference(kind, d, f, sc.k(), sc.encoderInput());
        Map<String, Object> prov = new LinkedHashMap<>();
        prov.put("imported_from", saePt.toAbsolutePath().normalize().toString());
        prov.put("source_format", SAEV_FORMAT);
        prov.put("source_sha256", Sha256.of(saePt));
        prov.put("source_config", header);
        prov.put("source_era", sc.era());
        if (!notes.isEmpty()) {
            prov.put("import_notes", notes);
        }
        return new Imported(config, arrays, prov);
    }

    /** What a saev config line says: kind, widths, k, encoder input, generation. */
    private record SaevConfig(SaeKind kind, int dModel, int dSae, int k, String encoderInput, String era) {}

    private static SaevConfig saevConfig(Path file, JsonNode h, List<String> notes) {
        if (!h.has("schema")) {
            // Paper era: json.dumps(vars(cfg)) of config.SparseAutoencoder; ReLU; x - b_dec into the encoder.
            int d = h.has("d_vit") || !h.has("d_model") ? positiveInt(file, h, "d_vit", "") : positiveInt(file, h, "d_model", "");
            int f = h.has("d_sae") ? positiveInt(file, h, "d_sae", "") : product(file, d, positiveInt(file, h, "exp_factor", ""), "d_vit × exp_factor");
            return new SaevConfig(SaeKind.RELU, d, f, 0, "centered", "paper (no schema)");
        }
        int schema = positiveInt(file, h, "schema", "");
        if (schema > 5) {
            throw bad(file, "field 'schema' is " + schema + "; this importer reads saev's paper-era config (no schema) and schemas 1 to 5");
        }
        JsonNode cfg = h.get("cfg");
        if (cfg == null || !cfg.isObject()) {
            throw bad(file, "field 'cfg' is " + (cfg == null ? "missing" : "not an object") + "; a schema-" + schema
                    + " config line is {\"schema\", \"cfg\": {\"d_model\", \"d_sae\", \"activation\", ...}, ...}");
        }
        String dName = cfg.has("d_model") || !cfg.has("d_vit") ? "d_model" : "d_vit";
        int d = positiveInt(file, cfg, dName, "cfg.");
        int f = cfg.has("d_sae") || !cfg.has("exp_factor") ? positiveInt(file, cfg, "d_sae", "cfg.")
                : product(file, d, positiveInt(file, cfg, "exp_factor", "cfg."), "cfg." + dName + " × cfg.exp_factor");
        Activation act;
        String cls = h.path("cls").asText("SparseAutoencoderConfig");
        if (schema == 1 && !cls.equals("SparseAutoencoderConfig") && !cfg.has("activation")) {
            // Schema 1, first form: the header's cls names the activation, cfg holds top_k.
            act = activation(file, cls, cfg, "cfg", "cls");
        } else {
            JsonNode a = cfg.get("activation");
            if (a == null || !a.isObject()) {
                throw bad(file, "field 'cfg.activation' is " + (a == null ? "missing" : a.toString()) + "; expected an object such as"
                        + " {\"cls\": \"TopK\", \"params\": {\"top_k\": 32}}");
            }
            JsonNode params = a.path("params").isObject() ? a.get("params") : a;
            String paramsPath = a.path("params").isObject() ? "cfg.activation.params" : "cfg.activation";
            String name = a.hasNonNull("cls") ? a.get("cls").asText() : params.path("key").asText(params.path("kind").asText(""));
            act = activation(file, name, params, paramsPath, a.hasNonNull("cls") ? "cfg.activation.cls" : paramsPath + ".key");
        }
        int k = act.k();
        if (k > f) {
            notes.add("top_k " + k + " exceeds d_sae; saev uses min(top_k, d_sae) = " + f);
            k = f;
        }
        return new SaevConfig(act.kind(), d, f, k, schema == 1 ? "centered" : "raw", "schema " + schema);
    }

    private record Activation(SaeKind kind, int k) {}

    /** The activation named {@code name} (a class name such as TopK, or a key such as top-k), k from {@code params}. */
    private static Activation activation(Path file, String name, JsonNode params, String paramsPath, String nameField) {
        String n = name == null ? "" : name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        SaeKind kind = switch (n) {
            case "relu" -> SaeKind.RELU;
            case "topk" -> SaeKind.TOPK;
            case "batchtopk" -> SaeKind.BATCHTOPK;
            default -> throw bad(file, "field '" + nameField + "' names the activation '" + name + "', which saelab cannot import;"
                    + " expected Relu, TopK or BatchTopK");
        };
        if (!kind.selectsTopK()) {
            return new Activation(kind, 0);
        }
        String kName = params.has("top_k") || !params.has("k") ? "top_k" : "k";
        return new Activation(kind, positiveInt(file, params, kName, paramsPath + "."));
    }

    // --------------------------------------------------------------------------------- SAELens

    /**
     * Imports a SAELens SAE folder ({@code cfg.json} and {@code sae_weights.safetensors}), config keys of
     * SAELens before and after 6.0: standard (ReLU), topk, batchtopk and jumprelu SAEs.
     *
     * @throws IllegalArgumentException naming the file and the field or tensor for a missing file, a gated
     *     or unknown architecture or activation, a {@code normalize_activations} other than none, a missing
     *     tensor, a wrong shape (both shapes), non-finite values or a JumpReLU threshold ≤ 0
     */
    public static Imported readSaeLens(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException(folder + (Files.exists(folder) ? " is not a folder" : " does not exist")
                    + "; a SAELens SAE is a folder holding " + SAELENS_CONFIG + " and " + SAELENS_WEIGHTS);
        }
        Path cfgFile = folder.resolve(SAELENS_CONFIG);
        Path weights = folder.resolve(SAELENS_WEIGHTS);
        for (Path p : List.of(cfgFile, weights)) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException(p + " is missing; a SAELens SAE folder holds " + SAELENS_CONFIG + " and "
                        + SAELENS_WEIGHTS);
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
        prov.put("source_format", SAELENS_FORMAT);
        prov.put("source_sha256", Sha256.of(weights));
        prov.put("source_config_sha256", Sha256.of(cfgFile));
        prov.put("source_config", cfg);
        prov.put("source_era", version.isEmpty() ? "SAELens (version not recorded)" : "SAELens " + version);
        if (!notes.isEmpty()) {
            prov.put("import_notes", notes);
        }
        return new Imported(config, new SaeCheckpoint.Arrays(wEnc, bEnc, wDec, bDec, threshold), prov);
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

    // ---------------------------------------------------------------------------------- shared

    private static IllegalArgumentException bad(Path file, String what) {
        return new IllegalArgumentException(file + ": " + what);
    }

    private static boolean isZipStart(byte[] b, int at) {
        return b.length >= at + 4 && b[at] == 'P' && b[at + 1] == 'K' && b[at + 2] == 3 && b[at + 3] == 4;
    }

    private static int indexOf(byte[] b, byte v) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    private static int positiveInt(Path file, JsonNode obj, String name, String prefix) {
        JsonNode v = obj.get(name);
        if (v == null || v.isNull()) {
            throw bad(file, "config field '" + prefix + name + "' is missing; expected a positive integer");
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() <= 0) {
            throw bad(file, "config field '" + prefix + name + "' is " + v + "; expected a positive integer");
        }
        return v.asInt();
    }

    private static int product(Path file, int a, int b, String what) {
        long p = (long) a * b;
        if (p > Integer.MAX_VALUE) {
            throw bad(file, what + " = " + p + " latents is too many");
        }
        return (int) p;
    }

    private static String text(JsonNode obj, String name, String fallback) {
        JsonNode v = obj.get(name);
        return v == null || v.isNull() || !v.isValueNode() ? fallback : v.asText();
    }

    private static boolean bool(Path file, JsonNode obj, String name) {
        JsonNode v = obj.get(name);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw bad(file, "field '" + name + "' is " + v + "; expected true or false");
        }
        return v.asBoolean();
    }

    private static float[] broadcast(float[] v, int f) {
        if (v.length == f) {
            return v;
        }
        float[] out = new float[f];
        Arrays.fill(out, v[0]);
        return out;
    }

    /**
     * A BatchTopK threshold [d_sae]: stays batchtopk when one value for all latents (saelab keeps a single
     * θ); per-latent values all > 0 make the same function as a JumpReLU, so the kind becomes jumprelu.
     */
    private static SaeKind batchTopKKind(Path file, String name, float[] theta, List<String> notes) {
        boolean uniform = true;
        for (float t : theta) {
            uniform &= Float.compare(t, theta[0]) == 0;
        }
        if (uniform) {
            return SaeKind.BATCHTOPK;
        }
        for (int i = 0; i < theta.length; i++) {
            if (!(theta[i] > 0)) {
                throw bad(file, "tensor '" + name + "' holds a different threshold per latent, and latent " + i + " has " + theta[i]
                        + "; saelab represents per-latent thresholds as a jumprelu SAE, which needs every threshold > 0");
            }
        }
        notes.add("per-latent BatchTopK thresholds: imported as jumprelu (f = pre where pre > threshold_i, the same function)");
        return SaeKind.JUMPRELU;
    }

    private static void requireFinite(Path file, SaeCheckpoint.Arrays a, String thresholdName) {
        requireFinite(file, "W_enc", a.wEnc());
        requireFinite(file, "b_enc", a.bEnc());
        requireFinite(file, "W_dec", a.wDec());
        requireFinite(file, "b_dec", a.bDec());
        if (a.threshold() != null) {
            requireFinite(file, thresholdName, a.threshold());
        }
    }

    private static void requireFinite(Path file, String name, float[] v) {
        long nan = 0;
        long inf = 0;
        for (float x : v) {
            if (Float.isNaN(x)) {
                nan++;
            } else if (Float.isInfinite(x)) {
                inf++;
            }
        }
        if (nan > 0 || inf > 0) {
            String what = nan > 0 && inf > 0 ? nan + " NaN and " + inf + " infinite values" : nan > 0 ? nan + " NaN values" : inf + " infinite values";
            throw bad(file, "tensor '" + name + "' has " + what + " (of " + v.length + ")");
        }
    }

    private static void requirePositive(Path file, String name, float[] theta) {
        int bad = 0;
        int first = -1;
        for (int i = 0; i < theta.length; i++) {
            if (!(theta[i] > 0)) {
                bad++;
                first = first < 0 ? i : first;
            }
        }
        if (bad > 0) {
            throw bad(file, "tensor '" + name + "' has " + bad + " thresholds <= 0 (the first at latent " + first + ": " + theta[first]
                    + "); saelab's jumprelu needs every threshold > 0");
        }
    }

    // ---------------------------------------------------------------------- torch.save archive

    /** A storage named by a persistent id {@code ('storage', torch.FloatStorage, key, location, numel)}. */
    private record StorageRef(String type, String key, String location, long numel) {}

    /** {@code torch._utils._rebuild_tensor_v2}'s view of a storage. */
    private record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
        long numel() {
            long n = 1;
            for (long s : size) {
                n = Math.multiplyExact(n, s);
            }
            return n;
        }
    }

    /** A Python global without a Java meaning (a storage class, or anything else): calling it is an error. */
    private record PyGlobal(String module, String name) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("it calls the Python global " + module + "." + name
                    + ", which a state dict of tensors does not contain");
        }
    }

    /** {@code collections.OrderedDict}: a map in insertion order; its instance state (torch's _metadata) is dropped. */
    private static final class PyOrderedDict extends LinkedHashMap<Object, Object> {}

    /**
     * Unpickles {@code data.pkl} of a {@code torch.save} archive: Pyrolite's unpickler with torch's
     * persistent ids and the few globals a state dict uses resolved per instance (nothing registered globally).
     */
    private static final class TorchUnpickler extends Unpickler {

        @Override
        protected Object dispatch(short key) throws PickleException, IOException {
            switch (key) {
                case Opcodes.GLOBAL -> {
                    String module = PickleUtils.readline(input);
                    String name = PickleUtils.readline(input);
                    stack.add(global(module, name));
                    return NO_RETURN_VALUE;
                }
                case Opcodes.STACK_GLOBAL -> {
                    Object name = stack.pop();
                    Object module = stack.pop();
                    stack.add(global(String.valueOf(module), String.valueOf(name)));
                    return NO_RETURN_VALUE;
                }
                case Opcodes.BUILD -> {
                    Object state = stack.pop();
                    if (stack.peek() instanceof PyOrderedDict) {
                        return NO_RETURN_VALUE; // state_dict._metadata: nothing saelab needs
                    }
                    stack.add(state);
                    return super.dispatch(key);
                }
                default -> {
                    return super.dispatch(key);
                }
            }
        }

        private static Object global(String module, String name) {
            return switch (module + "." + name) {
                case "collections.OrderedDict" -> (IObjectConstructor) TorchUnpickler::orderedDict;
                case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> (IObjectConstructor) TorchUnpickler::rebuildTensor;
                case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" ->
                        (IObjectConstructor) args -> {
                            if (args.length < 1 || !(args[0] instanceof TensorRef)) {
                                throw new PickleException("_rebuild_parameter without a tensor");
                            }
                            return args[0];
                        };
                case "torch._tensor._rebuild_from_type_v2" -> (IObjectConstructor) args -> {
                    if (args.length < 3 || !(args[0] instanceof IObjectConstructor fn) || !(args[2] instanceof Object[] inner)) {
                        throw new PickleException("unexpected arguments of _rebuild_from_type_v2");
                    }
                    return fn.construct(inner);
                };
                default -> new PyGlobal(module, name);
            };
        }

        private static Object orderedDict(Object[] args) {
            PyOrderedDict d = new PyOrderedDict();
            if (args.length == 1 && args[0] instanceof Map<?, ?> m) {
                d.putAll(m);
            } else if (args.length == 1 && args[0] instanceof Iterable<?> items) {
                for (Object item : items) {
                    if (!(item instanceof Object[] pair) || pair.length != 2) {
                        throw new PickleException("OrderedDict item is not a (key, value) pair");
                    }
                    d.put(pair[0], pair[1]);
                }
            } else if (args.length != 0) {
                throw new PickleException("OrderedDict with " + args.length + " arguments");
            }
            return d;
        }

        private static Object rebuildTensor(Object[] args) {
            if (args.length < 4 || !(args[0] instanceof StorageRef s) || !(args[2] instanceof Object[] size)
                    || !(args[3] instanceof Object[] stride) || size.length != stride.length) {
                throw new PickleException("unexpected arguments of _rebuild_tensor_v2: " + Arrays.deepToString(args));
            }
            return new TensorRef(s, toLong(args[1], "storage offset"), longs(size, "size"), longs(stride, "stride"));
        }

        @Override
        protected Object persistentLoad(Object pid) {
            if (!(pid instanceof Object[] t) || t.length < 5 || !"storage".equals(t[0]) || !(t[1] instanceof PyGlobal type)) {
                throw new PickleException("unexpected persistent id " + (pid instanceof Object[] a ? Arrays.deepToString(a) : pid)
                        + "; torch writes ('storage', storage_type, key, location, numel)");
            }
            return new StorageRef(type.name(), String.valueOf(t[2]), String.valueOf(t[3]), toLong(t[4], "storage numel"));
        }

        private static long[] longs(Object[] v, String what) {
            long[] out = new long[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = toLong(v[i], what);
                if (out[i] < 0) {
                    throw new PickleException("negative tensor " + what + " " + out[i]);
                }
            }
            return out;
        }

        private static long toLong(Object o, String what) {
            if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) {
                return ((Number) o).longValue();
            }
            if (o instanceof BigInteger b && b.bitLength() < 63) {
                return b.longValue();
            }
            throw new PickleException(what + " is " + o + ", expected an integer");
        }
    }

    /**
     * The zip archive after saev's JSON line, copied to a temporary file (torch's zip offsets are relative
     * to the archive's start and its zip64 end records would mislead {@link ZipFile} on the whole file).
     */
    private static final class TorchArchive implements Closeable {
        private final Path file;
        private final Path temp;
        private final ZipFile zip;
        private final String prefix;
        private final Map<String, TensorRef> stateDict = new LinkedHashMap<>();
        private final Map<String, float[]> storages = new HashMap<>();

        private TorchArchive(Path file, Path temp, ZipFile zip, String prefix) {
            this.file = file;
            this.temp = temp;
            this.zip = zip;
            this.prefix = prefix;
        }

        static TorchArchive open(Path file, long start, long size) throws IOException {
            if (size - start < 4) {
                throw bad(file, "nothing follows the JSON config line: the torch.save zip archive is missing (truncated file?)");
            }
            byte[] magic = new byte[4];
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ch.read(ByteBuffer.wrap(magic), start);
            }
            if (!isZipStart(magic, 0)) {
                throw bad(file, "the bytes after the JSON config line are not a zip archive (they start with "
                        + String.format(Locale.ROOT, "%02x %02x %02x %02x", magic[0], magic[1], magic[2], magic[3])
                        + "); expected the torch.save archive of the state dict (torch >= 1.6)");
            }
            Path temp = Files.createTempFile("saelab-import-", ".zip");
            ZipFile zip = null;
            boolean ok = false;
            try {
                try (FileChannel src = FileChannel.open(file, StandardOpenOption.READ);
                     FileChannel dst = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    long pos = start;
                    while (pos < size) {
                        long n = src.transferTo(pos, size - pos, dst);
                        if (n <= 0) {
                            throw new IOException("cannot copy " + file + " from byte " + pos);
                        }
                        pos += n;
                    }
                }
                try {
                    zip = new ZipFile(temp.toFile());
                } catch (ZipException e) {
                    throw bad(file, "the torch.save zip archive after the JSON line is damaged or truncated (" + e.getMessage() + ")");
                }
                TorchArchive archive = new TorchArchive(file, temp, zip, dataPklPrefix(file, zip));
                archive.unpickle();
                ok = true;
                return archive;
            } finally {
                if (!ok) {
                    try {
                        if (zip != null) {
                            zip.close();
                        }
                    } finally {
                        Files.deleteIfExists(temp);
                    }
                }
            }
        }

        private static String dataPklPrefix(Path file, ZipFile zip) {
            List<String> names = new ArrayList<>();
            for (var en = zip.entries(); en.hasMoreElements(); ) {
                String n = en.nextElement().getName();
                names.add(n);
                if (n.equals("data.pkl")) {
                    return "";
                }
                int slash = n.indexOf('/');
                if (slash > 0 && n.substring(slash).equals("/data.pkl")) {
                    return n.substring(0, slash + 1);
                }
            }
            throw bad(file, "the torch.save archive has no data.pkl (the pickled state dict); its entries are "
                    + (names.size() > 12 ? names.subList(0, 12) + " ..." : names));
        }

        private void unpickle() throws IOException {
            ZipEntry byteorder = zip.getEntry(prefix + "byteorder");
            if (byteorder != null) {
                try (InputStream in = zip.getInputStream(byteorder)) {
                    String order = new String(in.readNBytes(16), StandardCharsets.US_ASCII).strip();
                    if (!order.equals("little")) {
                        throw bad(file, "the torch.save archive stores its tensors in '" + order + "' byte order; saelab reads little-endian");
                    }
                }
            }
            Object root;
            String pkl = prefix + "data.pkl";
            TorchUnpickler u = new TorchUnpickler();
            try (InputStream in = new BufferedInputStream(zip.getInputStream(zip.getEntry(pkl)))) {
                root = u.load(in);
            } catch (IllegalArgumentException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw bad(file, pkl + " is not a torch state dict saelab can read: " + e.getMessage());
            } finally {
                u.close();
            }
            if (!(root instanceof Map<?, ?> m)) {
                throw bad(file, pkl + " holds " + (root == null ? "None" : root.getClass().getSimpleName())
                        + ", not a state dict (a dict of tensors)");
            }
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (e.getValue() instanceof TensorRef t) {
                    stateDict.put(String.valueOf(e.getKey()), t);
                }
            }
        }

        /** The view {@code name} of the state dict, float32 checked. */
        TensorRef ref(String name) {
            TensorRef t = stateDict.get(name);
            if (t == null) {
                throw bad(file, "the state dict has no tensor '" + name + "'; it has " + stateDict.keySet());
            }
            if (!t.storage().type().equals("FloatStorage")) {
                throw bad(file, "tensor '" + name + "' has dtype " + dtype(t.storage().type()) + " (torch." + t.storage().type()
                        + "); saelab imports float32 tensors only");
            }
            return t;
        }

        /** The values of tensor {@code name}, which must have {@code shape}. */
        float[] tensor(String name, long... shape) throws IOException {
            TensorRef t = ref(name);
            if (!Arrays.equals(t.size(), shape)) {
                throw bad(file, "tensor '" + name + "' has shape " + Arrays.toString(t.size()) + ", expected " + Arrays.toString(shape));
            }
            return values(name, t);
        }

        /** The row-major values of a view: storage offset and strides applied. */
        float[] values(String name, TensorRef t) throws IOException {
            long n = t.numel();
            if (n > MAX_VALUES) {
                throw bad(file, "tensor '" + name + "' has " + n + " values, more than one Java array holds");
            }
            float[] out = new float[(int) n];
            if (n == 0) {
                return out;
            }
            float[] s = storage(name, t.storage());
            long last = t.offset();
            for (int i = 0; i < t.size().length; i++) {
                last += (t.size()[i] - 1) * t.stride()[i];
            }
            if (last >= s.length) {
                throw bad(file, "tensor '" + name + "' (storage offset " + t.offset() + ", shape " + Arrays.toString(t.size())
                        + ", strides " + Arrays.toString(t.stride()) + ") reaches element " + last + " of its storage '"
                        + prefix + "data/" + t.storage().key() + "', which holds " + s.length + " (damaged file?)");
            }
            int rank = t.size().length;
            long[] idx = new long[rank];
            long pos = t.offset();
            for (int i = 0; i < out.length; i++) {
                out[i] = s[(int) pos];
                for (int dim = rank - 1; dim >= 0; dim--) {
                    idx[dim]++;
                    pos += t.stride()[dim];
                    if (idx[dim] < t.size()[dim]) {
                        break;
                    }
                    pos -= t.stride()[dim] * t.size()[dim];
                    idx[dim] = 0;
                }
            }
            return out;
        }

        private float[] storage(String tensor, StorageRef ref) throws IOException {
            float[] cached = storages.get(ref.key());
            if (cached != null) {
                return cached;
            }
            String entryName = prefix + "data/" + ref.key();
            ZipEntry entry = zip.getEntry(entryName);
            if (entry == null) {
                throw bad(file, "the torch.save archive has no entry '" + entryName + "' with the storage of tensor '" + tensor
                        + "' (truncated or damaged file?)");
            }
            if (ref.numel() > MAX_VALUES) {
                throw bad(file, "the storage of tensor '" + tensor + "' has " + ref.numel() + " values, more than one Java array holds");
            }
            float[] v = new float[(int) ref.numel()];
            byte[] buf = new byte[1 << 20];
            int done = 0;
            try (InputStream in = zip.getInputStream(entry)) {
                while (done < v.length) {
                    int want = (int) Math.min(buf.length, 4L * (v.length - done));
                    int got = in.readNBytes(buf, 0, want);
                    if (got < want) {
                        throw bad(file, "the storage '" + entryName + "' of tensor '" + tensor + "' has " + (4L * done + got)
                                + " bytes, expected " + 4L * v.length + " (truncated file?)");
                    }
                    ByteBuffer.wrap(buf, 0, got).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v, done, got / 4);
                    done += got / 4;
                }
            } catch (ZipException e) {
                throw bad(file, "the storage '" + entryName + "' of tensor '" + tensor + "' cannot be read: " + e.getMessage());
            }
            storages.put(ref.key(), v);
            return v;
        }

        private static String dtype(String storageType) {
            return switch (storageType) {
                case "FloatStorage" -> "float32";
                case "DoubleStorage" -> "float64";
                case "HalfStorage" -> "float16";
                case "BFloat16Storage" -> "bfloat16";
                case "LongStorage" -> "int64";
                case "IntStorage" -> "int32";
                case "ShortStorage" -> "int16";
                case "CharStorage" -> "int8";
                case "ByteStorage" -> "uint8";
                case "BoolStorage" -> "bool";
                default -> storageType;
            };
        }

        @Override
        public void close() throws IOException {
            try {
                zip.close();
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }
}
