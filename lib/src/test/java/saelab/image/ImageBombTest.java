package saelab.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small files whose headers declare huge images ("decompression bombs") are refused from the header,
 * before any pixel memory is allocated, in every format the decoder reads.
 */
class ImageBombTest {

    @TempDir
    Path dir;

    /** A real 8x8 image written by ImageIO in {@code format}, as bytes. */
    private static byte[] small(String format, int type) throws IOException {
        BufferedImage img = new BufferedImage(8, 8, type);
        img.setRGB(3, 4, 0x336699);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), "no writer for " + format);
        return out.toByteArray();
    }

    private Path save(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** Decoding {@code file} is refused with one sentence naming it, the declared size and the limit. */
    private static void assertRefused(Path file, String declared, long limit) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageDecoder.decode(file));
        String m = e.getMessage();
        assertTrue(m.startsWith(file.toString()), m);
        assertTrue(m.contains(declared), "should name the declared size " + declared + ": " + m);
        assertTrue(m.contains(Long.toString(limit)), "should name the limit: " + m);
        assertEquals(1, m.lines().count(), m);
    }

    /** A real 8x8 PNG whose IHDR is patched to declare {@code width x height} (CRC recomputed). */
    private static byte[] pngDeclaring(int width, int height) throws IOException {
        byte[] png = small("png", BufferedImage.TYPE_3BYTE_BGR);
        ByteBuffer b = ByteBuffer.wrap(png); // IHDR data starts at 16: width, height (big-endian)
        b.putInt(16, width).putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17); // chunk type + 13 data bytes
        b.putInt(29, (int) crc.getValue());
        return png;
    }

    @Test
    void pngWhoseHeaderDeclaresTenGigapixelsIsRefused() throws IOException {
        assertRefused(save("bomb.png", pngDeclaring(100_000, 100_000)), "100000 x 100000", ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    @Test
    void pngJustAboveTheLimitIsRefusedBeforeDecoding() throws IOException {
        assertEquals(1024L * 1024 * 1024 / 4 / 3, ImageDecoder.DEFAULT_MAX_PIXELS); // Pillow's MAX_IMAGE_PIXELS
        // 90,000,000 pixels: fits a Java array (a reader would allocate 270 MB for it), but is above the limit
        assertRefused(save("big.png", pngDeclaring(10_000, 9_000)), "10000 x 9000", ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    @Test
    void jpegWhoseFrameHeaderDeclares65500SquaredIsRefused() throws IOException {
        byte[] jpg = small("jpg", BufferedImage.TYPE_3BYTE_BGR);
        int sof = segment(jpg, 0xC0);
        ByteBuffer.wrap(jpg).putShort(sof + 5, (short) 65500).putShort(sof + 7, (short) 65500); // height, width
        assertRefused(save("bomb.jpg", jpg), "65500 x 65500", ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    @Test
    void gifWhoseImageDescriptorDeclares65535SquaredIsRefused() throws IOException {
        byte[] gif = small("gif", BufferedImage.TYPE_BYTE_INDEXED);
        ByteBuffer b = ByteBuffer.wrap(gif).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(6, (short) 0xFFFF).putShort(8, (short) 0xFFFF); // logical screen
        int desc = imageDescriptor(gif);
        b.putShort(desc + 5, (short) 0xFFFF).putShort(desc + 7, (short) 0xFFFF);
        assertRefused(save("bomb.gif", gif), "65535 x 65535", ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    @Test
    void bmpWhoseInfoHeaderDeclaresNinetyMegapixelsIsRefused() throws IOException {
        byte[] bmp = small("bmp", BufferedImage.TYPE_3BYTE_BGR);
        // the file header's size field lies too (the JDK reader compares the pixel data with it)
        ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN).putInt(2, Integer.MAX_VALUE).putInt(18, 10_000).putInt(22, 9_000);
        assertRefused(save("bomb.bmp", bmp), "10000 x 9000", ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    @Test
    void tiffWhoseFirstDirectoryDeclaresTenGigapixelsIsRefused() throws IOException {
        assertRefused(save("bomb.tif", tiff(100_000, 100_000, 0, 0)), "100000 x 100000", ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    @Test
    void tiffWithSmallImageButHugeTilesIsRefused() throws IOException {
        // 16x16 pixels declared, but one tile of 65536x65536 that a reader would allocate whole
        Path file = save("tiles.tif", tiff(16, 16, 65536, 65536));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageDecoder.decode(file));
        assertTrue(e.getMessage().contains("65536 x 65536") && e.getMessage().contains(Long.toString(ImageDecoder.DEFAULT_MAX_PIXELS)),
                e.getMessage());
    }

    /**
     * A WBMP (1 bit per pixel, no compression) declaring 10000 x 9000 pixels. The JDK's WBMP reader takes it only
     * when the file holds exactly the declared rows, so the file is that long, but sparse: a few bytes on disk
     * (and a few in any archive it travels in) that would become 270 MB of RGB.
     */
    @Test
    void wbmpWhoseHeaderDeclaresNinetyMegapixelsIsRefusedFromTheHeader() throws IOException {
        int width = 10_000;
        int height = 9_000;
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.write(0); // type 0: monochrome, no extension headers
        header.write(0); // fixed header
        multiByte(header, width);
        multiByte(header, height);
        Path file = save("bomb.wbmp", header.toByteArray());
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(header.size() + (long) (width + 7) / 8 * height);
        }
        assertRefused(file, "10000 x 9000", ImageDecoder.DEFAULT_MAX_PIXELS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageDecoder.decode(file));
        assertTrue(e.getMessage().contains("WBMP header declares"), "refused from the header, before decoding: " + e.getMessage());
    }

    /** WBMP's multi-byte integer: 7 bits per byte, most significant first, the high bit set on all but the last. */
    private static void multiByte(ByteArrayOutputStream out, int v) {
        int shift = 28;
        while (shift > 0 && (v >>> shift) == 0) {
            shift -= 7;
        }
        for (; shift > 0; shift -= 7) {
            out.write(0x80 | (v >>> shift) & 0x7f);
        }
        out.write(v & 0x7f);
    }

    @Test
    void theCallerCanLowerTheLimit() throws IOException {
        Path png = save("small.png", small("png", BufferedImage.TYPE_3BYTE_BGR));
        assertEquals(8, ImageDecoder.decode(png, 64).width());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageDecoder.decode(png, 63));
        assertTrue(e.getMessage().contains("8 x 8") && e.getMessage().contains("63"), e.getMessage());
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
                () -> ImageDecoder.decode(Files.readAllBytes(png), "member.png", 63));
        assertTrue(m.getMessage().startsWith("member.png") && m.getMessage().contains("8 x 8"), m.getMessage());
    }

    /** Offset of the marker of the first JPEG segment {@code 0xFF marker}. */
    private static int segment(byte[] jpg, int marker) {
        int p = 2;
        while (p + 4 <= jpg.length) {
            int m = jpg[p + 1] & 0xFF;
            if (m == marker) {
                return p;
            }
            p += 2 + (((jpg[p + 2] & 0xFF) << 8) | (jpg[p + 3] & 0xFF));
        }
        throw new AssertionError("no segment FF" + Integer.toHexString(marker));
    }

    /** Offset of the first image descriptor (0x2C) of a GIF, after the colour table and extensions. */
    private static int imageDescriptor(byte[] gif) {
        int packed = gif[10] & 0xFF;
        int p = 13 + ((packed & 0x80) != 0 ? 3 << ((packed & 7) + 1) : 0);
        while (gif[p] == 0x21) { // extension: label, then sub-blocks up to a zero length
            p += 2;
            while (gif[p] != 0) {
                p += (gif[p] & 0xFF) + 1;
            }
            p++;
        }
        assertEquals(0x2C, gif[p]);
        return p;
    }

    /**
     * A little-endian grey 8-bit uncompressed TIFF declaring {@code width x height} pixels, stored as one
     * strip or, when {@code tileW > 0}, as one tile of {@code tileW x tileH}; the data is 16 zero bytes.
     */
    private static byte[] tiff(int width, int height, int tileW, int tileH) {
        boolean tiled = tileW > 0;
        int entries = tiled ? 10 : 9;
        int ifd = 8;
        int data = ifd + 2 + entries * 12 + 4;
        ByteBuffer b = ByteBuffer.allocate(data + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(ifd);
        b.putShort((short) entries);
        entry(b, 256, 4, width);        // ImageWidth
        entry(b, 257, 4, height);       // ImageLength
        entry(b, 258, 3, 8);            // BitsPerSample
        entry(b, 259, 3, 1);            // Compression: none
        entry(b, 262, 3, 1);            // PhotometricInterpretation: black is zero
        if (tiled) {
            entry(b, 277, 3, 1);        // SamplesPerPixel
            entry(b, 322, 4, tileW);    // TileWidth
            entry(b, 323, 4, tileH);    // TileLength
            entry(b, 324, 4, data);     // TileOffsets
            entry(b, 325, 4, 16);       // TileByteCounts
        } else {
            entry(b, 273, 4, data);     // StripOffsets
            entry(b, 277, 3, 1);        // SamplesPerPixel
            entry(b, 278, 4, height);   // RowsPerStrip
            entry(b, 279, 4, 16);       // StripByteCounts
        }
        b.putInt(0); // no next directory
        return b.array();
    }

    private static void entry(ByteBuffer b, int tag, int type, int value) {
        b.putShort((short) tag).putShort((short) type).putInt(1);
        if (type == 3) {
            b.putShort((short) value).putShort((short) 0);
        } else {
            b.putInt(value);
        }
    }
}
