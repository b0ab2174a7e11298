package saelab.intervene;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import saelab.analysis.RecordedLayer;
import saelab.io.Json;

/**
 * One feature intervention, as data: read and written as JSON (snake_case) and stored beside every result, so
 * that a result can be regenerated from its folder. Example:
 * <pre>{@code {"model": "facebook/dinov2-base", "block": 10, "tokens": "class:12", "latents": [4031],
 *  "operation": "set", "value": -2.0, "unit": "max", "analysis": "runs/ade/analysis", "error": "keep"}}</pre>
 *
 * @param model     the model the edit was made for (an id or folder; recorded, not resolved here), or null
 * @param block     the 0-based block whose output resid_post[block] is edited, or null for the SAE's provenance layer
 * @param tokens    the tokens edited (see {@link EditTokens})
 * @param latents   the SAE latents edited, 0-based ids, distinct
 * @param operation what happens to each latent's code
 * @param value     set: the value; scale: the factor γ; add: the increment α; ablate: none (null)
 * @param unit      of the value for set and add (raw by default; scale and ablate take raw only)
 * @param analysis  the analysis folder whose {@code latents.csv} gives the maxima for unit {@code max}, else null
 * @param error     the error policy ({@code keep} by default)
 */
public record EditSpec(String model, Integer block, EditTokens tokens, List<Integer> latents, EditOperation operation, Double value,
                       ValueUnit unit, String analysis, ErrorPolicy error) {

    public EditSpec {
        if (model != null && model.isBlank()) {
            throw new IllegalArgumentException("model is blank; expected a model id or folder, or no model field");
        }
        if (block != null && block < 0) {
            throw new IllegalArgumentException("block is " + block + "; expected a 0-based block index >= 0");
        }
        if (tokens == null) {
            throw new IllegalArgumentException("tokens is missing; expected \"all_patches\", \"cls\", \"registers\", \"class:<id>\" or a list"
                    + " of patch indices");
        }
        if (latents == null || latents.isEmpty()) {
            throw new IllegalArgumentException("latents is missing or empty; expected a list of 0-based latent ids");
        }
        Set<Integer> seen = new HashSet<>();
        for (Integer l : latents) {
            if (l == null || l < 0) {
                throw new IllegalArgumentException("latents holds " + l + "; expected 0-based latent ids >= 0");
            }
            if (!seen.add(l)) {
                throw new IllegalArgumentException("latents holds " + l + " twice; each latent may be edited once");
            }
        }
        latents = List.copyOf(latents);
        if (operation == null) {
            throw new IllegalArgumentException("operation is missing; expected set, scale, add or ablate");
        }
        unit = unit == null ? ValueUnit.RAW : unit;
        error = error == null ? ErrorPolicy.KEEP : error;
        if (operation.takesValue() && (value == null || !Double.isFinite(value))) {
            throw new IllegalArgumentException("value is " + value + "; operation " + operation.id() + " needs a finite number");
        }
        if (!operation.takesValue() && value != null) {
            throw new IllegalArgumentException("value is " + value + "; operation ablate takes no value");
        }
        if (unit == ValueUnit.MAX && (operation == EditOperation.SCALE || operation == EditOperation.ABLATE)) {
            throw new IllegalArgumentException("unit is max; operation " + operation.id() + " takes a plain factor (unit raw)");
        }
        if (unit == ValueUnit.MAX && (analysis == null || analysis.isBlank())) {
            throw new IllegalArgumentException("analysis is missing; unit max needs the analysis folder whose latents.csv gives each latent's"
                    + " maximum");
        }
    }

    /** A builder of an edit of {@code operation}; see the record's parameters for the setters and defaults. */
    public static Builder builder(EditOperation operation) {
        return new Builder(operation);
    }

    /** A builder starting from this spec. */
    public Builder toBuilder() {
        Builder b = new Builder(operation);
        b.model = model;
        b.block = block;
        b.tokens = tokens;
        b.latents = latents;
        b.value = value;
        b.unit = unit;
        b.analysis = analysis;
        b.error = error;
        return b;
    }

    /** The latent ids as an array. */
    public int[] latentIds() {
        return latents.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The block to edit: {@link #block()}, or the layer the SAE checkpoint's provenance records when the spec has none.
     *
     * @throws IllegalArgumentException when the spec's block contradicts the recorded layer, or neither exists
     */
    public int resolveBlock(Path saeCheckpoint) throws IOException {
        return RecordedLayer.resolve(saeCheckpoint, block, "the edit's block").layer();
    }

    /**
     * The edit in raw code units: {@code value} times each latent's maximum for unit {@code max}.
     *
     * @param maxima the analysis maxima, needed for unit {@code max} (may be null for raw)
     * @throws IllegalArgumentException when unit max has no maxima or they lack a latent
     */
    public LatentEdit resolve(LatentMaxima maxima) {
        int[] ids = latentIds();
        float[] amounts = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            double v = value == null ? 0 : value;
            if (unit == ValueUnit.MAX) {
                if (maxima == null) {
                    throw new IllegalArgumentException("unit is max but no analysis maxima were given (analysis folder " + analysis + ")");
                }
                v *= maxima.of(ids[i]);
            }
            amounts[i] = (float) v;
        }
        return new LatentEdit(block, tokens, ids, operation, amounts, error);
    }

    /**
     * Reads an edit spec.
     *
     * @throws IllegalArgumentException naming the file and the bad field in one sentence (unknown operation, unit or
     *                                  field, missing value, malformed JSON)
     */
    public static EditSpec read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("edit spec " + file + " does not exist", e);
        }
        try {
            EditSpec s = Json.mapper().readValue(bytes, EditSpec.class);
            if (s == null) {
                throw new IllegalArgumentException("edit spec " + file + " is empty; expected a JSON object");
            }
            return s;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("edit spec " + file + ": " + describe(e), e);
        }
    }

    /** Parses an edit spec from JSON text. */
    public static EditSpec parse(String json) {
        try {
            return Json.mapper().readValue(json, EditSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("edit spec: " + describe(e), e);
        }
    }

    /** The spec as JSON text. */
    public String toJson() {
        try {
            return Json.mapper().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an edit spec could not be written as JSON", e);
        }
    }

    /** Writes the spec as JSON, atomically. */
    public void write(Path file) throws IOException {
        Json.write(file, this);
    }

    /** Our own sentence when a validation of ours failed inside Jackson, else Jackson's, with the field path. */
    private static String describe(JsonProcessingException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException) {
                return t.getMessage();
            }
        }
        if (e instanceof JsonMappingException m && m.getPath().size() > 0 && m.getOriginalMessage().startsWith("Unrecognized field")) {
            return "unknown field '" + Json.path(m) + "'; expected model, block, tokens, latents, operation, value, unit, analysis or error";
        }
        return Json.describe(e);
    }

    /** Builds an {@link EditSpec}; the setters are named as the fields. */
    public static final class Builder {
        private final EditOperation operation;
        private String model;
        private Integer block;
        private EditTokens tokens = EditTokens.allPatches();
        private List<Integer> latents;
        private Double value;
        private ValueUnit unit = ValueUnit.RAW;
        private String analysis;
        private ErrorPolicy error = ErrorPolicy.KEEP;

        private Builder(EditOperation operation) {
            this.operation = operation;
        }

        public Builder model(String v) {
            model = v;
            return this;
        }

        public Builder block(Integer v) {
            block = v;
            return this;
        }

        public Builder tokens(EditTokens v) {
            tokens = v;
            return this;
        }

        public Builder latents(int... ids) {
            latents = java.util.Arrays.stream(ids).boxed().toList();
            return this;
        }

        public Builder value(double v) {
            value = v;
            return this;
        }

        public Builder unit(ValueUnit v) {
            unit = v;
            return this;
        }

        public Builder analysis(String v) {
            analysis = v;
            return this;
        }

        public Builder error(ErrorPolicy v) {
            error = v;
            return this;
        }

        public EditSpec build() {
            return new EditSpec(model, block, tokens, latents, operation, value, unit, analysis, error);
        }
    }
}
