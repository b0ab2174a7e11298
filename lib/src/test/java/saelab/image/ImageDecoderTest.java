package saelab.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decoding to RGB as Pillow's {@code convert("RGB")} does, and the errors for bad files. */
class ImageDecoderTest {

    @TempDir
    Path dir;

    private Path truncated(Path source, double keep) throws IOException {
        byte[] all = Files.readAllBytes(source);
        Path out = dir.resolve("cut-" + source.getFileName());
        Files.write(out, Arrays.copyOf(all, (int) (all.length * keep)));
        return out;
    }

    @Test
    void missingFileNamesTheFile() {
        Path missing = dir.resolve("nope.png");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> ImageDecoder.decode(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void truncatedPngIsAnErrorNamingTheFile() throws IOException {
        Path cut = truncated(Golden.imageFile(0), 0.5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageDecoder.decode(cut));
        assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
    }

    @Test
    void truncatedJpegIsAnErrorNamingTheFile() throws IOException {
        for (double keep : new double[] {0.5, 0.97}) {
            Path cut = truncated(Golden.imageFile(2), keep);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageDecoder.decode(cut), "kept " + keep);
            assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void headerOnlyAndNonImageFilesAreErrors() throws IOException {
        Path header = truncated(Golden.imageFile(2), 0.001);
        IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class, () -> ImageDecoder.decode(header));
        assertTrue(e1.getMessage().contains(header.toString()), e1.getMessage());
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not an image at all");
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> ImageDecoder.decode(text));
        assertTrue(e2.getMessage().contains(text.toString()) && e2.getMessage().contains("not an image format"), e2.getMessage());
        Path empty = dir.resolve("empty.jpg");
        Files.write(empty, new byte[0]);
        assertThrows(IllegalArgumentException.class, () -> ImageDecoder.decode(empty));
        assertThrows(IllegalArgumentException.class, () -> ImageDecoder.decode(dir));
    }

    @Test
    void bytesDecodeLikeTheFile() throws IOException {
        Path png = Golden.imageFile(1);
        assertArrayEquals(ImageDecoder.decode(png).pixels(), ImageDecoder.decode(Files.readAllBytes(png), "img1").pixels());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageDecoder.decode(Arrays.copyOf(Files.readAllBytes(png), 500), "member.png"));
        assertTrue(e.getMessage().startsWith("member.png"), e.getMessage());
    }

    private Path write(BufferedImage img, String name, String format) throws IOException {
        Path p = dir.resolve(name);
        assertTrue(ImageIO.write(img, format, p.toFile()), "no writer for " + format);
        return p;
    }

    @Test
    void greyIsReplicatedWithoutGammaConversion() throws IOException {
        BufferedImage grey = new BufferedImage(5, 3, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 15; i++) {
            grey.getRaster().setSample(i % 5, i / 5, 0, i * 17);
        }
        RgbImage rgb = ImageDecoder.decode(write(grey, "grey.png", "png"));
        for (int i = 0; i < 15; i++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(i * 17, rgb.get(i / 5, i % 5, c), "pixel " + i + " channel " + c);
            }
        }
    }

    @Test
    void sixteenBitGreyClipsLikePillow() throws IOException {
        BufferedImage grey = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
        grey.getRaster().setSample(0, 0, 0, 100);
        grey.getRaster().setSample(1, 0, 0, 255);
        grey.getRaster().setSample(2, 0, 0, 40000);
        RgbImage rgb = ImageDecoder.decode(write(grey, "grey16.png", "png"));
        assertEquals(100, rgb.get(0, 0, 0));
        assertEquals(255, rgb.get(0, 1, 1));
        assertEquals(255, rgb.get(0, 2, 2)); // Pillow's I;16 -> RGB clips rather than scales
    }

    @Test
    void paletteIsLookedUpAndAlphaDropped() throws IOException {
        byte[] r = {10, 20, (byte) 200};
        byte[] g = {30, 40, (byte) 210};
        byte[] b = {50, 60, (byte) 220};
        byte[] a = {(byte) 255, 0, (byte) 128};
        BufferedImage pal = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 3, r, g, b, a));
        WritableRaster raster = pal.getRaster();
        for (int x = 0; x < 3; x++) {
            raster.setSample(x, 0, 0, x);
            raster.setSample(x, 1, 0, 2 - x);
        }
        RgbImage rgb = ImageDecoder.decode(write(pal, "palette.png", "png"));
        assertEquals(20, rgb.get(0, 1, 0));
        assertEquals(40, rgb.get(0, 1, 1)); // fully transparent entry: colour kept, alpha dropped
        assertEquals(220, rgb.get(1, 0, 2));
    }

    @Test
    void rgbaDropsAlphaWithoutPremultiplying() throws IOException {
        BufferedImage rgba = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(0, 0, 0x00_C8_64_32); // alpha 0
        rgba.setRGB(1, 0, 0x80_0A_14_1E); // alpha 128
        RgbImage rgb = ImageDecoder.decode(write(rgba, "rgba.png", "png"));
        assertArrayEquals(new byte[] {(byte) 200, 100, 50, 10, 20, 30}, rgb.pixels());
    }

    @Test
    void bmpAndOtherFormatsDecode() throws IOException {
        BufferedImage bgr = new BufferedImage(4, 2, BufferedImage.TYPE_3BYTE_BGR);
        bgr.setRGB(3, 1, 0x123456);
        RgbImage rgb = ImageDecoder.decode(write(bgr, "x.bmp", "bmp"));
        assertEquals(0x12, rgb.get(1, 3, 0));
        assertEquals(0x34, rgb.get(1, 3, 1));
        assertEquals(0x56, rgb.get(1, 3, 2));
        assertEquals(0, rgb.get(0, 0, 0));
    }
}
