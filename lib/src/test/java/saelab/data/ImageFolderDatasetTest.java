package saelab.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static saelab.data.TestData.image;
import static saelab.data.TestData.labels;
import static saelab.data.TestData.paths;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** torchvision ImageFolder order and labels, flat folders, splits and errors. */
class ImageFolderDatasetTest {

    @TempDir
    Path tmp;

    /** A class layout whose torchvision order is known: see {@link #classOrderAndLabelsFollowTorchvision}. */
    private Path classTree() throws IOException {
        Path root = tmp.resolve("birds");
        image(root.resolve("b_cls/2.png"), 1);
        image(root.resolve("b_cls/10.png"), 2);
        image(root.resolve("a_cls/top.JPG"), 3);
        image(root.resolve("a_cls/sub/q.Jpeg"), 4);
        image(root.resolve("a_cls/sub-x/r.png"), 5);
        image(root.resolve("a_cls/sub/deep/d.png"), 6);
        image(root.resolve("A_upper/x.webp.png"), 7);
        TestData.text(root.resolve("a_cls/notes.txt"), "not an image");
        TestData.text(root.resolve("b_cls/readme.md"), "not an image");
        image(root.resolve("stray.png"), 8); // top-level file: not listed in a class layout
        return root;
    }

    @Test
    void classOrderAndLabelsFollowTorchvision() throws IOException {
        Path root = classTree();
        DatasetManifest m = ImageFolderDataset.open(root, null, ImageFolderDataset.Labels.AUTO).manifest();
        // classes sorted by code point: 'A' < 'a' < 'b'
        assertEquals(List.of("A_upper", "a_cls", "b_cls"), m.classes());
        assertEquals(m.classes(), m.classIds());
        // within a class: folders sorted by path string (sorted(os.walk)): "", "sub", "sub-x", "sub/deep"
        // ('-' < '/'), files sorted by name ("10.png" < "2.png")
        assertEquals(List.of("A_upper/x.webp.png", "a_cls/top.JPG", "a_cls/sub/q.Jpeg", "a_cls/sub-x/r.png",
                "a_cls/sub/deep/d.png", "b_cls/10.png", "b_cls/2.png"), paths(m));
        assertEquals(List.of(0, 1, 1, 1, 1, 2, 2), labels(m));
        assertEquals("folder", m.kind());
        assertEquals(Map.of("labels", "classes"), m.options());
        for (DatasetManifest.Example e : m.examples()) {
            assertEquals(Files.size(root.resolve(e.path())), e.bytes(), e.path());
        }
        assertTrue(m.skipped().isEmpty());
    }

    @Test
    void flatFolderHasNoLabels() throws IOException {
        Path root = tmp.resolve("flat");
        image(root.resolve("b.png"), 1);
        image(root.resolve("a.jpg"), 2);
        image(root.resolve("C.PNG"), 3);
        TestData.text(root.resolve("list.csv"), "x");
        DatasetManifest m = ImageFolderDataset.open(root, null, ImageFolderDataset.Labels.AUTO).manifest();
        assertEquals(List.of("C.PNG", "a.jpg", "b.png"), paths(m));
        assertEquals(List.of(-1, -1, -1), labels(m));
        assertTrue(m.classes().isEmpty());
        assertEquals(Map.of("labels", "none"), m.options());
    }

    @Test
    void labelsNoneListsAClassTreeRecursivelyWithoutLabels() throws IOException {
        DatasetManifest m = ImageFolderDataset.open(classTree(), null, ImageFolderDataset.Labels.NONE).manifest();
        // the stray top-level file comes first (root folder), then the class folders in walk order
        assertEquals("stray.png", paths(m).getFirst());
        assertEquals(8, m.size());
        assertTrue(labels(m).stream().allMatch(l -> l == -1));
    }

    @Test
    void splitIsASubfolderAndPathsStayRelativeToTheRoot() throws IOException {
        Path root = tmp.resolve("ds");
        image(root.resolve("train/cat/1.png"), 1);
        image(root.resolve("train/dog/1.png"), 2);
        image(root.resolve("val/cat/1.png"), 3);
        DatasetManifest m = ImageFolderDataset.open(root, "train", ImageFolderDataset.Labels.AUTO).manifest();
        assertEquals(List.of("train/cat/1.png", "train/dog/1.png"), paths(m));
        assertEquals("train", m.split());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageFolderDataset.open(root, "test", ImageFolderDataset.Labels.AUTO));
        assertTrue(e.getMessage().contains(root.resolve("test").toString()), e.getMessage());
    }

    @Test
    void aClassWithoutImagesIsAnError() throws IOException {
        Path root = classTree();
        Files.createDirectories(root.resolve("c_empty/sub"));
        TestData.text(root.resolve("c_empty/sub/x.txt"), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageFolderDataset.open(root, null, ImageFolderDataset.Labels.AUTO).list());
        assertTrue(e.getMessage().contains("c_empty") && e.getMessage().contains(".jpg"), e.getMessage());
    }

    @Test
    void aFolderWithoutImagesIsAnError() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("none"));
        TestData.text(root.resolve("x.txt"), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageFolderDataset.open(root, null, ImageFolderDataset.Labels.AUTO).list());
        assertTrue(e.getMessage().contains(root.toString()) && e.getMessage().contains("no image files"), e.getMessage());
        IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
                () -> ImageFolderDataset.open(root, null, ImageFolderDataset.Labels.CLASSES).list());
        assertTrue(c.getMessage().contains("no subfolders"), c.getMessage());
    }

    @Test
    void brokenLinkWithAnImageNameIsReportedAsMissing() throws IOException {
        Path root = tmp.resolve("links");
        image(root.resolve("cls/a.png"), 1);
        Files.createSymbolicLink(root.resolve("cls/b.png"), root.resolve("cls/gone.png"));
        DatasetManifest m = ImageFolderDataset.open(root, null, ImageFolderDataset.Labels.AUTO).manifest();
        assertEquals(List.of("cls/a.png"), paths(m));
        assertEquals(List.of(new ImageProblems.Problem("cls/b.png", "missing")), m.skipped());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageFolderDataset.open(root, null,
                ImageFolderDataset.Labels.AUTO).manifest(ManifestOptions.DEFAULT.withPolicy(ProblemPolicy.STOP)));
        assertTrue(e.getMessage().contains("cls/b.png: missing"), e.getMessage());
    }

    @Test
    void extensionsMatchTorchvisionInAnyCase() {
        for (String ok : List.of("a.jpg", "a.JPEG", "a.Png", "a.ppm", "a.bmp", "a.pgm", "a.tif", "a.TIFF", "a.webp")) {
            assertTrue(ImageFiles.isImage(ok), ok);
        }
        for (String no : List.of("a.gif", "a.txt", "jpg", "a.jpg.txt", "a.heic")) {
            assertTrue(!ImageFiles.isImage(no), no);
        }
    }

    @Test
    void namesAreOrderedByCodePointLikePython() {
        // U+FFFD sorts before U+1F600 by code point, after it by UTF-16 unit (String.compareTo)
        List<String> names = new ArrayList<>(List.of("\uD83D\uDE00.png", "\uFFFD.png", "z.png", "Z.png", "\u00E9.png"));
        names.sort(ImageFiles.CODE_POINT_ORDER);
        assertEquals(List.of("Z.png", "z.png", "\u00E9.png", "\uFFFD.png", "\uD83D\uDE00.png"), names);
    }
}
