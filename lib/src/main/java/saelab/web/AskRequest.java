package saelab.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;

/**
 * The body of a VLM dashboard request: sample {@code samples} answers to {@code question} about image {@code image}
 * before and, when latents are given, after setting (or adding) each latent to {@code values[i]} × its maximum on every
 * image feature.
 *
 * @param image       the image index
 * @param question    the question, 1 to {@link #MAX_QUESTION} printable characters
 * @param operation   {@code set} or {@code add} (ignored without latents)
 * @param latents     the edited latents (distinct, at most {@link EditRequest#MAX_LATENTS}), or empty for clean answers only
 * @param values      one per latent, within ±{@link EditRequest#MAX_VALUE}
 * @param samples     answers per run, 1 to {@link #MAX_SAMPLES}
 * @param temperature sampling temperature, in (0, 2]
 * @param seed        the seed (answer i before and after the edit share it)
 */
record AskRequest(@JsonProperty("image") int image, @JsonProperty("question") String question, @JsonProperty("operation") String operation,
                  @JsonProperty("latents") int[] latents, @JsonProperty("values") double[] values, @JsonProperty("samples") int samples,
                  @JsonProperty("temperature") double temperature, @JsonProperty("seed") long seed) {

    static final int MAX_QUESTION = 300;
    static final int MAX_SAMPLES = 512;

    boolean edits() {
        return latents != null && latents.length > 0;
    }

    /** Checks the fields; the edit part as {@link EditRequest} does. */
    AskRequest check(int dSae) {
        if (question == null || question.isBlank() || question.length() > MAX_QUESTION || !question.matches("[\\p{L}\\p{N}\\p{P}\\p{Zs}]+")) {
            throw new IllegalArgumentException("field 'question' must be 1 to " + MAX_QUESTION + " printable characters; got "
                    + (question == null ? "none" : question.length() + " characters"));
        }
        if (samples < 1 || samples > MAX_SAMPLES) {
            throw new IllegalArgumentException("field 'samples' is " + samples + "; expected 1 to " + MAX_SAMPLES);
        }
        if (!(temperature > 0 && temperature <= 2)) {
            throw new IllegalArgumentException("field 'temperature' is " + temperature + "; expected a value in (0, 2] (answers are sampled)");
        }
        if (edits()) {
            new EditRequest(operation, latents, values, null, null).check(dSae, null);
        } else if (values != null && values.length > 0) {
            throw new IllegalArgumentException("field 'values' holds " + values.length + " values but 'latents' is empty");
        }
        return this;
    }

    @Override
    public String toString() {
        return "ask(image " + image + ", " + samples + " samples, latents " + Arrays.toString(latents) + ")";
    }
}
