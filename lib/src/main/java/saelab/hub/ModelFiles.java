package saelab.hub;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import saelab.io.Json;

/**
 * Which files of a model repository to download: the default set a vision model needs, glob
 * selection, and the shards a sharded checkpoint's index names ({@code model.safetensors.index.json}:
 * {@code {"weight_map": {tensor: shard file}}}, see {@code lib/MODELS.md} §1.1).
 */
public final class ModelFiles {

    /**
     * The files saelab's model loaders read, where a repository has them: the HF config, weights
     * (single file or sharded index), image preprocessing, tokenizers (CLIP's BPE files, SigLIP's
     * SentencePiece model), open_clip's config and weights (BioCLIP), and a VLM's generation config (its stop and pad
     * token ids) and chat template.
     */
    public static final List<String> DEFAULT = List.of(
            "config.json", "model.safetensors", "model.safetensors.index.json", "preprocessor_config.json",
            "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt",
            "spiece.model", "open_clip_config.json", "open_clip_model.safetensors", "generation_config.json", "chat_template.json");

    private ModelFiles() {}

    /**
     * The files that match any of the patterns, sorted. Patterns are globs of
     * {@link java.nio.file.FileSystem#getPathMatcher} ({@code *} stays within one folder,
     * {@code **} crosses folders, {@code {a,b}} alternatives); a plain name matches itself.
     *
     * @throws IllegalArgumentException naming a pattern that is not a valid glob
     */
    public static List<String> select(Collection<String> files, List<String> patterns) {
        List<PathMatcher> matchers = new ArrayList<>();
        for (String p : patterns) {
            try {
                matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + p));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("file pattern '" + p + "' is not a valid glob: " + e.getMessage(), e);
            }
        }
        TreeSet<String> out = new TreeSet<>();
        for (String f : files) {
            Path path = Path.of(f);
            if (matchers.stream().anyMatch(m -> m.matches(path))) {
                out.add(f);
            }
        }
        return List.copyOf(out);
    }

    /** Whether a file is a sharded-checkpoint index ({@code *.safetensors.index.json}). */
    public static boolean isShardIndex(String path) {
        return path.endsWith(".safetensors.index.json");
    }

    /**
     * The shard files an index names, as repository paths (relative to the index's folder), sorted
     * and without repeats.
     *
     * @param index     the index file on disk
     * @param indexPath its path in the repository
     * @throws IllegalArgumentException naming the file and the field when {@code weight_map} is missing or bad
     */
    public static List<String> shardsOf(Path index, String indexPath) throws IOException {
        JsonNode root;
        try {
            root = Json.mapper().readTree(Files.readAllBytes(index));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("shard index " + index + " is not valid JSON: " + Json.describe(e), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw new IllegalArgumentException("shard index " + index + " has no field 'weight_map' with at least one"
                    + " entry {tensor name: shard file}");
        }
        int slash = indexPath.lastIndexOf('/');
        String folder = slash < 0 ? "" : indexPath.substring(0, slash + 1);
        TreeSet<String> shards = new TreeSet<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException("shard index " + index + ", field 'weight_map." + e.getKey()
                        + "': expected a shard file name (text)");
            }
            try {
                shards.add(HubNames.checkFilePath(folder + e.getValue().asText()));
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException("shard index " + index + ", field 'weight_map." + e.getKey() + "': "
                        + bad.getMessage(), bad);
            }
        }
        return List.copyOf(shards);
    }
}
