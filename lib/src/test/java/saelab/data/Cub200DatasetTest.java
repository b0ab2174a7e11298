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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CUB-200-2011 metadata files: order, labels, names, splits, and errors naming file and line. */
class Cub200DatasetTest {

    @TempDir
    Path tmp;

    private Path layout() {
        Path base = tmp.resolve("CUB_200_2011");
        TestData.text(base.resolve("classes.txt"), "1 001.Black_footed_Albatross", "2 002.Laysan_Albatross", "3 003.Sooty_Albatross");
        // listed out of id order: the manifest orders by image id
        TestData.text(base.resolve("images.txt"),
                "3 002.Laysan_Albatross/Laysan_Albatross_0001_545.jpg",
                "1 001.Black_footed_Albatross/Black_Footed_Albatross_0046_18.jpg",
                "2 001.Black_footed_Albatross/Black_Footed_Albatross_0009_34.jpg",
                "4 003.Sooty_Albatross/Sooty_Albatross_0031_1066.jpg",
                "5 003.Sooty_Albatross/Sooty_Albatross_0034_796.jpg");
        TestData.text(base.resolve("image_class_labels.txt"), "1 1", "2 1", "3 2", "4 3", "5 3");
        TestData.text(base.resolve("train_test_split.txt"), "1 0", "2 1", "3 1", "4 0", "5 1");
        for (String p : List.of("002.Laysan_Albatross/Laysan_Albatross_0001_545.jpg",
                "001.Black_footed_Albatross/Black_Footed_Albatross_0046_18.jpg",
                "001.Black_footed_Albatross/Black_Footed_Albatross_0009_34.jpg",
                "003.Sooty_Albatross/Sooty_Albatross_0031_1066.jpg", "003.Sooty_Albatross/Sooty_Albatross_0034_796.jpg")) {
            image(base.resolve("images").resolve(p), p.length());
        }
        return tmp;
    }

    @Test
    void splitsLabelsAndNames() throws IOException {
        Path root = layout();
        DatasetManifest all = Cub200Dataset.open(root, "all").manifest();
        String i = "CUB_200_2011/images/";
        assertEquals(List.of(i + "001.Black_footed_Albatross/Black_Footed_Albatross_0046_18.jpg",
                i + "001.Black_footed_Albatross/Black_Footed_Albatross_0009_34.jpg",
                i + "002.Laysan_Albatross/Laysan_Albatross_0001_545.jpg",
                i + "003.Sooty_Albatross/Sooty_Albatross_0031_1066.jpg",
                i + "003.Sooty_Albatross/Sooty_Albatross_0034_796.jpg"), paths(all));
        assertEquals(List.of(0, 0, 1, 2, 2), labels(all));
        assertEquals(List.of("Black footed Albatross", "Laysan Albatross", "Sooty Albatross"), all.classes());
        assertEquals(List.of("001.Black_footed_Albatross", "002.Laysan_Albatross", "003.Sooty_Albatross"), all.classIds());

        DatasetManifest train = Cub200Dataset.open(root, "train").manifest();
        assertEquals(List.of(0, 1, 2), labels(train));
        assertEquals(List.of(all.example(1), all.example(2), all.example(4)), train.examples());
        DatasetManifest test = Cub200Dataset.open(root.resolve("CUB_200_2011"), "test").manifest();
        assertEquals(List.of("images/001.Black_footed_Albatross/Black_Footed_Albatross_0046_18.jpg",
                "images/003.Sooty_Albatross/Sooty_Albatross_0031_1066.jpg"), paths(test));
        assertEquals(all.checksum(), Cub200Dataset.open(root, null).manifest().checksum());
    }

    @Test
    void missingImagesAreSkippedOrStop() throws IOException {
        Path root = layout();
        Files.delete(root.resolve("CUB_200_2011/images/003.Sooty_Albatross/Sooty_Albatross_0031_1066.jpg"));
        DatasetManifest m = Cub200Dataset.open(root, "all").manifest();
        assertEquals(4, m.size());
        assertEquals(List.of(new ImageProblems.Problem("CUB_200_2011/images/003.Sooty_Albatross/Sooty_Albatross_0031_1066.jpg",
                "missing")), m.skipped());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Cub200Dataset.open(root, "all").manifest(ManifestOptions.DEFAULT.withPolicy(ProblemPolicy.STOP)));
        assertTrue(e.getMessage().contains("Sooty_Albatross_0031_1066.jpg: missing"), e.getMessage());
    }

    @Test
    void imagePathsThatLeaveImagesAreRefusedWithFileAndLine() throws IOException {
        Path root = layout();
        Path base = root.resolve("CUB_200_2011");
        for (String bad : List.of("../escape.jpg", "/etc/x.jpg", "001.Black_footed_Albatross\\x.jpg", "a/../../b.jpg")) {
            TestData.text(base.resolve("images.txt"), "1 001.Black_footed_Albatross/Black_Footed_Albatross_0046_18.jpg", "2 " + bad,
                    "3 002.Laysan_Albatross/Laysan_Albatross_0001_545.jpg", "4 003.Sooty_Albatross/Sooty_Albatross_0031_1066.jpg",
                    "5 003.Sooty_Albatross/Sooty_Albatross_0034_796.jpg");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cub200Dataset.open(root, "all").list());
            assertEquals(base.resolve("images.txt") + " line 2: image_id 2: expected a path under images/, got '" + bad + "'",
                    e.getMessage());
        }
    }

    @Test
    void malformedLinesAndMissingFilesAreReportedWithFileAndLine() throws IOException {
        Path root = layout();
        Path base = root.resolve("CUB_200_2011");
        TestData.text(base.resolve("image_class_labels.txt"), "1 1", "2 1", "three 2", "4 3", "5 3");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cub200Dataset.open(root, "all").list());
        assertTrue(e.getMessage().startsWith(base.resolve("image_class_labels.txt") + " line 3: expected '<image_id> <class_id>'"),
                e.getMessage());

        TestData.text(base.resolve("image_class_labels.txt"), "1 1", "2 1", "3 7", "4 3", "5 3");
        e = assertThrows(IllegalArgumentException.class, () -> Cub200Dataset.open(root, "all").list());
        assertTrue(e.getMessage().startsWith(base.resolve("image_class_labels.txt") + " line 3: image_id 3: class_id '7'"),
                e.getMessage());

        TestData.text(base.resolve("image_class_labels.txt"), "1 1", "2 1", "3 2", "4 3");
        e = assertThrows(IllegalArgumentException.class, () -> Cub200Dataset.open(root, "all").list());
        assertTrue(e.getMessage().contains("no line for image_id 5"), e.getMessage());

        TestData.text(base.resolve("image_class_labels.txt"), "1 1", "2 1", "3 2", "4 3", "5 3");
        TestData.text(base.resolve("train_test_split.txt"), "1 0", "2 1", "3 1", "4 0", "5 yes");
        e = assertThrows(IllegalArgumentException.class, () -> Cub200Dataset.open(root, "all").list());
        assertTrue(e.getMessage().startsWith(base.resolve("train_test_split.txt") + " line 5"), e.getMessage());

        TestData.text(base.resolve("train_test_split.txt"), "1 0", "1 1");
        e = assertThrows(IllegalArgumentException.class, () -> Cub200Dataset.open(root, "all").list());
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("repeated"), e.getMessage());

        Files.delete(base.resolve("classes.txt"));
        e = assertThrows(IllegalArgumentException.class, () -> Cub200Dataset.open(root, "all"));
        assertTrue(e.getMessage().contains(base.resolve("classes.txt").toString()), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Cub200Dataset.open(root, "val"));
        assertTrue(e.getMessage().contains("train, test or all"), e.getMessage());
    }
}
