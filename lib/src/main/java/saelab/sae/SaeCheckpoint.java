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
import saelab.io.SafetensorsFile;
import saelab.io.Safetensors.Tensor;

/**
 * SAE checkpoints: {@code sae.safetensors} with float32 tensors {@code W_enc} [d_model, d_sae],
 * {@code b_enc} [d_sae], {@code W_dec} [d_sae, d_model], {@code b_dec} [d_model], {@code threshold} [d_sae]
 * for kinds with one (JumpReLU, BatchTopK: {@code f = pre · [pre > threshold]} at inference), and in the
 * safetensors metadata (string values): {@code format} = {@value #FORMAT}, {@code config} (the
 * {@link SaeConfig} as JSON) and {@code provenance} (JSON: input, steps, tokens seen, final
 * metrics, code version). Python reads it with {@code safetensors.numpy.load_file} and the metadata
 * with {@code safe_open(f, "np").metadata()}.
 */
public final class SaeCheckpoint {

    public static final String FORMAT = "saelab-sae/1";

    private SaeCheckpoint() {}

    /**
     * The tensors of a checkpoint, in checkpoint layout.
     *
     * @param wEnc      encoder [d_model, d_sae], row-major
     * @param bEnc      [d_sae]
     * @param wDec      decoder rows [d_sae, d_model]
     * @param bDec      [d_model]
     * @param threshold [d_sae] for kinds with a threshold ({@link SaeKind#hasThreshold()}), else null
     */
    public record Arrays(float[] wEnc, float[] bEnc, float[] wDec, float[] bDec, float[] threshold) {}

    /** Writes {@code sae} with its config and {@code provenance} (any JSON-able map) to {@code file}, atomically. */
    public static void write(Path file, Sae sae, Map<String, Object> provenance) throws IOException {
        write(file, sae.config(), sae.exportArrays(), provenance);
    }

    /**
     * Writes a checkpoint from arrays (e.g. an imported one), atomically.
     *
     * @throws IllegalArgumentException when an array's length does not fit the config, or a threshold is
     *     missing or present against the kind
     */
    public static void write(Path file, SaeConfig c, Arrays a, Map<String, Object> provenance) throws IOException {
        long d = c.dModel();
        long f = c.dSae();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("W_enc", sized("W_enc", new long[] {d, f}, a.wEnc()));
        tensors.put("b_enc", sized("b_enc", new long[] {f}, a.bEnc()));
        tensors.put("W_dec", sized("W_dec", new long[] {f, d}, a.wDec()));
        tensors.put("b_dec", sized("b_dec", new long[] {d}, a.bDec()));
        if (c.kind().hasThreshold() != (a.threshold() != null)) {
            throw new IllegalArgumentException("a " + c.kind().id() + " SAE " + (c.kind().hasThreshold() ? "needs" : "has no")
                    + " threshold tensor");
        }
        if (a.threshold() != null) {
            tensors.put("threshold", sized("threshold", new long[] {f}, a.threshold()));
        }
        Map<String, Object> prov = new LinkedHashMap<>(provenance);
        prov.putIfAbsent("code_version", BuildInfo.current().describe());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        var compact = Json.mapper().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);
        meta.put("config", compact.writeValueAsString(c));
        meta.put("provenance", compact.writeValueAsString(prov));
        Safetensors.write(file, tensors, meta);
    }

    private static Tensor sized(String name, long[] shape, float[] values) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        if (values == null || values.length != n) {
            throw new IllegalArgumentException("tensor " + name + " needs " + n + " values for shape " + java.util.Arrays.toString(shape)
                    + ", got " + (values == null ? "none" : values.length));
        }
        return new Tensor(shape, values);
    }

    /**
     * Reads a checkpoint into a new SAE owned by a sub-manager of {@code manager}.
     *
     * @throws IllegalArgumentException naming the file and the missing tensor, the tensor with the wrong
     *     shape (both shapes) or with NaN or infinite values, or the bad metadata field
     */
    public static Sae read(Path file, NDManager manager) throws IOException {
        SaeConfig cfg = config(file);
        Arrays a = readArrays(file, cfg);
        return Sae.of(cfg, manager, transpose(a.wEnc(), cfg.dModel(), cfg.dSae()), a.bEnc(), a.wDec(), a.bDec(), a.threshold());
    }

    /** The config stored in a checkpoint's metadata. */
    public static SaeConfig config(Path file) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return config(file, f.metadata());
        }
    }

    private static SaeConfig config(Path file, Map<String, String> metadata) {
        String cfgJson = metadata.get("config");
        if (cfgJson == null) {
            throw new IllegalArgumentException(file + ": metadata field 'config' is missing; not a saelab checkpoint"
                    + " (import other tools' checkpoints with 'saelab sae import')");
        }
        try {
            return Json.mapper().readValue(cfgJson, SaeConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": metadata field 'config' is not a valid SAE config: " + Json.describe(e), e);
        }
    }

    /**
     * The tensors of a checkpoint in checkpoint layout, shapes checked against {@code cfg}.
     *
     * @throws IllegalArgumentException naming the file and the tensor when one is missing, has another shape, or holds
     *                                  NaN or infinite values (with the first bad index)
     */
    public static Arrays readArrays(Path file, SaeConfig cfg) throws IOException {
        int d = cfg.dModel();
        int f = cfg.dSae();
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            return new Arrays(finite(st, "W_enc", d, f), finite(st, "b_enc", f), finite(st, "W_dec", f, d), finite(st, "b_dec", d),
                    cfg.kind().hasThreshold() ? finite(st, "threshold", f) : null);
        }
    }

    private static float[] finite(SafetensorsFile st, String name, long... shape) {
        float[] v = st.require(name, shape).values();
        FiniteValues.require(st.path(), name, v);
        return v;
    }

    /** The provenance JSON of a checkpoint (empty object when absent). */
    public static JsonNode provenance(Path file) throws IOException {
        String p;
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            p = f.metadata().get("provenance");
        }
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
