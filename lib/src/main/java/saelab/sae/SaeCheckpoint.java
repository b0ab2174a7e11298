package saelab.sae;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import saelab.BuildInfo;
import saelab.io.Json;
import saelab.io.Safetensors;
import saelab.io.Safetensors.Tensor;

/**
 * SAE checkpoints: {@code sae.safetensors} with float32 tensors {@code W_enc} [d_model, d_sae],
 * {@code b_enc} [d_sae], {@code W_dec} [d_sae, d_model], {@code b_dec} [d_model], and in the
 * safetensors metadata (string values): {@code format} = {@value #FORMAT}, {@code config} (the
 * {@link SaeConfig} as JSON) and {@code provenance} (JSON: input, steps, tokens seen, final
 * metrics, code version). Python reads it with {@code safetensors.numpy.load_file} and the metadata
 * with {@code safe_open(f, "np").metadata()}.
 */
public final class SaeCheckpoint {

    public static final String FORMAT = "saelab-sae/1";

    private SaeCheckpoint() {}

    /** Writes {@code sae} with its config and {@code provenance} (any JSON-able map) to {@code file}, atomically. */
    public static void write(Path file, Sae sae, Map<String, Object> provenance) throws IOException {
        SaeConfig c = sae.config();
        float[][] a = sae.exportArrays();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("W_enc", new Tensor(new long[] {c.dModel(), c.dSae()}, a[0]));
        tensors.put("b_enc", new Tensor(new long[] {c.dSae()}, a[1]));
        tensors.put("W_dec", new Tensor(new long[] {c.dSae(), c.dModel()}, a[2]));
        tensors.put("b_dec", new Tensor(new long[] {c.dModel()}, a[3]));
        Map<String, Object> prov = new LinkedHashMap<>(provenance);
        prov.putIfAbsent("code_version", BuildInfo.current().describe());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("config", Json.mapper().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(c));
        meta.put("provenance", Json.mapper().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(prov));
        Safetensors.write(file, tensors, meta);
    }

    /**
     * Reads a checkpoint into a new SAE owned by a sub-manager of {@code manager}.
     *
     * @throws IllegalArgumentException naming the file and the missing tensor, the tensor with the wrong
     *     shape (both shapes), or the bad metadata field
     */
    public static Sae read(Path file, NDManager manager) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        String cfgJson = c.metadata().get("config");
        if (cfgJson == null) {
            throw new IllegalArgumentException(file + ": metadata field 'config' is missing; not a saelab checkpoint"
                    + " (import other tools' checkpoints with 'saelab sae import')");
        }
        SaeConfig cfg;
        try {
            cfg = Json.mapper().readValue(cfgJson, SaeConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": metadata field 'config' is not a valid SAE config: " + Json.describe(e), e);
        }
        int d = cfg.dModel();
        int f = cfg.dSae();
        float[] wEnc = c.require(file, "W_enc", d, f).values();
        float[] bEnc = c.require(file, "b_enc", f).values();
        float[] wDec = c.require(file, "W_dec", f, d).values();
        float[] bDec = c.require(file, "b_dec", d).values();
        return Sae.of(cfg, manager, transpose(wEnc, d, f), bEnc, wDec, bDec);
    }

    /** The provenance JSON of a checkpoint (empty object when absent). */
    public static JsonNode provenance(Path file) throws IOException {
        String p = Safetensors.read(file).metadata().get("provenance");
        return p == null ? Json.mapper().createObjectNode() : Json.mapper().readTree(p);
    }

    /** [rows, cols] row-major to [cols, rows]. */
    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        return t;
    }
}
