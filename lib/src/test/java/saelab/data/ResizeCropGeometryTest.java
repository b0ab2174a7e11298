package saelab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import saelab.io.Json;

/** Resize and crop sizes and offsets, against the reference processors' recorded geometry. */
class ResizeCropGeometryTest {

    /** The processors of the preprocess fixtures and their geometry (lib/src/test/resources/golden/preprocess/README.md). */
    private static final Map<String, ResizeCropGeometry> PROCESSORS = Map.of(
            "clip", ResizeCropGeometry.shortEdge(224, 224, CropRounding.FLOOR),
            "dinov2", ResizeCropGeometry.shortEdge(256, 224, CropRounding.FLOOR),
            "siglip", ResizeCropGeometry.fixed(224, 224),
            "open_clip", ResizeCropGeometry.shortEdge(224, 224, CropRounding.ROUND_HALF_EVEN));

    @Test
    void matchesTheReferenceProcessorsOnTheGoldenImages() throws IOException {
        Path dir = TestData.golden().resolve("preprocess");
        JsonNode info = Json.read(dir.resolve("_gen_info.json"), JsonNode.class, "fixture info");
        TreeMap<Integer, int[]> sizes = new TreeMap<>(); // image index -> {height, width}
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir.resolve("images"), "img*")) {
            for (Path p : s) {
                BufferedImage img = ImageIO.read(p.toFile());
                sizes.put(Integer.parseInt(p.getFileName().toString().substring(3, 4)), new int[] {img.getHeight(), img.getWidth()});
            }
        }
        assertEquals(3, sizes.size(), "three golden images");
        int checked = 0;
        for (Map.Entry<String, ResizeCropGeometry> proc : PROCESSORS.entrySet()) {
            for (Map.Entry<Integer, int[]> im : sizes.entrySet()) {
                String key = proc.getKey() + ".image" + im.getKey();
                JsonNode ref = info.get(key);
                assertTrue(ref != null, "fixture entry " + key);
                int h = im.getValue()[0];
                int w = im.getValue()[1];
                int[] resized = proc.getValue().resized(h, w);
                int[] box = proc.getValue().cropBox(h, w);
                assertArrayEquals(new int[] {ref.get("resized_hw").get(0).asInt(), ref.get("resized_hw").get(1).asInt()}, resized, key);
                assertArrayEquals(new int[] {ref.get("crop_top_left").get(0).asInt(), ref.get("crop_top_left").get(1).asInt()},
                        new int[] {box[0], box[1]}, key);
                checked++;
            }
        }
        assertEquals(12, checked);
    }

    @Test
    void shortEdgeTruncatesTheLongSideAndCropRoundingDiffersOnlyWhenTheMarginIs3Mod4() {
        ResizeCropGeometry g = ResizeCropGeometry.shortEdge(224, 224, CropRounding.FLOOR);
        assertArrayEquals(new int[] {224, 298}, g.resized(480, 640)); // spec example: 640x480 -> 298x224
        assertArrayEquals(new int[] {224, 224}, g.resized(100, 100));
        for (int margin = 0; margin < 16; margin++) {
            int floor = CropRounding.FLOOR.offset(224 + margin, 224);
            int even = CropRounding.ROUND_HALF_EVEN.offset(224 + margin, 224);
            assertEquals(margin / 2, floor);
            assertEquals(margin % 4 == 3 ? floor + 1 : floor, even, "margin " + margin);
        }
        assertArrayEquals(new int[] {0, 0, 224, 298}, new ResizeCropGeometry(224, 0, 0, 0, 0, null).cropBox(480, 640));
        assertThrows(IllegalArgumentException.class, () -> ResizeCropGeometry.fixed(10, 10, 12, 12, CropRounding.FLOOR).cropBox(5, 5));
        assertThrows(IllegalArgumentException.class, () -> new ResizeCropGeometry(224, 10, 10, 0, 0, CropRounding.FLOOR));
        assertThrows(IllegalArgumentException.class, () -> new ResizeCropGeometry(224, 0, 0, 10, 0, CropRounding.FLOOR));
    }
}
