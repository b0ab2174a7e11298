package saelab.cli;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Small inputs the CLI tests build: a capture-ready model folder and PNG files, good or hostile. */
final class CliFixtures {

    private CliFixtures() {}

    /**
     * A model folder for {@code saelab capture}: the 3-block, width-32 DINOv2 golden fixture with registers and a
     * BitImageProcessor config (short edge 64, centre crop 56 x 56, a 4 x 4 patch grid).
     */
    static Path captureModel(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path golden = saelab.model.Golden.dir("dinov2_registers");
        for (String name : List.of("config.json", "model.safetensors")) {
            Files.copy(golden.resolve(name), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.writeString(dir.resolve("preprocessor_config.json"), "{\"image_processor_type\": \"BitImageProcessor\","
                + " \"size\": {\"shortest_edge\": 64}, \"crop_size\": {\"height\": 56, \"width\": 56}}");
        return dir;
    }

    /** A real {@code width x height} RGB PNG whose pixels depend on {@code seed}. */
    static byte[] png(int width, int height, int seed) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, (x * 4 + seed * 30) << 16 & 0xFF0000 | (y * 3 & 0xFF) << 8 | (x * y + seed) & 0xFF);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** An 8 x 8 PNG whose IHDR is patched to declare {@code width x height} (CRC recomputed): a decompression bomb. */
    static byte[] pngDeclaring(int width, int height) throws IOException {
        byte[] png = png(8, 8, 0);
        ByteBuffer b = ByteBuffer.wrap(png); // IHDR data starts at 16: width, height (big-endian)
        b.putInt(16, width).putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17); // chunk type + 13 data bytes
        b.putInt(29, (int) crc.getValue());
        return png;
    }
}
