package saelab.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the tokenizer of a model folder by the files in it, and its context length from the model's configuration.
 *
 * <table>
 *   <caption>What is read</caption>
 *   <tr><th>files present</th><th>tokenizer</th><th>context length from (default)</th></tr>
 *   <tr><td>{@code spiece.model}</td><td>{@link SiglipTokenizer}</td>
 *       <td>{@code config.json} {@code text_config.max_position_embeddings} (64)</td></tr>
 *   <tr><td>{@code vocab.json} + {@code merges.txt}</td><td>{@link ClipTokenizer}, Hugging Face reference</td>
 *       <td>{@code config.json} {@code text_config.max_position_embeddings} (77)</td></tr>
 *   <tr><td>{@code bpe_simple_vocab_16e6.txt.gz}</td><td>{@link ClipTokenizer}, open_clip reference</td>
 *       <td>{@code open_clip_config.json} {@code model_cfg.text_cfg.context_length} (77)</td></tr>
 *   <tr><td>{@code open_clip_config.json} alone (the BioCLIP hub layout)</td><td>{@link ClipTokenizer}, open_clip
 *       reference, with the vocabulary bundled in saelab (the one open_clip ships)</td>
 *       <td>{@code model_cfg.text_cfg.context_length} (77)</td></tr>
 * </table>
 * The first row that matches wins. When the configuration declares the size of the model's token table
 * ({@code text_config.vocab_size}, {@code text_cfg.vocab_size}), a tokenizer with more ids than that is refused:
 * its ids would fall outside the table.
 */
public final class Tokenizers {

    static final String SPIECE = "spiece.model";
    static final String VOCAB_JSON = "vocab.json";
    static final String MERGES_TXT = "merges.txt";
    static final String OPEN_CLIP_BPE = "bpe_simple_vocab_16e6.txt.gz";
    static final String CONFIG = "config.json";
    static final String OPEN_CLIP_CONFIG = "open_clip_config.json";

    private Tokenizers() {}

    /**
     * The tokenizer of the model in {@code folder}.
     *
     * @throws IllegalArgumentException when the folder has none of the tokenizer files, when a configuration is
     *                                  malformed or contradicts the files, or when a file is malformed; the message
     *                                  names the folder or file and what was expected
     * @throws UncheckedIOException     when the folder or a file cannot be read
     */
    public static Tokenizer fromFolder(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("model folder " + folder + " does not exist or is not a folder");
        }
        JsonNode config = readJson(folder.resolve(CONFIG));
        JsonNode openClipConfig = readJson(folder.resolve(OPEN_CLIP_CONFIG));
        String modelType = config == null ? "" : config.path("model_type").asText("");
        JsonNode hfText = config == null ? null : config.path("text_config");
        JsonNode ocText = openClipConfig == null ? null : openClipConfig.path("model_cfg").path("text_cfg");
        boolean spiece = Files.isRegularFile(folder.resolve(SPIECE));
        boolean vocab = Files.isRegularFile(folder.resolve(VOCAB_JSON));
        boolean merges = Files.isRegularFile(folder.resolve(MERGES_TXT));
        boolean bpeGz = Files.isRegularFile(folder.resolve(OPEN_CLIP_BPE));

        if (modelType.equals("siglip") && !spiece) {
            throw new IllegalArgumentException(folder + ": " + CONFIG + " says model_type 'siglip' but there is no "
                    + SPIECE + " (the SigLIP tokenizer's SentencePiece model) in the folder");
        }
        if (vocab != merges && !spiece) {
            throw new IllegalArgumentException(folder + ": has " + (vocab ? VOCAB_JSON : MERGES_TXT) + " but not "
                    + (vocab ? MERGES_TXT : VOCAB_JSON) + "; a Hugging Face CLIP tokenizer needs both");
        }
        Tokenizer t;
        Path sizeFile;
        String sizeField;
        Integer declaredSize;
        if (spiece) {
            if (modelType.equals("clip")) {
                throw new IllegalArgumentException(folder + ": " + CONFIG + " says model_type 'clip' but the folder holds "
                        + SPIECE + " (a SentencePiece model); expected " + VOCAB_JSON + " and " + MERGES_TXT);
            }
            int ctx = intField(hfText, "max_position_embeddings", folder.resolve(CONFIG), "text_config", SiglipTokenizer.DEFAULT_CONTEXT_LENGTH);
            t = SiglipTokenizer.fromModel(folder.resolve(SPIECE), ctx);
            sizeFile = folder.resolve(CONFIG);
            sizeField = "text_config.vocab_size";
            declaredSize = intFieldOrNull(hfText, "vocab_size", sizeFile, "text_config");
        } else if (vocab) {
            int ctx = intField(hfText, "max_position_embeddings", folder.resolve(CONFIG), "text_config", ClipTokenizer.DEFAULT_CONTEXT_LENGTH);
            t = ClipTokenizer.huggingFace(folder.resolve(VOCAB_JSON), folder.resolve(MERGES_TXT), ctx);
            sizeFile = folder.resolve(CONFIG);
            sizeField = "text_config.vocab_size";
            declaredSize = intFieldOrNull(hfText, "vocab_size", sizeFile, "text_config");
        } else if (bpeGz || openClipConfig != null) {
            if (ocText != null && ocText.hasNonNull("hf_tokenizer_name")) {
                throw new IllegalArgumentException(folder.resolve(OPEN_CLIP_CONFIG) + ": model_cfg.text_cfg.hf_tokenizer_name is '"
                        + ocText.get("hf_tokenizer_name").asText() + "'; Hugging Face tokenizers named there are not supported, only open_clip's own BPE");
            }
            int ctx = ocText != null
                    ? intField(ocText, "context_length", folder.resolve(OPEN_CLIP_CONFIG), "model_cfg.text_cfg", ClipTokenizer.DEFAULT_CONTEXT_LENGTH)
                    : intField(hfText, "max_position_embeddings", folder.resolve(CONFIG), "text_config", ClipTokenizer.DEFAULT_CONTEXT_LENGTH);
            t = bpeGz ? ClipTokenizer.openClip(folder.resolve(OPEN_CLIP_BPE), ctx) : ClipTokenizer.openClipBundled(ctx);
            sizeFile = folder.resolve(ocText != null ? OPEN_CLIP_CONFIG : CONFIG);
            sizeField = ocText != null ? "model_cfg.text_cfg.vocab_size" : "text_config.vocab_size";
            declaredSize = ocText != null
                    ? intFieldOrNull(ocText, "vocab_size", sizeFile, "model_cfg.text_cfg")
                    : intFieldOrNull(hfText, "vocab_size", sizeFile, "text_config");
        } else {
            throw new IllegalArgumentException(folder + ": no tokenizer files; expected " + SPIECE + " (SigLIP), "
                    + VOCAB_JSON + " and " + MERGES_TXT + " (Hugging Face CLIP), " + OPEN_CLIP_BPE + " or "
                    + OPEN_CLIP_CONFIG + " (open_clip, BioCLIP)"
                    + (Files.exists(folder.resolve("tokenizer.json")) ? " (tokenizer.json alone is not read)" : ""));
        }
        if (declaredSize != null && t.vocabularySize() > declaredSize) {
            throw new IllegalArgumentException(sizeFile + ": " + sizeField + " is " + declaredSize + " but the tokenizer has "
                    + t.vocabularySize() + " ids (" + t + "); its ids would fall outside the model's token table");
        }
        return t;
    }

    private static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode n = new ObjectMapper().readTree(Files.readAllBytes(file));
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException(file + ": expected a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static int intField(JsonNode parent, String field, Path file, String prefix, int fallback) {
        Integer v = intFieldOrNull(parent, field, file, prefix);
        return v == null ? fallback : v;
    }

    private static Integer intFieldOrNull(JsonNode parent, String field, Path file, String prefix) {
        if (parent == null || parent.isMissingNode() || !parent.has(field) || parent.get(field).isNull()) {
            return null;
        }
        JsonNode v = parent.get(field);
        if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(file + ": " + prefix + "." + field + " is " + v + "; expected a positive integer");
        }
        return v.asInt();
    }
}
