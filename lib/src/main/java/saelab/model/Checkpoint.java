package saelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import saelab.io.SafetensorsFile;

/**
 * The weights of one model, possibly spread over several safetensors shards: one file, or a
 * Hugging Face {@code model.safetensors.index.json} ({@code weight_map}: tensor name to shard file).
 * A leading {@code module.} (left by {@code DataParallel} training, e.g. in open_clip checkpoints)
 * is stripped from every name. {@link #take} checks each tensor's shape and creates it on the
 * target device and dtype; errors name the file, the tensor and both shapes.
 */
public final class Checkpoint implements AutoCloseable {

    private final List<MappedSafetensors> files;
    private final Map<String, MappedSafetensors> fileOf = new LinkedHashMap<>();
    private final Map<String, String> storedName = new LinkedHashMap<>();
    private final String description;

    private Checkpoint(List<MappedSafetensors> files, String description) {
        this.files = files;
        this.description = description;
        for (MappedSafetensors f : files) {
            for (String stored : f.entries().keySet()) {
                String name = stored.startsWith("module.") ? stored.substring("module.".length()) : stored;
                fileOf.put(name, f);
                storedName.put(name, stored);
            }
        }
    }

    /**
     * Opens one safetensors file.
     *
     * @throws IOException when it is missing
     */
    public static Checkpoint single(Path file) throws IOException {
        return new Checkpoint(List.of(MappedSafetensors.open(file)), file.toString());
    }

    /**
     * Opens the shards named by a {@code model.safetensors.index.json}.
     *
     * @throws IllegalArgumentException when the index is not valid JSON or has no {@code weight_map}, naming the file
     */
    public static Checkpoint sharded(Path index) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(index));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(index.toString(), null, "file is missing");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(index + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw new IllegalArgumentException(index + ": field 'weight_map' is missing or empty; expected {tensor name: shard file}");
        }
        Set<String> shards = new LinkedHashSet<>();
        for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) {
            JsonNode v = it.next();
            if (!v.isTextual()) {
                throw new IllegalArgumentException(index + ": field 'weight_map' has a non-string shard name " + v);
            }
            shards.add(v.asText());
        }
        List<MappedSafetensors> files = new ArrayList<>();
        try {
            for (String s : shards) {
                files.add(MappedSafetensors.open(index.resolveSibling(s)));
            }
        } catch (IOException | RuntimeException e) {
            files.forEach(MappedSafetensors::close);
            throw e;
        }
        Checkpoint c = new Checkpoint(files, index.toString());
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            MappedSafetensors f = c.fileOf.get(e.getKey());
            if (f == null || !f.path().getFileName().toString().equals(e.getValue().asText())) {
                c.close();
                throw new IllegalArgumentException(index + ": 'weight_map' puts tensor '" + e.getKey() + "' in " + e.getValue().asText()
                        + ", but that shard does not hold it");
            }
        }
        return c;
    }

    /** Whether the checkpoint holds {@code name} (after stripping {@code module.}). */
    public boolean has(String name) {
        return fileOf.containsKey(name);
    }

    /** The file holding {@code name}, or the checkpoint's description when it is missing. */
    public String where(String name) {
        MappedSafetensors f = fileOf.get(name);
        return f == null ? description : f.path().toString();
    }

    /** The stored shape of {@code name}. */
    public long[] shape(String name) {
        return entry(name).shape();
    }

    private SafetensorsFile.Entry entry(String name) {
        MappedSafetensors f = fileOf.get(name);
        if (f == null) {
            throw new IllegalArgumentException(description + ": tensor '" + name + "' is missing (" + fileOf.size() + " tensors in "
                    + files.size() + " file(s))");
        }
        return f.entries().get(storedName.get(name));
    }

    /**
     * Creates tensor {@code name} on {@code manager} as {@code dtype}, after checking that its
     * stored shape is {@code shape}.
     *
     * @throws IllegalArgumentException when it is missing or has another shape, naming the file, the tensor and both shapes
     */
    public NDArray take(String name, NDManager manager, DataType dtype, long... shape) {
        SafetensorsFile.Entry e = entry(name);
        if (!Arrays.equals(e.shape(), shape)) {
            throw new IllegalArgumentException(where(name) + ": tensor '" + name + "' has shape " + e.shapeText() + ", expected "
                    + Arrays.toString(shape));
        }
        NDArray a = fileOf.get(name).load(storedName.get(name), manager);
        if (a.getDataType() != dtype) {
            NDArray c = a.toType(dtype, false);
            a.close();
            return c;
        }
        return a;
    }

    /** Where the weights come from (a file or an index). */
    public String description() {
        return description;
    }

    @Override
    public void close() {
        files.forEach(MappedSafetensors::close);
    }
}
