package saelab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static saelab.data.TestData.image;
import static saelab.data.TestData.paths;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ADEChallengeData2016 layout, the 150 class names, and patch labels read from a written annotation. */
class Ade20kDatasetTest {

    @TempDir
    Path tmp;

    private Path layout() {
        Path base = tmp.resolve("data/ADEChallengeData2016");
        int[] v = new int[8 * 8];
        for (int i = 0; i < v.length; i++) {
            v[i] = i < 32 ? 3 : 150; // top half sky (3), bottom half flag (150)
        }
        LabelMap map = LabelMap.of(8, 8, v);
        for (String name : List.of("ADE_train_00000002", "ADE_train_00000001", "ADE_train_00000010")) {
            image(base.resolve("images/training/" + name + ".jpg"), 8, 8, name.hashCode());
            if (!name.endsWith("10")) {
                TestData.grayPng(base.resolve("annotations/training/" + name + ".png"), map);
            }
        }
        image(base.resolve("images/validation/ADE_val_00000001.jpg"), 1);
        TestData.grayPng(base.resolve("annotations/validation/ADE_val_00000001.png"), map);
        return tmp.resolve("data");
    }

    @Test
    void the150ClassNamesAreShippedInOrder() {
        List<String> names = Ade20kDataset.classNames();
        assertEquals(150, names.size());
        assertEquals(150, new HashSet<>(names).size());
        assertEquals(List.of("wall", "building", "sky", "floor", "tree"), names.subList(0, 5));
        assertEquals("chest of drawers", names.get(44));
        assertEquals("flag", names.get(149));
        List<String> labels = Ade20kDataset.labelNames();
        assertEquals(151, labels.size());
        assertEquals("background", labels.getFirst());
        assertEquals("sky", labels.get(3));
    }

    @Test
    void imagesAreSortedAndCarryTheirLabelMaps() throws IOException {
        Path root = layout();
        DatasetManifest m = Ade20kDataset.open(root, "train").manifest();
        String img = "ADEChallengeData2016/images/training/";
        assertEquals(List.of(img + "ADE_train_00000001.jpg", img + "ADE_train_00000002.jpg"), paths(m));
        DatasetManifest.Example e = m.example(0);
        assertEquals(-1, e.label());
        assertEquals("ADEChallengeData2016/annotations/training/ADE_train_00000001.png", e.annotation().path());
        assertEquals(Files.size(root.resolve(e.annotation().path())), e.annotation().bytes());
        assertEquals(151, m.classes().size());
        assertEquals("flag", m.className(150));
        // the image without a label map is reported by its annotation's path
        assertEquals(1, m.skipped().size());
        assertEquals("ADEChallengeData2016/annotations/training/ADE_train_00000010.png", m.skipped().getFirst().path());
        assertTrue(m.skipped().getFirst().reason().contains("missing"), m.skipped().toString());

        // per-patch labels from the manifest's annotation: an 8x8 map, no resize, 4x4 patches
        PatchLabels p = PatchLabels.of(LabelMap.read(root.resolve(e.annotation().path())), ResizeCropGeometry.fixed(8, 8), 4);
        assertArrayEquals(new int[] {3, 3, 150, 150}, p.labels());

        // the label map enters the checksum
        String before = m.checksum();
        Files.write(root.resolve(e.annotation().path()), new byte[] {0});
        assertNotEquals(before, Ade20kDataset.open(root, "train").manifest().checksum());
    }

    @Test
    void rootMayBeTheDistributionFolderItselfAndSplitsAreNamedEitherWay() throws IOException {
        Path root = layout().resolve("ADEChallengeData2016");
        DatasetManifest m = Ade20kDataset.open(root, "validation").manifest();
        assertEquals(List.of("images/validation/ADE_val_00000001.jpg"), paths(m));
        assertEquals("val", m.split());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ade20kDataset.open(root, "test"));
        assertTrue(e.getMessage().contains("train or val"), e.getMessage());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        e = assertThrows(IllegalArgumentException.class, () -> Ade20kDataset.open(empty, "train"));
        assertTrue(e.getMessage().contains("images/training") && e.getMessage().contains("annotations/training"), e.getMessage());
    }
}
