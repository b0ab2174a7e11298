package saelab.store;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import saelab.io.Json;

/**
 * Writes activation caches the way saev (the paper's Python tool) lays them out, in both of its
 * generations: {@code metadata.json}, raw
 * little-endian float32 shards {@code acts%06d.bin} in [example, layer, token, dim] order with
 * {@code examples_per_shard = max_tokens_per_shard // (tokens_per_example * n_layers)}, the
 * current era's {@code shards.json}, and {@code labels.bin} (uint8 [examples, patches]).
 */
final class SaevFixture {

    /**
     * The contents of a cache.
     *
     * @param layers  block indices
     * @param patches content (patch) tokens per example
     * @param cls     whether token 0 is the class token
     * @param d       width
     * @param acts    per example [layers, tokens, d], tokens = patches + (cls ? 1 : 0)
     * @param labels  [examples, patches] uint8, or null
     */
    record Data(List<Integer> layers, int patches, boolean cls, int d, float[][] acts, byte[] labels) {
        int tokens() {
            return patches + (cls ? 1 : 0);
        }

        int n() {
            return acts.length;
        }

        float value(int example, int slot, int token, int dim) {
            return acts[example][(slot * tokens() + token) * d + dim];
        }

        /** The label of patch p of an example, as an unsigned value. */
        int label(int example, int p) {
            return labels[example * patches + p] & 0xff;
        }
    }

    /** Whether each example starts with a class token before its patches. */
    enum ClassToken { FIRST, NONE }

    /** Whether the fixture has per-patch labels ({@code labels.bin}). */
    enum PatchLabels { RANDOM, NONE }

    private SaevFixture() {}

    /** Random activations; with {@link PatchLabels#RANDOM}, labels from 0 to 200 (so some need all 8 bits), 0 about a quarter of the time. */
    static Data random(long seed, List<Integer> layers, int patches, ClassToken classToken, int d, int n, PatchLabels patchLabels) {
        boolean cls = classToken == ClassToken.FIRST;
        SplittableRandom rng = new SplittableRandom(seed);
        int tokens = patches + (cls ? 1 : 0);
        float[][] acts = new float[n][layers.size() * tokens * d];
        for (float[] a : acts) {
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) rng.nextGaussian(0, 3);
            }
        }
        byte[] labels = null;
        if (patchLabels == PatchLabels.RANDOM) {
            labels = new byte[n * patches];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = (byte) (rng.nextInt(4) == 0 ? 0 : 1 + rng.nextInt(200));
            }
        }
        return new Data(List.copyOf(layers), patches, cls, d, acts, labels);
    }

    /** The largest shard token budget that still holds exactly {@code perShard} examples. */
    static long tokenBudget(int tokensPerExample, int nLayers, int perShard) {
        long unit = (long) tokensPerExample * nLayers;
        return perShard * unit + unit - 1;
    }

    /** A protocol "2.1" cache; returns the examples per shard the metadata implies. */
    static int writeCurrent(Path dir, Data data, int perShard) throws IOException {
        Files.createDirectories(dir);
        long maxTokens = tokenBudget(data.tokens(), data.layers().size(), perShard);
        ObjectNode meta = Json.mapper().createObjectNode();
        meta.put("family", "dinov2");
        meta.put("ckpt", "dinov2_vitb14_reg");
        ArrayNode layers = meta.putArray("layers");
        data.layers().forEach(layers::add);
        meta.put("content_tokens_per_example", data.patches());
        meta.put("cls_token", data.cls());
        meta.put("d_model", data.d());
        meta.put("n_examples", data.n());
        meta.put("max_tokens_per_shard", maxTokens);
        meta.put("data", "gASVHQAAAAAAAACMCHNhZXYuZGF0YZSMBUFERTIwlJOUKYGULg==");
        meta.put("dataset", "/data/ADEChallengeData2016");
        meta.put("pixel_agg", "majority");
        meta.put("dtype", "float32");
        meta.put("protocol", "2.1");
        Json.mapper().writeValue(dir.resolve("metadata.json").toFile(), meta);

        int examplesPerShard = (int) (maxTokens / ((long) data.tokens() * data.layers().size()));
        int shards = writeShards(dir, data, examplesPerShard);
        ArrayNode list = Json.mapper().createArrayNode();
        for (int s = 0; s < shards; s++) {
            ObjectNode e = list.addObject();
            e.put("name", String.format("acts%06d.bin", s));
            e.put("n_examples", Math.min(examplesPerShard, data.n() - s * examplesPerShard));
        }
        Json.mapper().writeValue(dir.resolve("shards.json").toFile(), list);
        writeLabels(dir, data);
        return examplesPerShard;
    }

    /** A paper-era cache (CLS always stored: n_patches_per_img + 1 tokens); returns the images per shard. */
    static int writePaper(Path dir, Data data, int perShard) throws IOException {
        if (!data.cls()) {
            throw new IllegalArgumentException("paper-era caches always store the class token");
        }
        Files.createDirectories(dir);
        long patchesPerShard = tokenBudget(data.patches() + 1, data.layers().size(), perShard);
        ObjectNode meta = Json.mapper().createObjectNode();
        meta.put("model_family", "clip");
        meta.put("model_ckpt", "ViT-B-16/openai");
        ArrayNode layers = meta.putArray("layers");
        data.layers().forEach(layers::add);
        meta.put("n_patches_per_img", data.patches());
        meta.put("cls_token", true);
        meta.put("d_vit", data.d());
        meta.put("seed", 42);
        meta.put("n_imgs", data.n());
        meta.put("n_patches_per_shard", patchesPerShard);
        meta.put("data", "ImageFolderDataset(root='/data/imagenet/train')");
        Json.mapper().writeValue(dir.resolve("metadata.json").toFile(), meta);

        int imgsPerShard = (int) (patchesPerShard / ((long) data.layers().size() * (data.patches() + 1)));
        writeShards(dir, data, imgsPerShard);
        writeLabels(dir, data);
        return imgsPerShard;
    }

    private static int writeShards(Path dir, Data data, int perShard) throws IOException {
        int shards = 0;
        for (int first = 0; first < data.n(); first += perShard, shards++) {
            int count = Math.min(perShard, data.n() - first);
            int values = data.layers().size() * data.tokens() * data.d();
            ByteBuffer buf = ByteBuffer.allocate(count * values * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int e = first; e < first + count; e++) {
                for (float v : data.acts()[e]) {
                    buf.putFloat(v);
                }
            }
            Files.write(dir.resolve(String.format("acts%06d.bin", shards)), buf.array());
        }
        return shards;
    }

    private static void writeLabels(Path dir, Data data) throws IOException {
        if (data.labels() != null) {
            Files.write(dir.resolve("labels.bin"), data.labels());
        }
    }
}
