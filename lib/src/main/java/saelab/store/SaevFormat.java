package saelab.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import saelab.io.ConfinedPaths;
import saelab.io.Json;

/**
 * Read-only import of activation caches written by saev, the paper's Python tool: a folder with
 * {@code metadata.json}, raw float32 shards {@code acts000000.bin, ...} in [example, layer, token, dim]
 * order, optionally {@code shards.json} (protocol 2.1) and {@code labels.bin} (uint8 per-patch labels
 * [examples, patches]). Both generations are read (facts from saev's own writer, protocol 2.1 and the
 * paper-era release):
 * <ul>
 *   <li>protocol "2.1": {@code content_tokens_per_example}, {@code cls_token}, {@code d_model},
 *       {@code n_examples}, {@code max_tokens_per_shard}, {@code layers}; tokens per example =
 *       content tokens + 1 when the CLS token is kept; examples per shard =
 *       max_tokens_per_shard div (tokens per example × layers), or as {@code shards.json} lists;</li>
 *   <li>paper era: {@code n_patches_per_img}, {@code d_vit}, {@code n_imgs}, {@code n_patches_per_shard},
 *       {@code layers}; the CLS token is always stored, so tokens per image = patches + 1.</li>
 * </ul>
 * saev records no checksums and no per-image paths: images are numbered 0.. in dataset order with
 * no label, and {@code cache verify} can check sizes only.
 *
 * <p>Declared sizes are bounded before anything is allocated: layers, tokens and width have sanity
 * limits ({@link #MAX_LAYERS}, {@link #MAX_TOKENS}, {@link #MAX_D_MODEL}), the total size must fit a
 * 64-bit count, and each shard file named by the metadata must exist inside the folder with exactly
 * the size the metadata implies (checked one file at a time, so a declared shard count cannot outgrow
 * the files on disk). Their bytes carry no checksum: flipped bits are not detected here; evaluation
 * and analysis refuse non-finite activations where they read them. Patch grids are square when the patch count
 * is a perfect square, else one row.
 */
final class SaevFormat {

    static final String METADATA = "metadata.json";
    static final String LABELS = "labels.bin";
    /** Sanity limits on declared sizes (far above any vision transformer: ViT-g has 40 blocks, width 1536). */
    static final int MAX_LAYERS = 1 << 10;
    static final int MAX_TOKENS = 1 << 20;
    static final int MAX_D_MODEL = 1 << 16;

    private SaevFormat() {}

    static CacheSource open(Path dir) {
        Path metaFile = dir.resolve(METADATA);
        JsonNode meta;
        try {
            meta = Json.mapper().readTree(Files.readAllBytes(metaFile));
        } catch (IOException e) {
            throw new IllegalArgumentException("saev metadata " + metaFile + " is not readable JSON: " + e.getMessage(), e);
        }
        if (meta == null || !meta.isObject()) {
            throw new IllegalArgumentException("saev metadata " + metaFile + ": expected a JSON object");
        }
        boolean current = meta.has("content_tokens_per_example") || meta.has("protocol");
        String format = current ? "saev-" + text(meta, "protocol", metaFile, "2.1") : "saev-paper";
        List<Integer> layers = intList(meta, "layers", metaFile);
        int patches;
        boolean cls;
        int d;
        long n;
        long perShard;
        if (current) {
            patches = intField(meta, "content_tokens_per_example", metaFile);
            cls = boolField(meta, "cls_token", metaFile);
            d = intField(meta, "d_model", metaFile);
            n = longField(meta, "n_examples", metaFile);
            String dtype = text(meta, "dtype", metaFile, "float32");
            if (!dtype.equals("float32")) {
                throw new IllegalArgumentException(metaFile + ": field 'dtype': expected float32 (the only type saev writes), got '" + dtype + "'");
            }
            long maxTokens = longField(meta, "max_tokens_per_shard", metaFile);
            perShard = maxTokens / ((long) (patches + (cls ? 1 : 0)) * layers.size());
        } else {
            patches = intField(meta, "n_patches_per_img", metaFile);
            cls = true;
            d = intField(meta, "d_vit", metaFile);
            n = longField(meta, "n_imgs", metaFile);
            long perShardPatches = longField(meta, "n_patches_per_shard", metaFile);
            perShard = perShardPatches / ((long) layers.size() * (patches + 1));
        }
        if (perShard <= 0) {
            throw new IllegalArgumentException(metaFile + ": the shard size holds less than one example ("
                    + (patches + (cls ? 1 : 0)) + " tokens x " + layers.size() + " layers)");
        }
        if (layers.size() > MAX_LAYERS || d > MAX_D_MODEL || patches > MAX_TOKENS) {
            throw new IllegalArgumentException(metaFile + ": " + layers.size() + " layers x " + patches + " tokens x d_model " + d
                    + " is beyond saelab's limits (" + MAX_LAYERS + " layers, " + MAX_TOKENS + " tokens, d_model " + MAX_D_MODEL
                    + "); expected the metadata of a vision transformer's activations");
        }
        int side = (int) Math.round(Math.sqrt(patches));
        TokenLayout tokens = side * side == patches ? new TokenLayout(cls, 0, side, side) : new TokenLayout(cls, 0, 1, patches);
        long bytesPerExample = (long) layers.size() * tokens.tokens() * d * 4; // < 2^10 * 2^20 * 2^16 * 4 = 2^48
        if (Math.multiplyHigh(n, bytesPerExample) != 0 || n * bytesPerExample < 0) {
            throw new IllegalArgumentException(metaFile + ": " + n + " examples of " + bytesPerExample
                    + " bytes overflow a 64-bit size; expected the metadata of a real cache");
        }
        List<Long> counts = shardCounts(dir, n, perShard, bytesPerExample, metaFile);
        List<ShardFile> shards = new ArrayList<>();
        long first = 0;
        for (int i = 0; i < counts.size(); i++) {
            long c = counts.get(i);
            shards.add(new ShardFile(ConfinedPaths.resolve(dir, shardName(i), metaFile, "shard " + i), first, (int) c,
                    c * bytesPerExample, null, null));
            first += c;
        }
        if (first != n) {
            throw new IllegalArgumentException(dir.resolve("shards.json") + ": shards hold " + first
                    + " examples, but metadata.json says " + n);
        }
        CacheSource.ImageIndexSource images = shard -> {
            ShardFile s = shards.get(shard);
            return IntStream.range(0, s.nImages()).mapToObj(i -> new ImageRecord(s.firstImage() + i, "", -1)).toList();
        };
        Path labelsFile = ConfinedPaths.resolve(dir, LABELS, metaFile, "labels");
        CacheSource.PatchLabelSource labels = !Files.isRegularFile(labelsFile) ? null : new CacheSource.PatchLabelSource() {
            @Override
            public short[] shardLabels(int shard) throws IOException {
                long expected = Math.multiplyExact(n, (long) patches);
                long size = Files.size(labelsFile);
                if (size != expected) {
                    throw new IOException(labelsFile + ": expected " + expected + " bytes of uint8 labels [" + n + ", "
                            + patches + "], found " + size);
                }
                ShardFile s = shards.get(shard);
                short[] out = new short[Math.toIntExact(Math.multiplyExact((long) s.nImages(), patches))];
                try (var ch = java.nio.channels.FileChannel.open(labelsFile)) {
                    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(out.length);
                    long pos = s.firstImage() * patches;
                    while (buf.hasRemaining()) {
                        int r = ch.read(buf, pos + buf.position());
                        if (r < 0) {
                            throw new IOException(labelsFile + ": ends before the labels of shard " + shard);
                        }
                    }
                    for (int i = 0; i < out.length; i++) {
                        out[i] = (short) (buf.get(i) & 0xff);
                    }
                }
                return out;
            }

            @Override
            public List<String> classes() {
                return List.of();
            }

            @Override
            public int background() {
                return 0; // ADE20K's 0 = "other objects / background", as saev writes it
            }
        };
        return new CacheSource(dir, format, List.copyOf(layers), tokens, d, StorageDtype.F32, n, List.copyOf(shards),
                images, labels, null);
    }

    /**
     * The examples of each shard, from {@code shards.json} or from the shard size; each shard file is
     * looked up and its size compared with the metadata's before the next is counted, so declared
     * counts cannot make the list (or anything else) grow beyond the files that really exist.
     */
    private static List<Long> shardCounts(Path dir, long n, long perShard, long bytesPerExample, Path metaFile) {
        Path listFile = dir.resolve("shards.json");
        List<Long> counts = new ArrayList<>();
        if (Files.isRegularFile(listFile)) {
            JsonNode list;
            try {
                list = Json.mapper().readTree(Files.readAllBytes(listFile));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + listFile + ": " + e.getMessage(), e);
            }
            if (list == null || !list.isArray()) {
                throw new IllegalArgumentException(listFile + ": expected a JSON list of {name, n_examples}");
            }
            long sum = 0;
            for (int i = 0; i < list.size(); i++) {
                JsonNode e = list.get(i);
                String expectName = shardName(i);
                if (!e.path("name").asText("").equals(expectName) || !e.path("n_examples").canConvertToLong()
                        || e.path("n_examples").asLong() <= 0 || e.path("n_examples").asLong() > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(listFile + ": entry " + i + ": expected {\"name\": \"" + expectName
                            + "\", \"n_examples\": N}, got " + e);
                }
                long c = e.get("n_examples").asLong();
                sum += c;
                if (sum > n) {
                    throw new IllegalArgumentException(listFile + ": entry " + i + ": the shards so far hold " + sum
                            + " examples, more than the " + n + " of metadata.json");
                }
                checkShard(dir, i, c * bytesPerExample, listFile, "entry " + i + ".n_examples");
                counts.add(c);
            }
            return counts;
        }
        for (long left = n; left > 0; left -= perShard) {
            long c = Math.min(perShard, left);
            if (c > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(metaFile + ": shards of " + c + " examples; expected at most "
                        + Integer.MAX_VALUE + " per shard");
            }
            checkShard(dir, counts.size(), c * bytesPerExample, metaFile, "n_examples / the shard size");
            counts.add(c);
        }
        return counts;
    }

    /** Shard {@code i}'s file must exist inside {@code dir} with the size the metadata implies. */
    private static void checkShard(Path dir, int i, long bytes, Path declaredIn, String field) {
        Path f = ConfinedPaths.resolve(dir, shardName(i), declaredIn, "shard " + i);
        if (!Files.isRegularFile(f)) {
            throw new ShardFileProblem(f, "missing: " + declaredIn.getFileName() + " implies it", declaredIn + ": field '" + field
                    + "' implies a shard " + f.getFileName() + ", which is missing from " + dir);
        }
        NativeFormat.checkSize(f, bytes, declaredIn, field);
    }

    private static String shardName(int i) {
        return String.format("acts%06d.bin", i);
    }

    private static JsonNode field(JsonNode meta, String name, Path file) {
        JsonNode v = meta.get(name);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(file + ": field '" + name + "' is missing");
        }
        return v;
    }

    private static int intField(JsonNode meta, String name, Path file) {
        JsonNode v = field(meta, name, file);
        if (!v.isIntegralNumber() || v.asLong() <= 0 || v.asLong() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(file + ": field '" + name + "': expected a positive integer, got " + v);
        }
        return v.asInt();
    }

    private static long longField(JsonNode meta, String name, Path file) {
        JsonNode v = field(meta, name, file);
        if (!v.isIntegralNumber() || v.asLong() <= 0) {
            throw new IllegalArgumentException(file + ": field '" + name + "': expected a positive integer, got " + v);
        }
        return v.asLong();
    }

    private static boolean boolField(JsonNode meta, String name, Path file) {
        JsonNode v = field(meta, name, file);
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(file + ": field '" + name + "': expected true or false, got " + v);
        }
        return v.asBoolean();
    }

    private static String text(JsonNode meta, String name, Path file, String dflt) {
        JsonNode v = meta.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(file + ": field '" + name + "': expected a string, got " + v);
        }
        return v.asText();
    }

    private static List<Integer> intList(JsonNode meta, String name, Path file) {
        JsonNode v = field(meta, name, file);
        List<Integer> out = new ArrayList<>();
        if (v.isArray()) {
            for (JsonNode e : v) {
                if (!e.isIntegralNumber()) {
                    throw new IllegalArgumentException(file + ": field '" + name + "': expected integers, got " + v);
                }
                out.add(e.asInt());
            }
        } else if (v.isIntegralNumber()) {
            out.add(v.asInt());
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": field '" + name + "': expected a non-empty list of block indices, got " + v);
        }
        return out;
    }
}
