package saelab.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import saelab.io.Json;

/**
 * The whole pipeline against the reference processors' outputs in {@code golden/preprocess/}:
 * HF CLIPImageProcessor, BitImageProcessor (DINOv2), SiglipImageProcessor and open_clip's
 * torchvision transform, on two PNGs and one JPEG.
 */
class PreprocessGoldenTest {

    /** Largest allowed difference of a pixel value from the reference (the README's float64 recompute is within 4e-7). */
    private static final double PIXEL_TOL = 1e-6;

    /** The fixture's processor: a HF folder, or open_clip's {@code preprocess_cfg.json} read as a file. */
    private static Preprocessor processor(String name) throws IOException {
        return Preprocessor.load(name.equals("open_clip") ? Golden.path("preprocess", name, "preprocess_cfg.json") : Golden.path("preprocess", name));
    }

    private static Map<String, Golden.Tensor> reference(String name, int image) throws IOException {
        return Golden.read(Golden.path("preprocess", name, "image" + image + ".safetensors"));
    }

    /** The PNGs decode to exactly the reference's RGB. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void pngsDecodeExactly(int image) throws IOException {
        RgbImage java = ImageDecoder.decode(Golden.imageFile(image));
        RgbImage ref = Golden.decodedRgb(image);
        assertEquals(ref.width(), java.width());
        assertEquals(ref.height(), java.height());
        assertArrayEquals(ref.pixels(), java.pixels());
    }

    /**
     * The uint8 resize output is identical to the processor's (PNGs decoded here; the JPEG from the
     * reference's decoded RGB, so the check does not depend on the JPEG decoder).
     */
    @ParameterizedTest
    @CsvSource({"clip,0", "clip,1", "clip,2", "dinov2,0", "dinov2,1", "dinov2,2", "siglip,0", "siglip,1", "siglip,2"})
    void resizedUint8IsIdentical(String name, int image) throws IOException {
        RgbImage input = image == 2 ? Golden.decodedRgb(2) : ImageDecoder.decode(Golden.imageFile(image));
        Golden.Tensor ref = reference(name, image).get("resized_u8");
        RgbImage resized = processor(name).resize(input);
        assertEquals(ref.shape()[0], resized.height(), "height");
        assertEquals(ref.shape()[1], resized.width(), "width");
        assertArrayEquals(ref.u8(), resized.pixels(), name + " image" + image);
    }

    /** pixel_values within 1e-6 of the reference for every processor and image. */
    @ParameterizedTest
    @CsvSource({"clip,0", "clip,1", "clip,2", "dinov2,0", "dinov2,1", "dinov2,2", "siglip,0", "siglip,1", "siglip,2",
            "open_clip,0", "open_clip,1", "open_clip,2"})
    void pixelValuesMatch(String name, int image) throws IOException {
        RgbImage input = image == 2 ? Golden.decodedRgb(2) : ImageDecoder.decode(Golden.imageFile(image));
        Golden.Tensor ref = reference(name, image).get("pixel_values");
        assertArrayEquals(new long[] {1, 3, 224, 224}, ref.shape());
        float[] got = processor(name).apply(input);
        double diff = Golden.maxAbsDiff(ref.f32(), got);
        System.out.printf("%s image%d: pixel_values max |diff| %.3g%n", name, image, diff);
        assertTrue(diff <= PIXEL_TOL, name + " image" + image + ": max |diff| " + diff);
        // Stronger than asked: the reference's float32 arithmetic is reproduced, so the values are identical.
        assertArrayEquals(ref.f32(), got, name + " image" + image + " bit for bit");
    }

    /** The resize and crop geometry recorded by the generator. */
    @ParameterizedTest
    @CsvSource({"clip,0", "clip,1", "clip,2", "dinov2,0", "dinov2,1", "dinov2,2", "siglip,0", "siglip,1", "siglip,2",
            "open_clip,0", "open_clip,1", "open_clip,2"})
    void geometryMatchesGenInfo(String name, int image) throws IOException {
        JsonNode info = Json.mapper().readTree(Golden.path("preprocess", "_gen_info.json").toFile()).get(name + ".image" + image);
        RgbImage input = Golden.decodedRgb(image);
        PreprocessConfig cfg = processor(name).config();
        ResizeRule.Size resized = cfg.resize().outputSize(input.width(), input.height());
        assertEquals(info.get("resized_hw").get(0).asInt(), resized.height());
        assertEquals(info.get("resized_hw").get(1).asInt(), resized.width());
        int top = cfg.crop() == null ? 0 : cfg.crop().top(resized.height());
        int left = cfg.crop() == null ? 0 : cfg.crop().left(resized.width());
        assertEquals(info.get("crop_top_left").get(0).asInt(), top);
        assertEquals(info.get("crop_top_left").get(1).asInt(), left);
    }

    /**
     * The JPEG decoded by Java (ImageIO + TwelveMonkeys) against the reference's libjpeg decode:
     * within 2 levels per sample; the maximum and the share of differing samples are printed.
     */
    @Test
    void jpegDecodesWithinTwoLevels() throws IOException {
        RgbImage java = ImageDecoder.decode(Golden.imageFile(2));
        RgbImage ref = Golden.decodedRgb(2);
        assertEquals(500, java.width());
        assertEquals(375, java.height());
        int max = 0;
        int differing = 0;
        for (int i = 0; i < ref.pixels().length; i++) {
            int d = Math.abs((java.pixels()[i] & 0xFF) - (ref.pixels()[i] & 0xFF));
            max = Math.max(max, d);
            differing += d == 0 ? 0 : 1;
        }
        System.out.printf("JPEG decode vs reference: max |diff| %d levels, %.2f%% of samples differ%n", max,
                100.0 * differing / ref.pixels().length);
        assertTrue(max <= 2, "max |diff| " + max + " levels");
        // Through the whole CLIP pipeline the difference stays below 2 levels / 255 / min std.
        float[] got = processor("clip").apply(java);
        double diff = Golden.maxAbsDiff(reference("clip", 2).get("pixel_values").f32(), got);
        System.out.printf("JPEG through CLIP preprocessing: max |diff| %.4f%n", diff);
        assertTrue(diff <= 2 / 255.0 / 0.26130258 + 1e-6, "pixel_values max |diff| " + diff);
    }

    /**
     * image1 resizes to 224x359 (H - 224 = 135, 3 mod 4): the HF floor rule starts the crop at row
     * 67, torchvision's round-half-even at 68; otherwise the two pipelines agree.
     */
    @Test
    void cropRulesDifferByOneRowOnImage1() throws IOException {
        assertEquals(67, CropRule.FLOOR.offset(359, 224));
        assertEquals(68, CropRule.ROUND_HALF_EVEN.offset(359, 224));
        RgbImage input = ImageDecoder.decode(Golden.imageFile(1));
        float[] hf = processor("clip").apply(input);
        float[] tv = processor("open_clip").apply(input);
        assertNotEquals(0.0, Golden.maxAbsDiff(hf, tv));
        double shifted = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 223; y++) {
                for (int x = 0; x < 224; x++) {
                    shifted = Math.max(shifted, Math.abs(hf[(c * 224 + y + 1) * 224 + x] - tv[(c * 224 + y) * 224 + x]));
                }
            }
        }
        assertTrue(shifted <= 1e-6, "HF row y+1 is torchvision row y: " + shifted);
        Golden.Tensor clipRef = reference("clip", 1).get("pixel_values");
        Golden.Tensor ocRef = reference("open_clip", 1).get("pixel_values");
        assertTrue(Golden.maxAbsDiff(clipRef.f32(), hf) <= PIXEL_TOL);
        assertTrue(Golden.maxAbsDiff(ocRef.f32(), tv) <= PIXEL_TOL);
    }

    /** The open_clip fixture's resize is byte-identical to CLIP's (README), so the same resize serves both. */
    @Test
    void openClipResizeEqualsClipResize() throws IOException {
        for (int i = 0; i < 3; i++) {
            RgbImage input = Golden.decodedRgb(i);
            assertArrayEquals(reference("clip", i).get("resized_u8").u8(), processor("open_clip").resize(input).pixels());
        }
    }

    /** The same pipeline through the file API and the batch API gives the same values. */
    @Test
    void batchOfPngsMatchesReferences() throws IOException {
        Preprocessor clip = processor("clip");
        PixelBatch batch = clip.batch(java.util.List.of(Golden.imageFile(0), Golden.imageFile(1)), Parallelism.PARALLEL);
        assertArrayEquals(new long[] {2, 3, 224, 224}, batch.shape());
        for (int i = 0; i < 2; i++) {
            double diff = Golden.maxAbsDiff(reference("clip", i).get("pixel_values").f32(), batch.image(i));
            assertTrue(diff <= PIXEL_TOL, "image " + i + ": " + diff);
        }
    }
}
