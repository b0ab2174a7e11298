package saelab.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File selection and shard indexes. */
class ModelFilesTest {

    @TempDir
    Path tmp;

    static final List<String> CLIP = List.of("README.md", "config.json", "merges.txt", "model.safetensors", "preprocessor_config.json",
            "pytorch_model.bin", "special_tokens_map.json", "tf_model.h5", "tokenizer.json", "tokenizer_config.json", "vocab.json",
            "onnx/model.onnx");

    @Test
    void theDefaultSetTakesWhatTheLoadersRead() {
        assertEquals(List.of("config.json", "merges.txt", "model.safetensors", "preprocessor_config.json", "special_tokens_map.json",
                "tokenizer.json", "tokenizer_config.json", "vocab.json"), ModelFiles.select(CLIP, ModelFiles.DEFAULT));
        assertEquals(List.of("open_clip_config.json", "open_clip_model.safetensors"), ModelFiles.select(
                List.of("open_clip_config.json", "open_clip_model.safetensors", "open_clip_pytorch_model.bin"), ModelFiles.DEFAULT));
    }

    @Test
    void globs() {
        assertEquals(List.of("config.json", "preprocessor_config.json", "special_tokens_map.json", "tokenizer.json",
                "tokenizer_config.json", "vocab.json"), ModelFiles.select(CLIP, List.of("*.json")));
        assertEquals(List.of("onnx/model.onnx"), ModelFiles.select(CLIP, List.of("**.onnx")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFiles.select(CLIP, List.of("[")));
        assertTrue(e.getMessage().contains("'['"), e.getMessage());
    }

    @Test
    void shardsComeFromTheWeightMap() throws IOException {
        Path index = tmp.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"metadata\":{\"total_size\":8},\"weight_map\":{\"a\":\"model-00002-of-00002.safetensors\","
                + "\"b\":\"model-00001-of-00002.safetensors\",\"c\":\"model-00001-of-00002.safetensors\"}}");
        assertEquals(List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"), ModelFiles.shardsOf(index, "model.safetensors.index.json"));
        assertEquals(List.of("sub/model-00001-of-00002.safetensors", "sub/model-00002-of-00002.safetensors"),
                ModelFiles.shardsOf(index, "sub/model.safetensors.index.json"));
        assertTrue(ModelFiles.isShardIndex("model.safetensors.index.json"));

        Files.writeString(index, "{\"metadata\":{}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFiles.shardsOf(index, "x.safetensors.index.json"));
        assertTrue(e.getMessage().contains(index.toString()) && e.getMessage().contains("weight_map"), e.getMessage());

        Files.writeString(index, "{\"weight_map\":{\"a\":\"../../../etc/passwd\"}}");
        e = assertThrows(IllegalArgumentException.class, () -> ModelFiles.shardsOf(index, "x.safetensors.index.json"));
        assertTrue(e.getMessage().contains("weight_map.a"), e.getMessage());

        Files.writeString(index, "{\"weight_map\":");
        e = assertThrows(IllegalArgumentException.class, () -> ModelFiles.shardsOf(index, "x.safetensors.index.json"));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }
}
