package saelab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Json;

/**
 * The two views of the same scenes: the colour-segmentation ADE20K layout ({@link ToyWorldWriter#COLOUR_VIEW}) and the
 * image folder by the largest object's colour ({@link ToyWorldWriter#LARGEST_COLOUR_VIEW}), checked against the main
 * layouts and against the scenes themselves.
 */
class ToyWorldWriterViewsTest {

    private static final int N = 60;
    private static final ToyWorld WORLD = ToyWorld.withSeed(5);

    @TempDir
    static Path tmp;
    static Path dir;

    @BeforeAll
    static void write() throws IOException {
        dir = tmp.resolve("toy");
        ToyWorldWriter.write(dir, WORLD, N);
    }

    @Test
    void colourLabelsAreTheColourOfTheObjectOnTopPixelByPixel() throws IOException {
        DatasetListing main = Datasets.open("ade20k:" + dir, "train").list();
        DatasetListing colour = Datasets.open("ade20k:" + dir.resolve(ToyWorldWriter.COLOUR_VIEW), "train").list();
        assertEquals(N, colour.entries().size());
        int shapes = ToyWorldShape.values().length;
        for (int i = 0; i < N; i++) {
            DatasetListing.Entry m = main.entries().get(i);
            DatasetListing.Entry c = colour.entries().get(i);
            assertEquals(fileName(m.path()), fileName(c.path()));
            byte[] labels = LabelMap.read(dir.resolve(m.annotation())).values();
            byte[] colours = LabelMap.read(dir.resolve(ToyWorldWriter.COLOUR_VIEW).resolve(c.annotation())).values();
            ToyWorldScene sc = WORLD.scene(i);
            assertEquals(labels.length, colours.length);
            for (int p = 0; p < labels.length; p++) {
                int label = labels[p] & 0xFF;
                int expected = label == 0 ? 0 : (label - 1) / shapes + 1;
                assertEquals(expected, colours[p] & 0xFF, "image " + i + " pixel " + p);
                int instance = sc.instanceMask()[p] & 0xFF;
                int truth = instance == 0 ? 0 : 1 + sc.objects().get(instance - 1).colour().ordinal();
                assertEquals(truth, colours[p] & 0xFF, "image " + i + " pixel " + p + " against the scene");
            }
            assertArrayEquals(Files.readAllBytes(dir.resolve(m.path())),
                    Files.readAllBytes(dir.resolve(ToyWorldWriter.COLOUR_VIEW).resolve(c.path())), "the same image bytes");
        }
    }

    @Test
    void colourClassesFileListsBackgroundThenTheColourWordsLikeTheMainOne() throws IOException {
        List<String> words = new ArrayList<>();
        words.add("background");
        for (ToyWorldColour c : ToyWorldColour.values()) {
            words.add(c.word());
        }
        assertEquals(words, ToyWorld.colourNames());
        Path classes = dir.resolve(ToyWorldWriter.COLOUR_VIEW).resolve(Ade20kDataset.DIR).resolve("classes.txt");
        assertEquals(String.join("\n", words) + "\n", Files.readString(classes, StandardCharsets.UTF_8));
        // the same format as the main classes.txt: one name per line, a final newline
        assertEquals(String.join("\n", ToyWorld.classNames()) + "\n",
                Files.readString(dir.resolve(Ade20kDataset.DIR).resolve("classes.txt"), StandardCharsets.UTF_8));
        assertEquals(words, Datasets.open("ade20k:" + dir.resolve(ToyWorldWriter.COLOUR_VIEW), "train").list().classes());
        var e = assertThrows(IllegalArgumentException.class, () -> ToyWorld.colourLabel(ToyWorld.labelCount()));
        assertTrue(e.getMessage().contains("segmentation label must be in 0.." + (ToyWorld.labelCount() - 1)), e.getMessage());
    }

    @Test
    void largestColourFolderClassIsTheColourPartOfTheMainClass() throws IOException {
        DatasetListing main = Datasets.open("folder:" + dir.resolve(ToyWorldWriter.FOLDER_VIEW), null).list();
        Map<String, String> mainClassOf = new HashMap<>();
        for (DatasetListing.Entry e : main.entries()) {
            mainClassOf.put(fileName(e.path()), main.classes().get(e.label()));
        }
        DatasetListing byColour = Datasets.open("folder:" + dir.resolve(ToyWorldWriter.LARGEST_COLOUR_VIEW), null).list();
        assertEquals(N, byColour.entries().size());
        TreeSet<String> occurring = new TreeSet<>();
        TreeMap<String, Integer> counts = new TreeMap<>();
        for (DatasetListing.Entry e : byColour.entries()) {
            String cls = byColour.classes().get(e.label());
            String mainClass = mainClassOf.get(fileName(e.path()));
            assertEquals(mainClass.substring(0, mainClass.indexOf('_')), cls, e.path());
            int i = Integer.parseInt(fileName(e.path()).substring(0, 6));
            assertEquals(WORLD.scene(i).largestObject().colour().word(), cls, e.path());
            assertArrayEquals(Files.readAllBytes(dir.resolve(ToyWorldWriter.FOLDER_VIEW).resolve(main.entries().stream()
                    .filter(m -> fileName(m.path()).equals(fileName(e.path()))).findFirst().orElseThrow().path())),
                    Files.readAllBytes(dir.resolve(ToyWorldWriter.LARGEST_COLOUR_VIEW).resolve(e.path())));
            occurring.add(cls);
            counts.merge(cls, 1, Integer::sum);
        }
        assertEquals(List.copyOf(occurring), byColour.classes(), "only colours that occur get a folder, sorted by name");

        JsonNode info = Json.mapper().readTree(dir.resolve("world.json").toFile());
        assertEquals(ToyWorldWriter.GENERATOR, info.get("format").asText());
        JsonNode views = info.get("views");
        assertEquals(ToyWorldWriter.COLOUR_VIEW, views.get("colour").get("ade20k").asText());
        assertEquals(ToyWorld.colourNames(), Json.mapper().convertValue(views.get("colour").get("label_names"), List.class));
        assertEquals(ToyWorldWriter.LARGEST_COLOUR_VIEW, views.get("largest_colour").get("folder").asText());
        assertEquals(counts, Json.mapper().convertValue(views.get("largest_colour").get("images_per_class"), TreeMap.class));

        JsonNode r = Json.mapper().readTree(Files.readAllLines(dir.resolve("captions.jsonl")).get(4));
        for (String field : List.of("colour_image", "colour_annotation", "largest_colour_file")) {
            assertTrue(Files.isRegularFile(dir.resolve(r.get(field).asText())), field);
        }
    }

    @Test
    void theImageCopiesAreHardLinksOfTheAdeImage() throws IOException {
        Path ade = dir.resolve(Ade20kDataset.DIR).resolve("images/training/toy_000011.png");
        ToyWorldScene sc = WORLD.scene(11);
        List<Path> copies = List.of(
                dir.resolve(ToyWorldWriter.FOLDER_VIEW).resolve(sc.className()).resolve("000011.png"),
                dir.resolve(ToyWorldWriter.COLOUR_VIEW).resolve(Ade20kDataset.DIR).resolve("images/training/toy_000011.png"),
                dir.resolve(ToyWorldWriter.LARGEST_COLOUR_VIEW).resolve(sc.largestObject().colour().word()).resolve("000011.png"));
        boolean unix = Files.getFileStore(ade).supportsFileAttributeView("unix");
        for (Path copy : copies) {
            assertTrue(Files.isRegularFile(copy), copy.toString());
            if (unix) {
                assertTrue(Files.isSameFile(ade, copy), copy + " is a hard link of " + ade);
            }
        }
        if (unix) {
            assertEquals(1 + copies.size(), ((Number) Files.getAttribute(ade, "unix:nlink")).intValue());
        }
    }

    @Test
    void imageCopiesAreTheViewImagesNotTheLayoutsOrTheirAnnotations() throws IOException {
        List<String> copies = new ArrayList<>();
        List<String> listed = new ArrayList<>();
        for (String p : saelab.io.FileTrees.regularFiles(dir)) {
            (ToyWorldWriter.isImageCopy(p) ? copies : listed).add(p);
        }
        assertEquals(3 * N, copies.size(), "images/, views/largest_colour/ and the colour view's images/");
        // listed: the main ADE20K images and annotations, the colour annotations, two classes.txt, world.json, captions.jsonl
        assertEquals(3 * N + 4, listed.size(), listed.toString());
        assertTrue(listed.contains(ToyWorldWriter.COLOUR_VIEW + "/" + Ade20kDataset.DIR + "/classes.txt"));
        assertTrue(listed.contains(ToyWorldWriter.COLOUR_VIEW + "/" + Ade20kDataset.DIR + "/annotations/training/toy_000000.png"));
        assertFalse(ToyWorldWriter.isImageCopy("imagesque/x.png"));
        assertFalse(ToyWorldWriter.isImageCopy(Ade20kDataset.DIR + "/images/training/toy_000000.png"));
    }

    private static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
