package saelab.sae;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Importers of other tools' SAE checkpoints into saelab's checkpoint ({@link SaeCheckpoint}); the
 * {@code saelab sae import} command writes the result. Both importers give an inference-only
 * config ({@link SaeConfig#inference}): the training recipe of a foreign SAE is unknown.
 *
 * <p>saev's {@code sae.pt} (one JSON config line, then a {@code torch.save} archive read by
 * {@link saelab.io.TorchArchive}) is converted by {@link SaevImport}, a SAELens folder
 * ({@code cfg.json} and {@code sae_weights.safetensors}) by {@link SaeLensImport}; their Javadoc
 * documents each layout and its generations.
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
                return SaeLensImport.read(source);
            }
            throw new IllegalArgumentException(source + " is a folder without " + SAELENS_CONFIG + "; " + LAYOUTS);
        }
        if (!Files.exists(source)) {
            throw new IllegalArgumentException(source + " does not exist; " + LAYOUTS);
        }
        String name = source.getFileName().toString();
        if (Files.isRegularFile(source) && name.toLowerCase(Locale.ROOT).endsWith(".pt")) {
            return SaevImport.read(source);
        }
        String hint = name.equals(SAELENS_CONFIG) || name.equals(SAELENS_WEIGHTS) ? " (give the SAELens folder, not one of its files)" : "";
        throw new IllegalArgumentException(source + " is not an SAE checkpoint saelab can import" + hint + "; " + LAYOUTS);
    }

    /**
     * Imports saev's {@code sae.pt}: the JSON config line, then the {@code torch.save} zip archive of
     * the state dict (float32 tensors, any storage offset and strides).
     *
     * @throws IllegalArgumentException naming the file and the field or tensor for a missing or truncated
     *     JSON line, bytes that are not a zip archive, a missing {@code data.pkl} or tensor, a storage or view
     *     larger than its zip entry, a wrong shape (both shapes), a dtype other than float32, an unknown
     *     activation or non-finite values
     */
    public static Imported readSaev(Path saePt) throws IOException {
        return SaevImport.read(saePt);
    }

    /**
     * Imports a SAELens SAE folder ({@code cfg.json} and {@code sae_weights.safetensors}), config keys of
     * SAELens before and after 6.0: standard (ReLU), topk, batchtopk and jumprelu SAEs.
     *
     * @throws IllegalArgumentException naming the file and the field or tensor for a missing file, a gated
     *     or unknown architecture or activation, a {@code normalize_activations} other than none, a missing
     *     tensor, a wrong shape (both shapes), non-finite values or a JumpReLU threshold ≤ 0
     */
    public static Imported readSaeLens(Path folder) throws IOException {
        return SaeLensImport.read(folder);
    }

    // ------------------------------------------------------------- shared by the two importers

    static IllegalArgumentException bad(Path file, String what) {
        return new IllegalArgumentException(file + ": " + what);
    }

    static int positiveInt(Path file, JsonNode obj, String name, String prefix) {
        JsonNode v = obj.get(name);
        if (v == null || v.isNull()) {
            throw bad(file, "config field '" + prefix + name + "' is missing; expected a positive integer");
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() <= 0) {
            throw bad(file, "config field '" + prefix + name + "' is " + v + "; expected a positive integer");
        }
        return v.asInt();
    }

    static int product(Path file, int a, int b, String what) {
        long p = (long) a * b;
        if (p > Integer.MAX_VALUE) {
            throw bad(file, what + " = " + p + " latents is too many");
        }
        return (int) p;
    }

    static String text(JsonNode obj, String name, String fallback) {
        JsonNode v = obj.get(name);
        return v == null || v.isNull() || !v.isValueNode() ? fallback : v.asText();
    }

    static boolean bool(Path file, JsonNode obj, String name) {
        JsonNode v = obj.get(name);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw bad(file, "field '" + name + "' is " + v + "; expected true or false");
        }
        return v.asBoolean();
    }

    static float[] broadcast(float[] v, int f) {
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
    static SaeKind batchTopKKind(Path file, String name, float[] theta, List<String> notes) {
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

    static void requireFinite(Path file, SaeCheckpoint.Arrays a, String thresholdName) {
        requireFinite(file, "W_enc", a.wEnc());
        requireFinite(file, "b_enc", a.bEnc());
        requireFinite(file, "W_dec", a.wDec());
        requireFinite(file, "b_dec", a.bDec());
        if (a.threshold() != null) {
            requireFinite(file, thresholdName, a.threshold());
        }
    }

    static void requireFinite(Path file, String name, float[] v) {
        FiniteValues.require(file, name, v);
    }

    static void requirePositive(Path file, String name, float[] theta) {
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
}
