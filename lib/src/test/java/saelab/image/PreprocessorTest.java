package saelab.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batch and buffer APIs, thread safety, crop padding and the size checks of {@link Preprocessor}. */
class PreprocessorTest {

    @TempDir
    Path dir;

    private static PreprocessConfig config(ResizeRule resize, CenterCrop crop) {
        return new PreprocessConfig("test", "test", resize, ResampleFilter.BICUBIC, crop, true, 1 / 255.0, true,
                new double[] {0.5, 0.4, 0.3}, new double[] {0.2, 0.25, 0.3}, PixelArithmetic.NUMPY);
    }

    private static RgbImage random(int w, int h, long seed) {
        byte[] px = new byte[w * h * 3];
        new Random(seed).nextBytes(px);
        return new RgbImage(w, h, px);
    }

    @Test
    void batchesEqualSingleImagesInAnyThreading() throws IOException {
        Preprocessor pre = Preprocessor.load(Golden.path("preprocess", "dinov2"));
        List<RgbImage> images = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            images.add(random(200 + 37 * i, 300 - 20 * i, i));
        }
        PixelBatch seq = pre.batchImages(images, Parallelism.SEQUENTIAL);
        PixelBatch par = pre.batchImages(images, Parallelism.PARALLEL);
        assertArrayEquals(new long[] {6, 3, 224, 224}, seq.shape());
        assertArrayEquals(seq.values(), par.values());
        for (int i = 0; i < images.size(); i++) {
            assertArrayEquals(pre.apply(images.get(i)), seq.image(i), "image " + i);
            assertArrayEquals(pre.withResizeRows(Parallelism.PARALLEL).apply(images.get(i)), seq.image(i), "image " + i + ", rows in parallel");
        }
        ByteBuffer direct = seq.toDirectBuffer();
        assertTrue(direct.isDirect());
        assertEquals(seq.values()[12345], direct.order(ByteOrder.nativeOrder()).getFloat(12345 * 4));
    }

    @Test
    void applyIntoWritesAtTheOffsetOfADirectBuffer() throws IOException {
        Preprocessor pre = Preprocessor.load(Golden.path("preprocess", "siglip"));
        RgbImage img = random(123, 77, 3);
        int per = 3 * 224 * 224;
        FloatBuffer buf = ByteBuffer.allocateDirect(2 * per * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        ResizeRule.Size size = pre.applyInto(img, buf, per);
        assertEquals(new ResizeRule.Size(224, 224), size);
        float[] second = new float[per];
        buf.get(per, second);
        assertArrayEquals(pre.apply(img), second);
        assertEquals(0f, buf.get(0));
        assertThrows(IllegalArgumentException.class, () -> pre.applyInto(img, buf, per + 1));
        float[] arr = new float[per];
        pre.applyInto(img, arr, 0);
        assertArrayEquals(second, arr);
    }

    @Test
    void oneInstanceIsSafeToShareBetweenThreads() throws Exception {
        Preprocessor pre = Preprocessor.load(Golden.path("preprocess", "clip"));
        List<RgbImage> images = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            images.add(random(150 + 13 * i, 260 - 9 * i, 100 + i));
            expected.add(pre.apply(images.get(i)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> got = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                for (RgbImage img : images) {
                    got.add(pool.submit(() -> pre.apply(img)));
                }
            }
            for (int k = 0; k < got.size(); k++) {
                assertArrayEquals(expected.get(k % images.size()), got.get(k).get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void cropLargerThanTheImagePadsWithZerosOnEachRulesSide() {
        RgbImage img = new RgbImage(2, 1, new byte[] {(byte) 255, (byte) 255, (byte) 255, (byte) 255, (byte) 255, (byte) 255});
        // 2 columns into 5: HF pads ceil(3/2) = 2 zero columns first, torchvision floor(3/2) = 1.
        float[] hf = new Preprocessor(config(null, new CenterCrop(1, 5, CropRule.FLOOR))).apply(img);
        float[] tv = new Preprocessor(config(null, new CenterCrop(1, 5, CropRule.ROUND_HALF_EVEN))).apply(img);
        float zero = (0f - 0.5f) / 0.2f;
        float one = (1f - 0.5f) / 0.2f;
        assertArrayEquals(new float[] {zero, zero, one, one, zero}, Arrays.copyOf(hf, 5));
        assertArrayEquals(new float[] {zero, one, one, zero, zero}, Arrays.copyOf(tv, 5));
        assertEquals(-3, CropRule.FLOOR.offset(4, 10));
        assertEquals(-3, CropRule.ROUND_HALF_EVEN.offset(4, 10));
        assertEquals(18, CropRule.ROUND_HALF_EVEN.offset(259, 224)); // 17.5 -> 18 (even)
        assertEquals(17, CropRule.FLOOR.offset(259, 224));
        assertEquals(2, CropRule.ROUND_HALF_EVEN.offset(229, 224)); // 2.5 -> 2 (even)
    }

    @Test
    void shortestEdgeFollowsTheTruncationRule() {
        ResizeRule rule = new ResizeRule.ShortestEdge(224);
        assertEquals(new ResizeRule.Size(298, 224), rule.outputSize(640, 480));
        assertEquals(new ResizeRule.Size(298, 224), rule.outputSize(500, 375));
        assertEquals(new ResizeRule.Size(224, 359), rule.outputSize(200, 321));
        assertEquals(new ResizeRule.Size(224, 224), rule.outputSize(50, 50));
    }

    @Test
    void unequalOutputSizesCannotShareABatch() throws IOException {
        Preprocessor noCrop = new Preprocessor(config(new ResizeRule.ShortestEdge(16), null));
        Path a = dir.resolve("a.png");
        Path b = dir.resolve("b.png");
        ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_3BYTE_BGR), "png", a.toFile());
        ImageIO.write(new BufferedImage(32, 48, BufferedImage.TYPE_3BYTE_BGR), "png", b.toFile());
        assertArrayEquals(new long[] {2, 3, 16, 16}, noCrop.batch(List.of(a, a)).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> noCrop.batch(List.of(a, b), Parallelism.PARALLEL));
        assertTrue(e.getMessage().contains(b.toString()), e.getMessage());
        Path missing = dir.resolve("missing.png");
        NoSuchFileException e2 = assertThrows(NoSuchFileException.class, () -> noCrop.batch(List.of(a, missing), Parallelism.PARALLEL));
        assertTrue(e2.getMessage().contains(missing.toString()));
        assertEquals(0, noCrop.batch(List.of()).batch());
        assertTrue(Files.exists(a));
    }
}
