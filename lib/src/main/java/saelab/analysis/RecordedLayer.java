package saelab.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import saelab.sae.SaeCheckpoint;

/**
 * The block an SAE checkpoint was trained on, as its provenance records it: the SAE reads
 * {@code resid_post[L]} (0-based, the output of block L before any final norm). Looked up, in order:
 * <ul>
 *   <li>{@code provenance.layer}, an integer;</li>
 *   <li>{@code provenance.input} of an SAE trained by saelab on a cache,
 *       {@code "cache DIR (FORMAT), layer L, KIND, seed S"} ({@link saelab.sae.CacheBatches});</li>
 *   <li>an imported SAELens checkpoint's {@code provenance.source_config}: {@code hook_layer} (SAELens
 *       before 6), else the {@code blocks.L.} part of {@code hook_name} or {@code metadata.hook_name}.</li>
 * </ul>
 * saev's {@code sae.pt} header does not record the layer, so imported saev checkpoints have none.
 *
 * @param layer the block index, 0-based
 * @param field where it was found, e.g. {@code provenance.input}
 * @param text  the recorded value, for messages
 */
public record RecordedLayer(int layer, String field, String text) {

    private static final Pattern CACHE_INPUT = Pattern.compile("^cache .*, layer (\\d+), ([a-z_]+), seed -?\\d+$");
    private static final Pattern HOOK_BLOCK = Pattern.compile("(?:^|\\.)blocks\\.(\\d+)\\.");

    /** The layer recorded in {@code sae}'s provenance, if any. */
    public static Optional<RecordedLayer> of(Path sae) throws IOException {
        JsonNode p = SaeCheckpoint.provenance(sae);
        JsonNode direct = p.get("layer");
        if (direct != null && direct.canConvertToInt() && direct.isIntegralNumber()) {
            return Optional.of(new RecordedLayer(direct.asInt(), "provenance.layer", direct.toString()));
        }
        JsonNode input = p.get("input");
        if (input != null && input.isTextual()) {
            Matcher m = CACHE_INPUT.matcher(input.asText());
            if (m.matches()) {
                return Optional.of(new RecordedLayer(Integer.parseInt(m.group(1)), "provenance.input", input.asText()));
            }
        }
        JsonNode src = p.get("source_config");
        if (src != null && src.isObject()) {
            JsonNode hl = src.get("hook_layer");
            if (hl != null && hl.canConvertToInt() && hl.isIntegralNumber()) {
                return Optional.of(new RecordedLayer(hl.asInt(), "provenance.source_config.hook_layer", hl.toString()));
            }
            for (String path : new String[] {"hook_name", "metadata.hook_name"}) {
                JsonNode h = path.startsWith("metadata.") ? src.path("metadata").get("hook_name") : src.get(path);
                if (h != null && h.isTextual()) {
                    Matcher m = HOOK_BLOCK.matcher(h.asText());
                    if (m.find()) {
                        return Optional.of(new RecordedLayer(Integer.parseInt(m.group(1)), "provenance.source_config." + path, h.asText()));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The tokens an SAE trained by saelab on a cache was trained on ({@code provenance.input}'s kind: patches, cls,
     * registers or all), if recorded; imported checkpoints record none.
     */
    public static Optional<saelab.store.TokenKind> tokensOf(Path sae) throws IOException {
        JsonNode input = SaeCheckpoint.provenance(sae).get("input");
        if (input != null && input.isTextual()) {
            Matcher m = CACHE_INPUT.matcher(input.asText());
            if (m.matches()) {
                try {
                    return Optional.of(saelab.store.TokenKind.parse(m.group(2), "provenance.input"));
                } catch (IllegalArgumentException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The layer to use: the recorded one, or {@code requested} when the checkpoint records none (then the
     * result's {@code field} is {@code option}).
     *
     * @param requested the layer asked for, or null
     * @param option    how the request is spelt for the user (e.g. {@code --layer})
     * @throws IllegalArgumentException when {@code requested} contradicts the recorded layer (naming the SAE file, the
     *                                  field and both layers), or when neither exists
     */
    public static RecordedLayer resolve(Path sae, Integer requested, String option) throws IOException {
        Optional<RecordedLayer> rec = of(sae);
        if (rec.isPresent()) {
            RecordedLayer r = rec.get();
            if (requested != null && requested != r.layer()) {
                throw new IllegalArgumentException(sae + ": metadata field '" + r.field() + "' records layer " + r.layer() + " (\"" + r.text()
                        + "\"), but " + option + " is " + requested + "; the SAE reads resid_post[" + r.layer() + "], written by block "
                        + r.layer() + "'s MLP: leave out " + option + " or pass " + r.layer());
            }
            return r;
        }
        if (requested == null) {
            throw new IllegalArgumentException(sae + ": the provenance records no layer (no 'layer', no cache 'input', no SAELens hook);"
                    + " pass " + option + " N, the 0-based block whose output (resid_post[N]) the SAE was trained on");
        }
        if (requested < 0) {
            throw new IllegalArgumentException(option + " is " + requested + "; expected a block index >= 0");
        }
        return new RecordedLayer(requested, option, requested.toString());
    }
}
