package saelab.image;

import com.twelvemonkeys.imageio.stream.BufferedFileImageInputStream;
import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.awt.Rectangle;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes image files to 8-bit RGB the way the reference pipelines' {@code PIL.Image.open(f).convert("RGB")}
 * does: grayscale is replicated to three channels, palettes are looked up, alpha is dropped (not
 * composited), 16-bit RGB keeps the high byte and 16-bit grayscale is clipped at 255 (Pillow's
 * {@code I;16 -> RGB}), embedded ICC profiles are not applied, and EXIF orientation is ignored.
 *
 * <p>Decoding is Java ImageIO with the TwelveMonkeys JPEG plug-in (CMYK/YCCK, broken ICC profiles
 * and other JPEGs the JDK reader rejects); CMYK JPEGs therefore get TwelveMonkeys' colour conversion,
 * not Pillow's naive one. JPEG decoders differ from libjpeg-turbo by a level or two at chroma
 * upsampling, so use PNGs where bit-exact pixels matter. A truncated or damaged file is an error,
 * as it is in Pillow (which raises "image file is truncated"), never a silently grey-filled image.
 *
 * <p>Decompression bombs: the width and height (and, for tiled TIFFs, the tile size) are read from the
 * header before any pixel is decoded and refused above a pixel limit, by default
 * {@link #DEFAULT_MAX_PIXELS} (Pillow's {@code Image.MAX_IMAGE_PIXELS}); the read is then confined to
 * the declared size, only the first frame of an animation or multi-page file is read, and the stream
 * knows its length so readers check declared offsets and counts against the file's real size.
 * Thread-safe: each call uses its own reader.
 */
public final class ImageDecoder {

    static {
        // Make sure the TwelveMonkeys JPEG reader is registered even when ImageIO's registry was
        // scanned by a class loader that did not see it (e.g. inside a Jupyter kernel).
        IIORegistry.getDefaultInstance().registerServiceProvider(new com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi());
        ImageIO.setUseCache(false);
    }

    /**
     * The default pixel limit, 89,478,485 pixels: Pillow's {@code Image.MAX_IMAGE_PIXELS}
     * ({@code 1024 * 1024 * 1024 // 4 // 3}, a 256 MiB RGB image). Pillow warns
     * ({@code DecompressionBombWarning}) above it and refuses ({@code DecompressionBombError}) above
     * twice it; saelab has no warning channel in its capture threads, so it refuses above this limit
     * already. An image this large takes about 268 MB as RGB, plus the reader's own raster.
     */
    public static final long DEFAULT_MAX_PIXELS = 1024L * 1024 * 1024 / 4 / 3;

    private ImageDecoder() {}

    /**
     * Decodes an image file (PNG, JPEG, BMP, GIF, WBMP, TIFF: the formats of the JDK's ImageIO readers and
     * the TwelveMonkeys JPEG reader) to RGB, refusing images above {@link #DEFAULT_MAX_PIXELS}.
     *
     * @throws NoSuchFileException      when the file does not exist
     * @throws IllegalArgumentException when it is not an image ImageIO can read, is truncated or damaged, or
     *                                  declares more pixels than the limit, naming the file
     * @throws IOException              when it cannot be read
     */
    public static RgbImage decode(Path file) throws IOException {
        return decode(file, DEFAULT_MAX_PIXELS);
    }

    /**
     * {@link #decode(Path)} with a pixel limit of the caller's choosing.
     *
     * @param maxPixels the most pixels (width times height) an image may declare, 1 to {@link RgbImage#MAX_PIXELS}
     */
    public static RgbImage decode(Path file, long maxPixels) throws IOException {
        checkLimit(maxPixels);
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "image file does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": not a regular file; expected an image file");
        }
        // a stream that knows its length, so that readers (TIFF) check declared offsets and counts against it
        try (ImageInputStream stream = new BufferedFileImageInputStream(file.toFile())) {
            return decode(stream, file.toString(), maxPixels);
        }
    }

    /**
     * Decodes an image held in memory (e.g. a member of an archive), refusing images above
     * {@link #DEFAULT_MAX_PIXELS}; {@code name} is used in error messages.
     *
     * @throws IllegalArgumentException when the bytes are not a readable, complete image of at most the limit
     */
    public static RgbImage decode(byte[] bytes, String name) {
        return decode(bytes, name, DEFAULT_MAX_PIXELS);
    }

    /** {@link #decode(byte[], String)} with a pixel limit of the caller's choosing (1 to {@link RgbImage#MAX_PIXELS}). */
    public static RgbImage decode(byte[] bytes, String name, long maxPixels) {
        checkLimit(maxPixels);
        try (ImageInputStream stream = new ByteArrayImageInputStream(bytes)) {
            return decode(stream, name, maxPixels);
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": cannot decode image: " + e.getMessage(), e);
        }
    }

    private static void checkLimit(long maxPixels) {
        if (maxPixels < 1 || maxPixels > RgbImage.MAX_PIXELS) {
            throw new IllegalArgumentException("pixel limit " + maxPixels + " is out of range: expected 1 to " + RgbImage.MAX_PIXELS);
        }
    }

    private static RgbImage decode(ImageInputStream stream, String name, long maxPixels) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
        if (!readers.hasNext()) {
            throw new IllegalArgumentException(name + ": not an image format saelab can read (expected PNG, JPEG, BMP, GIF"
                    + " or another format with an ImageIO reader)");
        }
        ImageReader reader = readers.next();
        String format = reader.getFormatName().toUpperCase(Locale.ROOT);
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, message) -> warnings.add(message));
        BufferedImage image;
        try {
            // seek forward only: frame 0 is the only one looked at (GIF animations, multi-page TIFFs)
            reader.setInput(stream, true, true);
            image = reader.read(0, boundedReadParam(reader, name, format, maxPixels));
        } catch (IOException | RuntimeException e) {
            throw damaged(name, format, e);
        } finally {
            reader.dispose();
        }
        for (String w : warnings) {
            if (isTruncation(w)) {
                throw new IllegalArgumentException(name + ": " + format + " image is truncated (" + w + ")");
            }
        }
        // the read was bounded to the header's size; verify, in case a reader sized its result otherwise
        if ((long) image.getWidth() * image.getHeight() > maxPixels) {
            throw new IllegalArgumentException(name + ": the " + format + " reader produced " + image.getWidth() + " x "
                    + image.getHeight() + " pixels, more than the limit of " + maxPixels + " pixels");
        }
        return toRgb(image, name);
    }

    /**
     * Reads the size of frame 0 from the header (no pixel data is decoded) and refuses it above
     * {@code maxPixels}; also refuses tiles above the limit (a TIFF tile may extend past the image and is
     * allocated whole). Returns read parameters whose source region is the declared size, so a reader
     * cannot allocate a destination larger than the header said.
     */
    private static ImageReadParam boundedReadParam(ImageReader reader, String name, String format, long maxPixels) throws IOException {
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        boolean tiled = reader.isImageTiled(0);
        int tileWidth = tiled ? reader.getTileWidth(0) : width;
        int tileHeight = tiled ? reader.getTileHeight(0) : height;
        ImageReadParam param = reader.getDefaultReadParam();
        checkDeclared(name, format, "an image", width, height, maxPixels);
        checkDeclared(name, format, "a tile", tileWidth, tileHeight, maxPixels);
        param.setSourceRegion(new Rectangle(0, 0, width, height));
        return param;
    }

    /**
     * Readers report damaged data as IIOException, EOFException or runtime exceptions of their own (index,
     * raster and colour-management errors); all of them mean the file is unreadable.
     */
    private static IllegalArgumentException damaged(String name, String format, Exception e) {
        if (e instanceof DeclaredSizeException refused) {
            return refused;
        }
        return new IllegalArgumentException(name + ": cannot decode " + format + " image (truncated or damaged?): " + describe(e), e);
    }

    private static void checkDeclared(String name, String format, String what, int width, int height, long maxPixels) {
        if (width < 1 || height < 1) {
            throw new DeclaredSizeException(name + ": the " + format + " header declares " + what + " of " + width + " x "
                    + height + " pixels; expected at least 1 x 1");
        }
        if ((long) width * height > maxPixels) {
            String source = maxPixels == DEFAULT_MAX_PIXELS ? " (Pillow's MAX_IMAGE_PIXELS)" : "";
            throw new DeclaredSizeException(name + ": the " + format + " header declares " + what + " of " + width + " x "
                    + height + " pixels, more than the limit of " + maxPixels + " pixels" + source
                    + "; refused as a possible decompression bomb");
        }
    }

    /** A size declared by an image header that is refused (kept apart from the reader's own errors). */
    private static final class DeclaredSizeException extends IllegalArgumentException {
        DeclaredSizeException(String message) {
            super(message);
        }
    }

    /** Whether a reader warning means data was missing (Pillow raises "image file is truncated" then). */
    static boolean isTruncation(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        return w.contains("premature end") || w.contains("truncated") || w.contains("end of file");
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            sb.append(": ").append(c.getClass().getSimpleName()).append(c.getMessage() == null ? "" : " " + c.getMessage());
        }
        return sb.toString();
    }

    /**
     * Converts a decoded image to RGB as Pillow's {@code convert("RGB")} would convert the same
     * file: stored samples are taken as they are, with no colour management.
     */
    static RgbImage toRgb(BufferedImage image, String name) {
        int w = image.getWidth();
        int h = image.getHeight();
        if ((long) w * h > RgbImage.MAX_PIXELS) {
            throw new IllegalArgumentException(name + ": " + w + "x" + h + " pixels is more than saelab decodes (" + RgbImage.MAX_PIXELS + ")");
        }
        byte[] out = new byte[w * h * 3];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int csType = cm.getColorSpace().getType();
        if (cm instanceof IndexColorModel icm) {
            int[] idx = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, idx);
                int o = y * w * 3;
                for (int x = 0; x < w; x++) {
                    out[o++] = (byte) icm.getRed(idx[x]);
                    out[o++] = (byte) icm.getGreen(idx[x]);
                    out[o++] = (byte) icm.getBlue(idx[x]);
                }
            }
        } else if (csType == ColorSpace.TYPE_RGB && raster.getNumBands() >= 3 && !isPacked(raster)) {
            if (!copyInterleavedBytes(raster, out)) {
                int bands = raster.getNumBands();
                int shift = Math.max(0, raster.getSampleModel().getSampleSize(0) - 8); // 16-bit: Pillow keeps the high byte
                int[] row = new int[w * bands];
                for (int y = 0; y < h; y++) {
                    raster.getPixels(0, y, w, 1, row);
                    int o = y * w * 3;
                    for (int x = 0; x < w; x++) {
                        out[o++] = (byte) (row[x * bands] >> shift);
                        out[o++] = (byte) (row[x * bands + 1] >> shift);
                        out[o++] = (byte) (row[x * bands + 2] >> shift);
                    }
                }
            }
        } else if (csType == ColorSpace.TYPE_GRAY && raster.getNumBands() <= 2 && !isPacked(raster)) {
            int bands = raster.getNumBands();
            int bits = raster.getSampleModel().getSampleSize(0);
            // Pillow: 16-bit grey alone opens as I;16 and clips to 255 on convert("RGB"); with alpha (LA;16) it keeps the high byte.
            boolean clip = bits > 8 && bands == 1;
            int[] row = new int[w * bands];
            for (int y = 0; y < h; y++) {
                raster.getPixels(0, y, w, 1, row);
                int o = y * w * 3;
                for (int x = 0; x < w; x++) {
                    int v = row[x * bands];
                    v = bits <= 8 ? v : clip ? Math.min(v, 255) : v >> (bits - 8);
                    byte b = (byte) v;
                    out[o++] = b;
                    out[o++] = b;
                    out[o++] = b;
                }
            }
        } else {
            // Packed pixels (e.g. BMP 5-6-5) and other colour spaces: the colour model's sRGB conversion.
            int[] argb = new int[w];
            for (int y = 0; y < h; y++) {
                image.getRGB(0, y, w, 1, argb, 0, w);
                int o = y * w * 3;
                for (int x = 0; x < w; x++) {
                    out[o++] = (byte) (argb[x] >> 16);
                    out[o++] = (byte) (argb[x] >> 8);
                    out[o++] = (byte) argb[x];
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    private static boolean isPacked(Raster raster) {
        return !(raster.getSampleModel() instanceof ComponentSampleModel);
    }

    /** The fast path for 8-bit pixel-interleaved rasters (TYPE_3BYTE_BGR, TYPE_4BYTE_ABGR, plain RGB). */
    private static boolean copyInterleavedBytes(Raster raster, byte[] out) {
        if (!(raster.getDataBuffer() instanceof DataBufferByte db) || db.getNumBanks() != 1
                || !(raster.getSampleModel() instanceof ComponentSampleModel sm) || sm.getSampleSize(0) != 8
                || raster.getParent() != null || raster.getMinX() != 0 || raster.getMinY() != 0
                || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0) {
            return false;
        }
        int[] bandOffsets = sm.getBandOffsets();
        int[] banks = sm.getBankIndices();
        for (int b = 0; b < 3; b++) {
            if (banks[b] != 0) {
                return false;
            }
        }
        int ps = sm.getPixelStride();
        int ss = sm.getScanlineStride();
        byte[] data = db.getData();
        int base = db.getOffset();
        int w = raster.getWidth();
        int h = raster.getHeight();
        int r = bandOffsets[0];
        int g = bandOffsets[1];
        int bl = bandOffsets[2];
        for (int y = 0; y < h; y++) {
            int p = base + y * ss;
            int o = y * w * 3;
            for (int x = 0; x < w; x++, p += ps) {
                out[o++] = data[p + r];
                out[o++] = data[p + g];
                out[o++] = data[p + bl];
            }
        }
        return true;
    }
}
