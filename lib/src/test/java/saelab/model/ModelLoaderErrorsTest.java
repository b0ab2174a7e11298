package saelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Safetensors;

/**
 * Weight loading beyond the happy path: sharded checkpoints and {@code module.}-prefixed names load
 * the same model; an unknown {@code model_type}, a missing config, a missing tensor, a wrong shape,
 * a field of the wrong type and an open_clip folder without its weights give errors that name the
 * file, the tensor or field, and what was expected.
 */
class ModelLoaderErrorsTest {

    @TempDir
    Path tmp;

    /** A copy of fixture {@code name} (config and weights only). */
    private Path copy(String name) throws IOException {
        Path dst = Files.createDirectories(tmp.resolve(name));
        try (Stream<Path> files = Files.list(Golden.dir(name))) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (n.endsWith("config.json") || n.endsWith("model.safetensors")) {
                    Files.copy(f, dst.resolve(n));
                }
            }
        }
        return dst;
    }

    private static Map<String, Safetensors.Tensor> weights(Path file) throws IOException {
        return new LinkedHashMap<>(Safetensors.read(file).tensors());
    }

    private static IllegalArgumentException fails(Path dir) {
        return assertThrows(IllegalArgumentException.class, () -> ModelLoader.load(dir).close());
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
        }
    }

    private static float[] pooled(Path dir, String fixture) throws IOException {
        try (LoadedModel m = ModelLoader.load(dir);
             NDManager nd = NDManager.newBaseManager();
             MappedSafetensors in = MappedSafetensors.open(Golden.dir(fixture).resolve("inputs.safetensors"))) {
            NDArray px = in.load("pixel_values", nd);
            return m.vision().forward(px).pooled().toFloatArray();
        }
    }

    @Test
    void unknownModelTypeNamesConfigAndType() throws IOException {
        Path d = copy("clip");
        Path cfg = d.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replace("\"model_type\": \"clip\"", "\"model_type\": \"vit_mae\""));
        assertMentions(fails(d), cfg.toString(), "vit_mae", "dinov2");
        Files.writeString(cfg, Files.readString(cfg).replace("\"model_type\": \"vit_mae\",", ""));
        assertMentions(fails(d), cfg.toString(), "model_type", "missing");
    }

    @Test
    void missingConfigAndMissingWeightsNameTheFolder() throws IOException {
        Path d = copy("dinov2");
        Files.delete(d.resolve("config.json"));
        assertMentions(fails(d), d.toString(), "config.json", "open_clip_config.json");
        Path e = copy("dinov2_registers");
        Files.delete(e.resolve("model.safetensors"));
        assertMentions(fails(e), e.toString(), "model.safetensors");
        Path b = copy("bioclip");
        Files.delete(b.resolve("open_clip_model.safetensors"));
        assertMentions(fails(b), b.toString(), "open_clip_model.safetensors");
        assertMentions(fails(tmp.resolve("nowhere")), "nowhere", "does not exist");
    }

    @Test
    void missingTensorNamesFileAndTensor() throws IOException {
        Path d = copy("siglip");
        Path file = d.resolve("model.safetensors");
        Map<String, Safetensors.Tensor> w = weights(file);
        w.remove("vision_model.head.probe");
        Safetensors.write(file, w, Map.of());
        assertMentions(fails(d), file.toString(), "'vision_model.head.probe'", "missing");
    }

    @Test
    void wrongShapeNamesFileTensorAndBothShapes() throws IOException {
        Path d = copy("dinov2");
        Path file = d.resolve("model.safetensors");
        Map<String, Safetensors.Tensor> w = weights(file);
        w.put("encoder.layer.1.mlp.fc1.weight", new Safetensors.Tensor(new long[] {32, 128}, new float[32 * 128]));
        Safetensors.write(file, w, Map.of());
        assertMentions(fails(d), file.toString(), "'encoder.layer.1.mlp.fc1.weight'", "[32, 128]", "[128, 32]");

        Path c = copy("clip");
        Path cf = c.resolve("model.safetensors");
        Map<String, Safetensors.Tensor> cw = weights(cf);
        cw.put("vision_model.embeddings.position_embedding.weight", new Safetensors.Tensor(new long[] {18, 32}, new float[18 * 32]));
        Safetensors.write(cf, cw, Map.of());
        assertMentions(fails(c), cf.toString(), "position_embedding", "[18, 32]", "M*M");
    }

    @Test
    void fieldOfTheWrongTypeNamesFileAndField() throws IOException {
        Path d = copy("clip");
        Path cfg = d.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replace("\"patch_size\": 8", "\"patch_size\": \"eight\""));
        assertMentions(fails(d), cfg.toString(), "vision_config.patch_size", "integer");
        Path o = copy("bioclip");
        Path ocfg = o.resolve("open_clip_config.json");
        Files.writeString(ocfg, Files.readString(ocfg).replace("\"quick_gelu\": true,", "\"quick_gelu\": true, \"text_cfg_x\": 1,")
                .replace("\"patch_size\": 8", "\"patch_size\": 8, \"attentional_pool\": true"));
        assertMentions(fails(o), ocfg.toString(), "vision_cfg.attentional_pool", "not supported");
    }

    @Test
    void shardedCheckpointLoadsTheSameModel() throws IOException {
        Path d = copy("dinov2");
        Path single = d.resolve("model.safetensors");
        Map<String, Safetensors.Tensor> w = weights(single);
        Map<String, Safetensors.Tensor> a = new LinkedHashMap<>();
        Map<String, Safetensors.Tensor> b = new LinkedHashMap<>();
        StringBuilder map = new StringBuilder();
        for (Map.Entry<String, Safetensors.Tensor> e : w.entrySet()) {
            boolean first = e.getKey().startsWith("embeddings") || e.getKey().startsWith("encoder.layer.0");
            (first ? a : b).put(e.getKey(), e.getValue());
            map.append(map.isEmpty() ? "" : ",").append('"').append(e.getKey()).append("\":\"model-0000")
                    .append(first ? 1 : 2).append("-of-00002.safetensors\"");
        }
        Safetensors.write(d.resolve("model-00001-of-00002.safetensors"), a, Map.of("format", "pt"));
        Safetensors.write(d.resolve("model-00002-of-00002.safetensors"), b, Map.of("format", "pt"));
        Files.writeString(d.resolve("model.safetensors.index.json"), "{\"metadata\":{\"total_size\":1},\"weight_map\":{" + map + "}}");
        float[] want = pooled(Golden.dir("dinov2"), "dinov2");
        Files.delete(single);
        assertArrayEquals(want, pooled(d, "dinov2"));

        // an index that points a tensor at the wrong shard
        Files.writeString(d.resolve("model.safetensors.index.json"),
                "{\"weight_map\":{\"layernorm.weight\":\"model-00001-of-00002.safetensors\"}}");
        assertMentions(fails(d), "model.safetensors.index.json", "'layernorm.weight'", "model-00001-of-00002.safetensors");
    }

    @Test
    void modulePrefixIsStripped() throws IOException {
        Path d = copy("bioclip");
        Path file = d.resolve("open_clip_model.safetensors");
        Map<String, Safetensors.Tensor> prefixed = new LinkedHashMap<>();
        weights(file).forEach((k, v) -> prefixed.put("module." + k, v));
        Safetensors.write(file, prefixed, Map.of());
        assertArrayEquals(pooled(Golden.dir("bioclip"), "bioclip"), pooled(d, "bioclip"));
    }

    @Test
    void halfPrecisionNeedsAGpu() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LoadOptions(ai.djl.Device.cpu(), ai.djl.ndarray.types.DataType.FLOAT16, null));
        assertMentions(e, "GPU");
        assertEquals(PosInterpolation.ANTIALIAS, LoadOptions.defaults().interpolationFor(ModelFamily.DINOV2_REGISTERS));
        assertEquals(PosInterpolation.SIZE, LoadOptions.defaults().interpolationFor(ModelFamily.DINOV2));
    }
}
