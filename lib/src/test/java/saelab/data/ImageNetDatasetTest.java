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
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.Struct;

/** ImageNet-1K in the Kaggle and devkit layouts: class folders, flat val with each label file, names, errors. */
class ImageNetDatasetTest {

    /** 1000 synthetic WordNet ids, sorted (the real ones are not needed: only their order matters). */
    static final List<String> WNIDS = wnids();

    @TempDir
    Path tmp;

    private static List<String> wnids() {
        List<String> w = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            w.add(String.format(Locale.ROOT, "n%08d", 1_440_764 + 13 * i));
        }
        return List.copyOf(w);
    }

    /**
     * Kaggle layout: train with classes 0, 5 and 999; flat val with 4 images, of which val_00000004 has no
     * row in the CSV and the CSV row of val_00000005 has no file.
     */
    private Path kaggle() {
        Path root = tmp.resolve("imagenet");
        List<String> mapping = new ArrayList<>();
        for (String w : WNIDS) {
            mapping.add(w + " words of " + w + ", more words");
        }
        TestData.text(root.resolve(ImageNetDataset.SYNSET_MAPPING), mapping);
        Path train = root.resolve("ILSVRC/Data/CLS-LOC/train");
        for (int k : new int[] {999, 0, 5}) {
            image(train.resolve(WNIDS.get(k)).resolve(WNIDS.get(k) + "_2.JPEG"), k);
            image(train.resolve(WNIDS.get(k)).resolve(WNIDS.get(k) + "_10.JPEG"), k + 1);
        }
        Path val = root.resolve("ILSVRC/Data/CLS-LOC/val");
        for (int i = 1; i <= 4; i++) {
            image(val.resolve(String.format(Locale.ROOT, "ILSVRC2012_val_%08d.JPEG", i)), 100 + i);
        }
        TestData.text(root.resolve(ImageNetDataset.VAL_SOLUTION),
                "ImageId,PredictionString",
                "ILSVRC2012_val_00000003," + WNIDS.get(7) + " 1 2 30 40 " + WNIDS.get(7) + " 5 6 7 8 ",
                "ILSVRC2012_val_00000001," + WNIDS.get(65) + " 10 20 30 40",
                "ILSVRC2012_val_00000002," + WNIDS.get(999) + " 1 1 2 2",
                "ILSVRC2012_val_00000005," + WNIDS.get(3) + " 1 1 2 2");
        return root;
    }

    @Test
    void kaggleTrainFoldersGiveSortedWnidLabelsAndOpenAiNames() throws IOException {
        Path root = kaggle();
        DatasetManifest m = ImageNetDataset.open(root, "train", ImageNetDataset.Names.OPENAI).manifest();
        String t = "ILSVRC/Data/CLS-LOC/train/";
        assertEquals(List.of(t + WNIDS.get(0) + "/" + WNIDS.get(0) + "_10.JPEG", t + WNIDS.get(0) + "/" + WNIDS.get(0) + "_2.JPEG",
                t + WNIDS.get(5) + "/" + WNIDS.get(5) + "_10.JPEG", t + WNIDS.get(5) + "/" + WNIDS.get(5) + "_2.JPEG",
                t + WNIDS.get(999) + "/" + WNIDS.get(999) + "_10.JPEG", t + WNIDS.get(999) + "/" + WNIDS.get(999) + "_2.JPEG"),
                paths(m));
        assertEquals(List.of(0, 0, 5, 5, 999, 999), labels(m));
        assertEquals(1000, m.classes().size());
        assertEquals("tench", m.classes().get(0));
        assertEquals("sea snake", m.classes().get(65));
        assertEquals("toilet paper", m.classes().get(999));
        assertEquals(WNIDS, m.classIds());
        assertEquals("train", m.split());
    }

    @Test
    void kaggleFlatValIsLabelledByTheCsvAndReportsGaps() throws IOException {
        Path root = kaggle();
        DatasetManifest m = ImageNetDataset.open(root, "validation", ImageNetDataset.Names.OPENAI).manifest();
        String v = "ILSVRC/Data/CLS-LOC/val/";
        assertEquals(List.of(v + "ILSVRC2012_val_00000001.JPEG", v + "ILSVRC2012_val_00000002.JPEG",
                v + "ILSVRC2012_val_00000003.JPEG"), paths(m));
        assertEquals(List.of(65, 999, 7), labels(m));
        assertEquals("val", m.split());
        assertEquals(List.of(new ImageProblems.Problem(v + "ILSVRC2012_val_00000004.JPEG", "no label in LOC_val_solution.csv"),
                new ImageProblems.Problem(v + "ILSVRC2012_val_00000005.JPEG", "missing")), m.skipped());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageNetDataset.open(root, "val",
                ImageNetDataset.Names.OPENAI).manifest(ManifestOptions.DEFAULT.withPolicy(ProblemPolicy.STOP)));
        assertTrue(e.getMessage().contains("2 image problems") && e.getMessage().contains("ILSVRC2012_val_00000005.JPEG: missing"),
                e.getMessage());
    }

    @Test
    void wordnetNamesComeFromTheSynsetMapping() throws IOException {
        DatasetManifest m = ImageNetDataset.open(kaggle(), "train", ImageNetDataset.Names.WORDNET).manifest();
        assertEquals("words of " + WNIDS.get(5) + ", more words", m.classes().get(5));
        assertEquals("wordnet", m.options().get("names"));
    }

    @Test
    void malformedCsvLinesAreReportedWithFileAndLine() throws IOException {
        Path root = kaggle();
        Path csv = root.resolve(ImageNetDataset.VAL_SOLUTION);
        List<String> lines = new ArrayList<>(Files.readAllLines(csv));
        lines.add("ILSVRC2012_val_00000009 n01440764 1 2 3 4"); // line 6: no comma
        TestData.text(csv, lines);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageNetDataset.open(root, "val", ImageNetDataset.Names.OPENAI).list());
        assertTrue(e.getMessage().startsWith(csv + " line 6: expected '<ImageId>,<wnid>"), e.getMessage());

        lines.set(5, "ILSVRC2012_val_00000009,n99999999 1 2 3 4"); // a wnid that is not a class
        TestData.text(csv, lines);
        e = assertThrows(IllegalArgumentException.class, () -> ImageNetDataset.open(root, "val", ImageNetDataset.Names.OPENAI).list());
        assertTrue(e.getMessage().contains(csv + " line 6") && e.getMessage().contains("n99999999"), e.getMessage());

        TestData.text(csv, "ImageId;PredictionString");
        e = assertThrows(IllegalArgumentException.class, () -> ImageNetDataset.open(root, "val", ImageNetDataset.Names.OPENAI).list());
        assertTrue(e.getMessage().startsWith(csv + " line 1: expected the header 'ImageId,PredictionString'"), e.getMessage());
    }

    /** Plain layout: train class folders, flat val, devkit ground truth and meta.mat in ILSVRC2012_devkit_t12/data. */
    private Path devkit(boolean withMeta) throws IOException {
        Path root = tmp.resolve("plain");
        for (int k : new int[] {0, 500, 999}) {
            image(root.resolve("train").resolve(WNIDS.get(k)).resolve("a.JPEG"), k);
        }
        for (int i = 1; i <= 3; i++) {
            image(root.resolve("val").resolve(String.format(Locale.ROOT, "ILSVRC2012_val_%08d.JPEG", i)), i);
        }
        Path data = root.resolve("ILSVRC2012_devkit_t12/data");
        // ILSVRC2012_IDs 1, 1000, 500; the devkit order here is the reverse of the sorted order: id k -> WNIDS[1000 - k]
        TestData.text(data.resolve(ImageNetDataset.GROUND_TRUTH), "1", "1000", "500");
        if (withMeta) {
            Struct s = Mat5.newStruct(1002, 1);
            for (int i = 0; i < 1002; i++) {
                int id = i + 1;
                boolean leaf = id <= 1000;
                String wnid = leaf ? WNIDS.get(1000 - id) : String.format(Locale.ROOT, "n9%07d", id);
                s.set("ILSVRC2012_ID", i, Mat5.newScalar(id));
                s.set("WNID", i, Mat5.newString(wnid));
                s.set("words", i, Mat5.newString("devkit words " + id));
                s.set("num_children", i, Mat5.newScalar(leaf ? 0 : 3));
            }
            Mat5.writeToFile(Mat5.newMatFile().addArray("synsets", s), data.resolve(ImageNetDataset.META).toFile());
        }
        return root;
    }

    @Test
    void devkitGroundTruthIsMappedThroughMetaMatToSortedLabels() throws IOException {
        Path root = devkit(true);
        DatasetManifest m = ImageNetDataset.open(root, "val", ImageNetDataset.Names.OPENAI).manifest();
        assertEquals(List.of("val/ILSVRC2012_val_00000001.JPEG", "val/ILSVRC2012_val_00000002.JPEG",
                "val/ILSVRC2012_val_00000003.JPEG"), paths(m));
        // id 1 -> WNIDS[999], id 1000 -> WNIDS[0], id 500 -> WNIDS[500]: the ids themselves are not labels
        assertEquals(List.of(999, 0, 500), labels(m));
        assertEquals(WNIDS, m.classIds());
        DatasetManifest w = ImageNetDataset.open(root, "val", ImageNetDataset.Names.WORDNET).manifest();
        assertEquals("devkit words 1", w.classes().get(999));
        // train: the class list comes from meta.mat (only 3 of 1000 train folders here)
        assertEquals(List.of(0, 500, 999), labels(ImageNetDataset.open(root, "train", ImageNetDataset.Names.OPENAI).manifest()));
    }

    @Test
    void devkitGroundTruthWithoutMetaMatIsRefused() throws IOException {
        Path root = devkit(false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageNetDataset.open(root, "val", ImageNetDataset.Names.OPENAI).list());
        assertTrue(e.getMessage().contains("meta.mat") && e.getMessage().contains("ILSVRC2012_IDs"), e.getMessage());
    }

    @Test
    void badGroundTruthLinesAndNotAMatFileAreReported() throws IOException {
        Path root = devkit(true);
        Path gt = root.resolve("ILSVRC2012_devkit_t12/data").resolve(ImageNetDataset.GROUND_TRUTH);
        TestData.text(gt, "1", "", "1001");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageNetDataset.open(root, "val", ImageNetDataset.Names.OPENAI).list());
        assertTrue(e.getMessage().startsWith(gt + " line 3: expected an ILSVRC2012_ID between 1 and 1000"), e.getMessage());
        Path meta = root.resolve("ILSVRC2012_devkit_t12/data").resolve(ImageNetDataset.META);
        Files.writeString(meta, "not a MAT file");
        e = assertThrows(IllegalArgumentException.class, () -> ImageNetClasses.readDevkitMeta(meta));
        assertTrue(e.getMessage().startsWith(meta.toString()) && e.getMessage().contains("synsets"), e.getMessage());
    }

    @Test
    void valInClassFoldersAndMissingLayoutsAndSplits() throws IOException {
        Path root = tmp.resolve("valprep");
        List<String> mapping = WNIDS.stream().map(w -> w + " x").toList();
        TestData.text(root.resolve(ImageNetDataset.SYNSET_MAPPING), mapping);
        image(root.resolve("val").resolve(WNIDS.get(3)).resolve("ILSVRC2012_val_00000010.JPEG"), 1);
        image(root.resolve("val").resolve(WNIDS.get(1)).resolve("ILSVRC2012_val_00000020.JPEG"), 2);
        DatasetManifest m = ImageNetDataset.open(root, "val", ImageNetDataset.Names.OPENAI).manifest();
        assertEquals(List.of(1, 3), labels(m));
        assertEquals("val/" + WNIDS.get(1) + "/ILSVRC2012_val_00000020.JPEG", m.example(0).path());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageNetDataset.open(root, "train", ImageNetDataset.Names.OPENAI));
        assertTrue(e.getMessage().contains(root.resolve("ILSVRC/Data/CLS-LOC/train").toString())
                && e.getMessage().contains(root.resolve("train").toString()), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ImageNetDataset.open(root, "test", ImageNetDataset.Names.OPENAI));
        assertTrue(e.getMessage().contains("train or val"), e.getMessage());

        Files.createDirectories(root.resolve("val/not_a_wnid"));
        e = assertThrows(IllegalArgumentException.class, () -> ImageNetDataset.open(root, "val", ImageNetDataset.Names.OPENAI).list());
        assertTrue(e.getMessage().contains("not_a_wnid"), e.getMessage());
    }

    @Test
    void anEmptyClassFolderIsRefusedAfterTheClassesBeforeIt() throws IOException {
        Path root = tmp.resolve("empty-class");
        TestData.text(root.resolve(ImageNetDataset.SYNSET_MAPPING), WNIDS.stream().map(w -> w + " x").toList());
        Path train = root.resolve("train");
        image(train.resolve(WNIDS.get(0)).resolve("a.JPEG"), 1);
        Files.createDirectories(train.resolve(WNIDS.get(2)).resolve("nested"));
        image(train.resolve(WNIDS.get(4)).resolve("b.JPEG"), 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageNetDataset.open(root, "train", ImageNetDataset.Names.OPENAI).list());
        assertEquals(train.resolve(WNIDS.get(2)) + ": no image files in this class folder (extensions " + ImageFiles.EXTENSIONS + ")",
                e.getMessage());
        // a folder named like a wnid but not one of the 1000 is refused where it stands, before a later empty one
        Files.createDirectories(train.resolve("n00000001"));
        image(train.resolve("n00000001").resolve("c.JPEG"), 3);
        e = assertThrows(IllegalArgumentException.class, () -> ImageNetDataset.open(root, "train", ImageNetDataset.Names.OPENAI).list());
        assertEquals(train.resolve("n00000001") + ": WordNet id n00000001 is not one of the 1000 ImageNet-1K classes", e.getMessage());
    }

    @Test
    void withoutAClassListTheLayoutIsRefused() throws IOException {
        Path root = tmp.resolve("subset");
        image(root.resolve("train").resolve(WNIDS.get(0)).resolve("a.JPEG"), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageNetDataset.open(root, "train", ImageNetDataset.Names.OPENAI).list());
        assertTrue(e.getMessage().contains("LOC_synset_mapping.txt") && e.getMessage().contains("folder:PATH"), e.getMessage());
        TestData.text(root.resolve(ImageNetDataset.SYNSET_MAPPING), WNIDS.getFirst() + " a", "x1 b");
        e = assertThrows(IllegalArgumentException.class, () -> ImageNetDataset.open(root, "train", ImageNetDataset.Names.OPENAI).list());
        assertTrue(e.getMessage().startsWith(root.resolve(ImageNetDataset.SYNSET_MAPPING) + " line 2: expected '<wnid> <words>'"),
                e.getMessage());
    }
}
