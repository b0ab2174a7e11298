package saelab.cli;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import saelab.io.Json;
import saelab.text.ByteUnicode;

/** Small inputs the CLI tests build: capture-ready model folders (DINOv2, CLIP) and PNG files, good or hostile. */
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

    /**
     * The golden CLIP (3 blocks, width 32, 32 px, 8 px patches, a 24-wide embedding and a text tower with a 1000-id
     * table) with a CLIP preprocessor (short edge 32, centre crop 32) and a byte-level Hugging Face tokenizer whose
     * 514 ids (256 bytes, 256 word-final bytes, start and end) fit in that table, so {@code saelab head zeroshot} can
     * embed any class name.
     */
    static Path clipModel(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path golden = saelab.model.Golden.dir("clip");
        for (String name : List.of("config.json", "model.safetensors")) {
            Files.copy(golden.resolve(name), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.writeString(dir.resolve("preprocessor_config.json"), "{\"image_processor_type\": \"CLIPImageProcessor\","
                + " \"size\": {\"shortest_edge\": 32}, \"crop_size\": {\"height\": 32, \"width\": 32}}");
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int i = 0; i < 256; i++) {
            vocab.put(String.valueOf(ByteUnicode.charOf(ByteUnicode.byteAt(i))), vocab.size());
        }
        for (int i = 0; i < 256; i++) {
            vocab.put(ByteUnicode.charOf(ByteUnicode.byteAt(i)) + "</w>", vocab.size());
        }
        vocab.put("<|startoftext|>", vocab.size());
        vocab.put("<|endoftext|>", vocab.size());
        Json.write(dir.resolve("vocab.json"), vocab);
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n");
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
