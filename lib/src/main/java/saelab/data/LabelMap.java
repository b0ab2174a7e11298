package saelab.data;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * A segmentation label map: one 8-bit label per pixel, row-major (the ADE20K SceneParsing annotation PNGs:
 * 0 = other/background, 1..150 the classes). Values are read as stored, as {@code numpy.array(PIL.Image.open(p))}
 * gives them for a grayscale ({@code L}) or palette ({@code P}) PNG: no colour conversion.
 *
 * @param height rows
 * @param width  columns
 * @param values {@code [height, width]} row-major, unsigned (read with {@link #get})
 */
public record LabelMap(int height, int width, byte[] values) {

    public LabelMap {
        if (height < 1 || width < 1 || values == null || values.length != (long) height * width) {
            throw new IllegalArgumentException("label map: expected height x width = " + height + " x " + width
                    + " values, got " + (values == null ? "none" : values.length));
        }
    }

    /** The label at row {@code y}, column {@code x} (0..255). */
    public int get(int y, int x) {
        return values[y * width + x] & 0xFF;
    }

    /** A label map from int values (each 0..255). */
    public static LabelMap of(int height, int width, int[] labels) {
        if (labels.length != (long) height * width) {
            throw new IllegalArgumentException("label map: expected " + height + " x " + width + " values, got " + labels.length);
        }
        byte[] v = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] > 255) {
                throw new IllegalArgumentException("label map: value " + labels[i] + " at index " + i + " is not in 0..255");
            }
            v[i] = (byte) labels[i];
        }
        return new LabelMap(height, width, v);
    }

    /**
     * Reads a single-channel PNG of at most 8 bits per pixel (grayscale or palette indices).
     *
     * @throws IllegalArgumentException when the file is not such an image
     * @throws NoSuchFileException      when it does not exist
     */
    public static LabelMap read(Path png) throws IOException {
        if (!Files.isRegularFile(png)) {
            throw new NoSuchFileException(png.toString(), null, "label map not found");
        }
        BufferedImage img;
        try {
            img = ImageIO.read(png.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(png + ": cannot decode the label map: " + e.getMessage(), e);
        }
        if (img == null) {
            throw new IllegalArgumentException(png + ": not an image format ImageIO reads; expected a single-channel 8-bit PNG");
        }
        Raster r = img.getRaster();
        // Palette indices of any depth up to 8 bits are labels as stored; grayscale must be 8 bits, since Pillow
        // rescales 2- and 4-bit grayscale to 0..255 while ImageIO keeps the raw values.
        boolean palette = img.getColorModel() instanceof IndexColorModel;
        int bits = r.getSampleModel().getSampleSize(0);
        if (r.getNumBands() != 1 || (palette ? bits > 8 : bits != 8)) {
            throw new IllegalArgumentException(png + ": expected a single-channel label map (8-bit grayscale, or palette"
                    + " indices), got " + r.getNumBands() + " band(s) of " + bits + " bits");
        }
        int w = r.getWidth();
        int h = r.getHeight();
        int[] row = new int[w];
        byte[] v = new byte[h * w];
        for (int y = 0; y < h; y++) {
            r.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                v[y * w + x] = (byte) row[x];
            }
        }
        return new LabelMap(h, w, v);
    }
}
