package saelab.sae;

import static saelab.sae.SaeImport.bad;
import static saelab.sae.SaeImport.batchTopKKind;
import static saelab.sae.SaeImport.broadcast;
import static saelab.sae.SaeImport.positiveInt;
import static saelab.sae.SaeImport.product;
import static saelab.sae.SaeImport.requireFinite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import saelab.io.Sha256;
import saelab.io.TorchArchive;

/**
 * The importer of saev's SAE checkpoints (see {@link SaeImport} for the entry point).
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
 */
final class SaevImport {

    /** Longest JSON config line of a sae.pt accepted. */
    private static final int MAX_JSON_LINE = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SaevImport() {}

    /**
     * Imports saev's {@code sae.pt}: the JSON config line, then the {@code torch.save} zip archive of
     * the state dict (float32 tensors, any storage offset and strides).
     *
     * @throws IllegalArgumentException naming the file and the field or tensor for a missing or truncated
     *     JSON line, bytes that are not a zip archive, a missing {@code data.pkl} or tensor, a wrong shape
     *     (both shapes), a dtype other than float32, an unknown activation or non-finite values
     */
    static SaeImport.Imported read(Path saePt) throws IOException {
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
        if (TorchArchive.isZipStart(head, 0)) {
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
                TorchArchive.View t = archive.floatView("activation.threshold");
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
        prov.put("source_format", SaeImport.SAEV_FORMAT);
        prov.put("source_sha256", Sha256.of(saePt));
        prov.put("source_config", header);
        prov.put("source_era", sc.era());
        if (!notes.isEmpty()) {
            prov.put("import_notes", notes);
        }
        return new SaeImport.Imported(config, arrays, prov);
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

    private static int indexOf(byte[] b, byte v) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
