package saelab.data;

import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** Tiny synthetic dataset files for the reader tests, and the location of the shared golden fixtures. */
final class TestData {

    private TestData() {}

    /** Writes a small RGB image (PNG or JPEG by the extension) whose pixels depend on {@code seed}. */
    static Path image(Path file, int width, int height, int seed) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, ((seed * 53 + x * 17) & 0xFF) << 16 | ((y * 29 + seed) & 0xFF) << 8 | ((x * y + seed * 7) & 0xFF));
            }
        }
        String name = file.getFileName().toString().toLowerCase();
        String format = name.endsWith(".jpg") || name.endsWith(".jpeg") ? "jpeg" : "png";
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!ImageIO.write(img, format, file.toFile())) {
                fail("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** A small image with the default size. */
    static Path image(Path file, int seed) {
        return image(file, 6, 5, seed);
    }

    /** Writes an 8-bit grayscale PNG holding a label map's values. */
    static Path grayPng(Path file, LabelMap map) {
        BufferedImage img = new BufferedImage(map.width(), map.height(), BufferedImage.TYPE_BYTE_GRAY);
        return writeLabels(file, img, map);
    }

    /** Writes a palette PNG whose indices are a label map's values. */
    static Path palettePng(Path file, LabelMap map) {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        for (int i = 0; i < 256; i++) {
            r[i] = (byte) (255 - i); // colours unrelated to the index: reading must return indices
            g[i] = (byte) (i * 7);
            b[i] = (byte) (i * 13);
        }
        BufferedImage img = new BufferedImage(map.width(), map.height(), BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 256, r, g, b));
        return writeLabels(file, img, map);
    }

    private static Path writeLabels(Path file, BufferedImage img, LabelMap map) {
        for (int y = 0; y < map.height(); y++) {
            for (int x = 0; x < map.width(); x++) {
                img.getRaster().setSample(x, y, 0, map.get(y, x));
            }
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            ImageIO.write(img, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Writes text lines (each followed by a line feed), creating the folder. */
    static Path text(Path file, String... lines) {
        return text(file, List.of(lines));
    }

    /** Writes text lines (each followed by a line feed), creating the folder. */
    static Path text(Path file, List<String> lines) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * The golden fixtures, copied into the repository at {@code lib/src/test/resources/golden} (surefire runs
     * in {@code lib/}); fails (never skips) when they are missing.
     */
    static Path golden() {
        Path g = Path.of("src", "test", "resources", "golden").toAbsolutePath();
        if (!Files.isDirectory(g)) {
            return fail("golden fixture folder " + g + " is missing (it is part of the repository: restore it from"
                    + " git)");
        }
        return g;
    }

    /** The paths of a manifest's examples. */
    static List<String> paths(DatasetManifest m) {
        return m.examples().stream().map(DatasetManifest.Example::path).toList();
    }

    /** The labels of a manifest's examples. */
    static List<Integer> labels(DatasetManifest m) {
        return m.examples().stream().map(DatasetManifest.Example::label).toList();
    }
}
