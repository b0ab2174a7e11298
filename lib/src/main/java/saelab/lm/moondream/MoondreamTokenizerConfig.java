package saelab.lm.moondream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import saelab.model.ConfigFile;

/**
 * The special token ids and the query template of moondream2, the {@code tokenizer} section of its
 * {@code config.json} ({@code TokenizerConfig} of the reference {@code moondream/torch/config.py},
 * github.com/vikhyat/moondream at 44146f1). An absent field takes the reference default (the real
 * moondream2 ids: bos = eos = 0, answer 3, query template prefix [1, 15381, 2], suffix [3]). Only
 * what a query needs is kept; the other ids and templates (caption, detect, point) are not read.
 *
 * @param bosId       the token whose embedding starts the image prefix
 * @param eosId       the token that ends an answer
 * @param answerId    the answer marker; generation never emits it after the first token (its logit is set to -inf)
 * @param queryPrefix the ids before the question ({@code templates.query.prefix}), or null when the model has no query template
 * @param querySuffix the ids after the question ({@code templates.query.suffix}), or null likewise
 */
public record MoondreamTokenizerConfig(int bosId, int eosId, int answerId, int[] queryPrefix, int[] querySuffix) {

    /** The reference defaults (moondream2's real ids). */
    public static final MoondreamTokenizerConfig DEFAULTS = new MoondreamTokenizerConfig(0, 0, 3, new int[] {1, 15381, 2}, new int[] {3});

    /** Copies the templates. */
    public MoondreamTokenizerConfig {
        queryPrefix = queryPrefix == null ? null : queryPrefix.clone();
        querySuffix = querySuffix == null ? null : querySuffix.clone();
    }

    /**
     * Reads the {@code tokenizer} section of {@code file}; an absent section or field takes the default.
     *
     * @throws IllegalArgumentException for a field of the wrong type, naming the file and the field
     */
    public static MoondreamTokenizerConfig read(Path file) throws IOException {
        ConfigFile t = ConfigFile.read(file).section("tokenizer");
        MoondreamTokenizerConfig d = DEFAULTS;
        int[] prefix = d.queryPrefix;
        int[] suffix = d.querySuffix;
        JsonNode root = new ObjectMapper().readTree(Files.readAllBytes(file));
        JsonNode templates = root.path("tokenizer").path("templates");
        if (!templates.isMissingNode() && !templates.isNull()) {
            if (!templates.isObject()) {
                throw new IllegalArgumentException(file + ": field 'tokenizer.templates' is " + templates + "; expected an object");
            }
            JsonNode query = templates.get("query");
            if (query == null || query.isNull()) {
                prefix = null; // the reference: "Model does not support querying."
                suffix = null;
            } else if (!query.isObject()) {
                throw new IllegalArgumentException(file + ": field 'tokenizer.templates.query' is " + query
                        + "; expected an object {prefix: [ids], suffix: [ids]} or null");
            } else {
                prefix = ids(file, "tokenizer.templates.query.prefix", query.get("prefix"));
                suffix = ids(file, "tokenizer.templates.query.suffix", query.get("suffix"));
            }
        }
        return new MoondreamTokenizerConfig(t.integer("bos_id", d.bosId), t.integer("eos_id", d.eosId), t.integer("answer_id", d.answerId),
                prefix, suffix);
    }

    private static int[] ids(Path file, String field, JsonNode n) {
        if (n == null || !n.isArray()) {
            throw new IllegalArgumentException(file + ": field '" + field + "' is " + (n == null ? "missing" : n.toString())
                    + "; expected a list of token ids");
        }
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = n.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
                throw new IllegalArgumentException(file + ": field '" + field + "' holds " + v + " at index " + i
                        + "; expected non-negative integer token ids");
            }
            out[i] = v.asInt();
        }
        return out;
    }

    /** Whether the model has a query template. */
    public boolean supportsQuery() {
        return queryPrefix != null && querySuffix != null;
    }

    @Override
    public int[] queryPrefix() {
        return queryPrefix == null ? null : queryPrefix.clone();
    }

    @Override
    public int[] querySuffix() {
        return querySuffix == null ? null : querySuffix.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MoondreamTokenizerConfig c && c.bosId == bosId && c.eosId == eosId && c.answerId == answerId
                && Arrays.equals(c.queryPrefix, queryPrefix) && Arrays.equals(c.querySuffix, querySuffix);
    }

    @Override
    public int hashCode() {
        return ((bosId * 31 + eosId) * 31 + answerId) * 31 + Arrays.hashCode(queryPrefix) * 17 + Arrays.hashCode(querySuffix);
    }

    @Override
    public String toString() {
        return "MoondreamTokenizerConfig[bosId=" + bosId + ", eosId=" + eosId + ", answerId=" + answerId + ", queryPrefix="
                + Arrays.toString(queryPrefix) + ", querySuffix=" + Arrays.toString(querySuffix) + "]";
    }
}
