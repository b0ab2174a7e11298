package saelab.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading Hugging Face and open_clip preprocessing configs: fields, family defaults and errors. */
class PreprocessConfigsTest {

    private static final double[] OPENAI_MEAN = {0.48145466, 0.4578275, 0.40821073};
    private static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};

    @TempDir
    Path dir;

    @Test
    void readsTheHuggingFaceFixtures() throws IOException {
        PreprocessConfig clip = PreprocessConfigs.read(Golden.path("preprocess", "clip"));
        assertEquals("CLIPImageProcessor", clip.processorType());
        assertEquals(new ResizeRule.ShortestEdge(224), clip.resize());
        assertEquals(new CenterCrop(224, 224, CropRule.FLOOR), clip.crop());
        assertEquals(ResampleFilter.BICUBIC, clip.filter());
        assertArrayEquals(OPENAI_MEAN, clip.mean());
        assertEquals(PixelArithmetic.NUMPY, clip.arithmetic());

        PreprocessConfig dino = PreprocessConfigs.read(Golden.path("preprocess", "dinov2"));
        assertEquals("BitImageProcessor", dino.processorType());
        assertEquals(new ResizeRule.ShortestEdge(256), dino.resize());
        assertEquals(new CenterCrop(224, 224, CropRule.FLOOR), dino.crop());
        assertArrayEquals(IMAGENET_MEAN, dino.mean());
        assertArrayEquals(new double[] {0.229, 0.224, 0.225}, dino.std());

        PreprocessConfig siglip = PreprocessConfigs.read(Golden.path("preprocess", "siglip"));
        assertEquals(new ResizeRule.Fixed(224, 224), siglip.resize());
        assertNull(siglip.crop());
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, siglip.std());
        assertEquals(new ResizeRule.Size(224, 224), siglip.fixedOutputSize());
    }

    @Test
    void readsOpenClipWithTorchvisionRounding() throws IOException {
        PreprocessConfig oc = PreprocessConfigs.read(Golden.path("preprocess", "open_clip", "preprocess_cfg.json"));
        assertEquals("open_clip", oc.processorType());
        assertEquals(new ResizeRule.ShortestEdge(224), oc.resize());
        assertEquals(new CenterCrop(224, 224, CropRule.ROUND_HALF_EVEN), oc.crop());
        assertEquals(PixelArithmetic.TORCHVISION, oc.arithmetic());
        // The BioCLIP hub layout: open_clip_config.json, size from model_cfg.vision_cfg.image_size.
        PreprocessConfig bioclip = PreprocessConfigs.read(Golden.path("bioclip"));
        assertEquals(new ResizeRule.ShortestEdge(32), bioclip.resize());
        assertEquals(new CenterCrop(32, 32, CropRule.ROUND_HALF_EVEN), bioclip.crop());
        assertArrayEquals(OPENAI_MEAN, bioclip.mean());
    }

    private Path hf(String json) throws IOException {
        Path d = Files.createDirectories(dir.resolve("m" + System.nanoTime()));
        Files.writeString(d.resolve(PreprocessConfigs.HF_FILE), json);
        return d;
    }

    private Path openClip(String json) throws IOException {
        Path d = Files.createDirectories(dir.resolve("oc" + System.nanoTime()));
        Files.writeString(d.resolve(PreprocessConfigs.OPEN_CLIP_FILE), json);
        return d;
    }

    @Test
    void absentFieldsTakeTheClassDefaultsOfTransformers() throws IOException {
        PreprocessConfig bit = PreprocessConfigs.read(hf("{\"image_processor_type\": \"BitImageProcessor\"}"));
        assertEquals(new ResizeRule.ShortestEdge(224), bit.resize());
        assertEquals(new CenterCrop(224, 224, CropRule.FLOOR), bit.crop());
        assertArrayEquals(OPENAI_MEAN, bit.mean(), "BitImageProcessor's own default is OpenAI's mean, not ImageNet's");
        assertTrue(bit.rescale() && bit.normalize());
        assertEquals(1 / 255.0, bit.rescaleFactor());
        PreprocessConfig sig = PreprocessConfigs.read(hf("{\"image_processor_type\": \"SiglipImageProcessor\", \"size\": 384}"));
        assertEquals(new ResizeRule.Fixed(384, 384), sig.resize());
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, sig.mean());
        // Legacy CLIP configs: feature_extractor_type and integer sizes.
        PreprocessConfig legacy = PreprocessConfigs.read(hf("{\"feature_extractor_type\": \"CLIPFeatureExtractor\", \"size\": 336,"
                + " \"crop_size\": 336, \"do_center_crop\": true, \"resample\": 3}"));
        assertEquals(new ResizeRule.ShortestEdge(336), legacy.resize());
        assertEquals(new CenterCrop(336, 336, CropRule.FLOOR), legacy.crop());
        PreprocessConfig off = PreprocessConfigs.read(hf("{\"image_processor_type\": \"CLIPImageProcessor\", \"do_resize\": false,"
                + " \"do_center_crop\": false, \"do_normalize\": false, \"resample\": 2, \"processor_class\": \"CLIPProcessor\"}"));
        assertNull(off.resize());
        assertNull(off.crop());
        assertFalse(off.normalize());
        assertEquals(ResampleFilter.BILINEAR, off.filter());
        PreprocessConfig oc = PreprocessConfigs.read(openClip("{\"model_cfg\": {\"vision_cfg\": {\"image_size\": 336}}}"));
        assertEquals(new ResizeRule.ShortestEdge(336), oc.resize());
        PreprocessConfig squash = PreprocessConfigs.read(openClip("{\"preprocess_cfg\": {\"size\": [240, 320], \"resize_mode\": \"squash\","
                + " \"interpolation\": \"bilinear\"}}"));
        assertEquals(new ResizeRule.Fixed(240, 320), squash.resize());
        assertNull(squash.crop());
    }

    /** Each bad field gives an IllegalArgumentException that names the file and the field. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"image_processor_type\": \"ViTImageProcessor\"}|image_processor_type",
            "{\"size\": {\"shortest_edge\": 224}}|image_processor_type",
            "{\"image_processor_type\": \"CLIPImageProcessor\", \"resample\": 1}|resample",
            "{\"image_processor_type\": \"CLIPImageProcessor\", \"resample\": \"bicubic\"}|resample",
            "{\"image_processor_type\": \"CLIPImageProcessor\", \"size\": {\"longest_edge\": 224}}|size",
            "{\"image_processor_type\": \"CLIPImageProcessor\", \"size\": {\"shortest_edge\": -3}}|size.shortest_edge",
            "{\"image_processor_type\": \"CLIPImageProcessor\", \"crop_size\": {\"height\": 224}}|crop_size",
            "{\"image_processor_type\": \"CLIPImageProcessor\", \"do_resize\": \"yes\"}|do_resize",
            "{\"image_processor_type\": \"CLIPImageProcessor\", \"image_mean\": [0.5, 0.5]}|image_mean",
            "{\"image_processor_type\": \"CLIPImageProcessor\", \"image_std\": [0.5, 0, 0.5]}|image_std",
            "{\"image_processor_type\": \"CLIPImageProcessor\", \"rescale_factor\": 0}|rescale_factor",
            "{\"image_processor_type\": \"SiglipImageProcessor\", \"size\": {\"shortest_edge\": 224}}|size",
    })
    void badHuggingFaceFieldsAreNamed(String json, String field) throws IOException {
        Path d = hf(json);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PreprocessConfigs.read(d));
        assertTrue(e.getMessage().contains(d.resolve(PreprocessConfigs.HF_FILE).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("'" + field + "'"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"preprocess_cfg\": {\"resize_mode\": \"longest\"}}|preprocess_cfg.resize_mode",
            "{\"preprocess_cfg\": {\"interpolation\": \"lanczos\"}}|preprocess_cfg.interpolation",
            "{\"preprocess_cfg\": {\"size\": \"big\"}}|preprocess_cfg.size",
            "{\"preprocess_cfg\": {\"size\": [224, 256]}}|preprocess_cfg.size",
            "{\"preprocess_cfg\": {\"mean\": [1, 2, 3, 4]}}|preprocess_cfg.mean",
            "{\"preprocess_cfg\": {\"mode\": \"L\"}}|preprocess_cfg.mode",
            "{\"preprocess_cfg\": [1]}|preprocess_cfg",
            "{\"model_cfg\": {\"vision_cfg\": {\"image_size\": 0}}}|model_cfg.vision_cfg.image_size",
    })
    void badOpenClipFieldsAreNamed(String json, String field) throws IOException {
        Path d = openClip(json);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PreprocessConfigs.read(d));
        assertTrue(e.getMessage().contains(d.resolve(PreprocessConfigs.OPEN_CLIP_FILE).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("'" + field + "'"), e.getMessage());
    }

    @Test
    void missingFoldersFilesAndBrokenJson() throws IOException {
        Path missing = dir.resolve("no-such-model");
        NoSuchFileException e1 = assertThrows(NoSuchFileException.class, () -> PreprocessConfigs.read(missing));
        assertTrue(e1.getMessage().contains(missing.toString()), e1.getMessage());
        Path empty = Files.createDirectories(dir.resolve("empty-model"));
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> PreprocessConfigs.read(empty));
        assertTrue(e2.getMessage().contains(PreprocessConfigs.HF_FILE) && e2.getMessage().contains(PreprocessConfigs.OPEN_CLIP_FILE),
                e2.getMessage());
        Path broken = hf("{\"image_processor_type\": \"CLIPImageProcessor\",");
        IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class, () -> PreprocessConfigs.read(broken));
        assertTrue(e3.getMessage().contains("not valid JSON"), e3.getMessage());
        Path array = hf("[1, 2]");
        assertThrows(IllegalArgumentException.class, () -> PreprocessConfigs.read(array));
    }
}
