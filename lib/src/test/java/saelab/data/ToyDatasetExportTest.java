package saelab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Toy-world scenes written in the four real layouts read back through the real readers with the labels they were written with. */
class ToyDatasetExportTest {

    private static final ToyWorld WORLD = ToyWorld.withSeed(5);
    private static final ToyWorld HELD = new ToyWorld(WORLD.imageSize(), WORLD.minObjects(), WORLD.maxObjects(), WORLD.seed() + 1);
    private static final int N = 7;
    private static final int HELD_N = 3;

    @TempDir
    Path dir;

    private static int colour(ToyWorld w, int i) {
        return w.scene(i).largestObject().colour().ordinal();
    }

    private static List<Integer> colours(ToyWorld w, int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(colour(w, i));
        }
        return out;
    }

    private DatasetManifest open(ToyDatasetExport.Layout l, String options, String split) throws IOException {
        DatasetManifest m = Datasets.open(l.id() + options + ":" + dir.resolve(l.id()), split).manifest(ManifestOptions.DEFAULT
                .withPolicy(ProblemPolicy.STOP));
        assertEquals(l.id(), m.kind());
        return m;
    }

    @Test
    void imagenetKaggleLayoutReadsBackWithSynsetLabelsAndNames() throws IOException {
        ToyDatasetExport.write(ToyDatasetExport.Layout.IMAGENET, dir.resolve("imagenet"), WORLD, N, HELD_N);
        DatasetManifest train = open(ToyDatasetExport.Layout.IMAGENET, ",names=wordnet", "train");
        assertEquals(N, train.nExamples());
        assertEquals(1000, train.classes().size());
        assertEquals(ToyDatasetExport.colours(), train.classes().subList(0, ToyDatasetExport.colours().size()));
        Pattern p = Pattern.compile("n\\d{8}_(\\d+)\\.JPEG$");
        for (DatasetManifest.Example e : train.examples()) {
            Matcher mt = p.matcher(e.path());
            assertTrue(mt.find(), e.path());
            assertEquals(colour(WORLD, Integer.parseInt(mt.group(1)) - 1), e.label(), e.path());
        }
        DatasetManifest val = open(ToyDatasetExport.Layout.IMAGENET, ",names=wordnet", "val");
        assertEquals(colours(HELD, HELD_N), val.examples().stream().map(DatasetManifest.Example::label).toList(),
                "the flat val folder is labelled through LOC_val_solution.csv in file-name order");
    }

    @Test
    void inat2021ReadsBackAtSpeciesAndGenusLevel() throws IOException {
        ToyDatasetExport.write(ToyDatasetExport.Layout.INAT2021, dir.resolve("inat2021"), WORLD, N, HELD_N);
        DatasetManifest train = open(ToyDatasetExport.Layout.INAT2021, "", "train_mini");
        assertEquals(colours(WORLD, N), train.examples().stream().map(DatasetManifest.Example::label).toList());
        assertEquals("Red toy", train.classes().get(0));
        DatasetManifest val = open(ToyDatasetExport.Layout.INAT2021, ",level=genus", "val");
        assertEquals(colours(HELD, HELD_N), val.examples().stream().map(DatasetManifest.Example::label).toList());
        assertEquals(ToyDatasetExport.colours().size(), val.classes().size());
    }

    @Test
    void cub200ReadsBackTrainAndTestSplits() throws IOException {
        ToyDatasetExport.write(ToyDatasetExport.Layout.CUB200, dir.resolve("cub200"), WORLD, N, HELD_N);
        DatasetManifest train = open(ToyDatasetExport.Layout.CUB200, "", "train");
        assertEquals(colours(WORLD, N), train.examples().stream().map(DatasetManifest.Example::label).toList());
        DatasetManifest test = open(ToyDatasetExport.Layout.CUB200, "", "test");
        assertEquals(colours(HELD, HELD_N), test.examples().stream().map(DatasetManifest.Example::label).toList());
        assertEquals("Red toy", train.classes().get(0));
    }

    @Test
    void ade20kLabelMapsAreTheColourSegmentation() throws IOException {
        ToyDatasetExport.write(ToyDatasetExport.Layout.ADE20K, dir.resolve("ade20k"), WORLD, N, HELD_N);
        DatasetManifest train = open(ToyDatasetExport.Layout.ADE20K, "", "train");
        DatasetManifest val = open(ToyDatasetExport.Layout.ADE20K, "", "val");
        assertEquals(N, train.nExamples());
        assertEquals(HELD_N, val.nExamples());
        assertEquals(151, train.classes().size(), "ADE20K's own class names: the real layout has no class list");
        for (int i = 0; i < N; i++) {
            DatasetManifest.Example e = train.examples().get(i);
            assertEquals(String.format("images/training/ADE_train_%08d.jpg", i + 1), e.path().substring(e.path().indexOf("images/")));
            BufferedImage map = ImageIO.read(Path.of(train.root()).resolve(e.annotation().path()).toFile());
            byte[] got = new byte[map.getWidth() * map.getHeight()];
            map.getRaster().getDataElements(0, 0, map.getWidth(), map.getHeight(), got);
            assertArrayEquals(WORLD.scene(i).colourMask(), got, e.annotation().path());
        }
    }

    @Test
    void aNonEmptyFolderThatIsNotAnExportIsRefusedAndAnExportIsReplaced() throws IOException {
        Path target = dir.resolve("mine");
        Files.createDirectories(target);
        Files.writeString(target.resolve("notes.txt"), "keep me");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ToyDatasetExport.write(ToyDatasetExport.Layout.CUB200, target, WORLD, 2, 1));
        assertTrue(e.getMessage().contains("not empty and has no " + ToyDatasetExport.MARKER), e.getMessage());
        assertEquals("keep me", Files.readString(target.resolve("notes.txt")));
        Path out = dir.resolve("cub");
        ToyDatasetExport.write(ToyDatasetExport.Layout.CUB200, out, WORLD, 2, 1);
        ToyDatasetExport.write(ToyDatasetExport.Layout.CUB200, out, WORLD, 3, 1);
        assertEquals(3, Datasets.open("cub200:" + out, "train").manifest().nExamples(), "an earlier export is replaced whole");
        assertThrows(IllegalArgumentException.class, () -> ToyDatasetExport.write(ToyDatasetExport.Layout.CUB200, out, WORLD, 0, 1));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ToyDatasetExport.Layout.parse("coco", "--layout"));
        assertEquals("--layout is 'coco'; expected imagenet, inat2021, ade20k or cub200", bad.getMessage());
    }
}
