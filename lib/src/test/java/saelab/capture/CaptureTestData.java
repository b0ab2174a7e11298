package saelab.capture;

import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/** The golden DINOv2-with-registers fixture as a model folder with a preprocessing config, and small synthetic image sets. */
final class CaptureTestData {

    static final double ATOL = 1e-4;
    static final double RTOL = 1e-4;

    private CaptureTestData() {}

    /**
     * The golden fixture folder {@code name}: {@code src/test/resources/golden} under the working directory (surefire runs in
     * {@code lib/}) or under a {@code lib/} folder above it; fails, never skips, when it is missing.
     */
    static Path golden(String name) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path g : List.of(dir.resolve("src/test/resources/golden"), dir.resolve("lib/src/test/resources/golden"))) {
                if (Files.isDirectory(g.resolve(name))) {
                    return g.resolve(name);
                }
            }
        }
        return fail("golden fixture " + name + " not found under src/test/resources/golden from " + Path.of("").toAbsolutePath());
    }

    /**
     * A copy of the 3-block, width-32, patch-14, 4-register fixture with a BitImageProcessor config: short edge to 64
     * (bicubic), centre crop 56 x 56 (a 4 x 4 patch grid), ImageNet mean and std.
     */
    static Path model(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path src = golden("dinov2_registers");
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("preprocessor_config.json"), """
                {"image_processor_type": "BitImageProcessor", "do_resize": true, "size": {"shortest_edge": 64},
                 "resample": 3, "do_center_crop": true, "crop_size": {"height": 56, "width": 56},
                 "do_rescale": true, "rescale_factor": 0.00392156862745098, "do_normalize": true,
                 "image_mean": [0.485, 0.456, 0.406], "image_std": [0.229, 0.224, 0.225]}
                """);
        return dir;
    }

    /** {@code n} PNG images of different sizes (58..140 px a side) with deterministic content, named {@code img_NN.png}. */
    static List<Path> images(Path dir, int n) {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int w = 60 + (i * 23) % 81;
            int h = 58 + (i * 37) % 71;
            files.add(png(dir.resolve(String.format("img_%02d.png", i)), w, h, i, false));
        }
        return files;
    }

    /** An RGB (or ARGB with a varying alpha) image whose pixels depend on {@code seed}. */
    static Path png(Path file, int w, int h, int seed, boolean alpha) {
        BufferedImage img = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        long s = seed * 0x9E3779B97F4A7C15L + 1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                s = s * 6364136223846793005L + 1442695040888963407L;
                int noise = (int) (s >>> 58);
                int r = (x * 255 / w + seed * 31 + noise) & 0xFF;
                int g = (y * 255 / h + seed * 17) & 0xFF;
                int b = ((x ^ y) * 5 + seed * 11 + noise * 3) & 0xFF;
                int a = alpha ? (x * 255 / Math.max(1, w - 1)) & 0xFF : 0xFF;
                img.setRGB(x, y, a << 24 | r << 16 | g << 8 | b);
            }
        }
        return write(img, file);
    }

    static Path write(BufferedImage img, Path file) {
        String name = file.getFileName().toString();
        String format = name.endsWith(".jpg") ? "jpeg" : "png";
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

    /** The options the SIGKILL test's child and its reference run both use: f16, batch 2, 3 images per shard. */
    static CaptureOptions killOptions(Path model, Path images, Path out) {
        CaptureOptions o = CaptureOptions.builder(model, "folder:" + images, null, List.of(1, 2), TokenSelection.parse("cls,registers,patches"),
                out).batch(2).threads(2).build();
        long perImage = 2L * 21 * 32 * 2;
        return o.toBuilder().maxShardBytes(3 * perImage).build();
    }

    /** Whether {@code got} is within atol + rtol * |want|. */
    static boolean close(float want, float got) {
        return Math.abs((double) got - want) <= ATOL + RTOL * Math.abs(want);
    }
}
