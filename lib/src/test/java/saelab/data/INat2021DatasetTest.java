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

/** iNat2021 annotation files: order, labels at each taxonomy level, homonyms, problems and errors. */
class INat2021DatasetTest {

    @TempDir
    Path tmp;

    private static String category(int id, String kingdom, String phylum, String cls, String order, String family,
                                   String genus, String epithet) {
        return "{\"id\": " + id + ", \"name\": \"" + genus + " " + epithet + "\", \"common_name\": \"x\", \"supercategory\": \""
                + kingdom + "\", \"kingdom\": \"" + kingdom + "\", \"phylum\": \"" + phylum + "\", \"class\": \"" + cls
                + "\", \"order\": \"" + order + "\", \"family\": \"" + family + "\", \"genus\": \"" + genus
                + "\", \"specific_epithet\": \"" + epithet + "\", \"image_dir_name\": \"" + String.format("%05d", id) + "_x\"}";
    }

    /**
     * Categories 0..3 (category 3's genus "Parus" is a plant homonym of category 0's bird genus), and five
     * images listed out of file-name order; image 14 has no annotation.
     */
    private Path layout() {
        Path root = tmp.resolve("inat");
        String json = "{\n"
                + "\"info\": {\"year\": 2021, \"nested\": {\"a\": [1, 2]}},\n"
                + "\"licenses\": [{\"id\": 0}],\n"
                + "\"images\": [\n"
                + "  {\"id\": 12, \"width\": 6, \"height\": 5, \"file_name\": \"train_mini/00002_Plantae/b.jpg\", \"license\": 0},\n"
                + "  {\"id\": 10, \"file_name\": \"train_mini/00000_Animalia/z.jpg\"},\n"
                + "  {\"id\": 11, \"file_name\": \"train_mini/00001_Animalia/a.jpg\"},\n"
                + "  {\"id\": 14, \"file_name\": \"train_mini/00000_Animalia/y.jpg\"},\n"
                + "  {\"id\": 13, \"file_name\": \"train_mini/00003_Plantae/c.jpg\"}\n"
                + "],\n"
                + "\"categories\": [\n"
                + "  " + category(3, "Plantae", "Tracheophyta", "Magnoliopsida", "Rosales", "Rosaceae", "Parus", "fictus") + ",\n"
                + "  " + category(0, "Animalia", "Chordata", "Aves", "Passeriformes", "Paridae", "Parus", "major") + ",\n"
                + "  " + category(1, "Animalia", "Chordata", "Aves", "Passeriformes", "Paridae", "Parus", "minor") + ",\n"
                + "  " + category(2, "Plantae", "Tracheophyta", "Magnoliopsida", "Fagales", "Fagaceae", "Quercus", "robur") + "\n"
                + "],\n"
                + "\"annotations\": [\n"
                + "  {\"id\": 0, \"image_id\": 10, \"category_id\": 0},\n"
                + "  {\"id\": 1, \"image_id\": 11, \"category_id\": 1},\n"
                + "  {\"id\": 2, \"image_id\": 12, \"category_id\": 2},\n"
                + "  {\"id\": 3, \"image_id\": 13, \"category_id\": 3}\n"
                + "]}\n";
        TestData.text(root.resolve("train_mini.json"), json);
        image(root.resolve("train_mini/00002_Plantae/b.jpg"), 1);
        image(root.resolve("train_mini/00000_Animalia/z.jpg"), 2);
        image(root.resolve("train_mini/00001_Animalia/a.jpg"), 3);
        image(root.resolve("train_mini/00000_Animalia/y.jpg"), 4);
        image(root.resolve("train_mini/00003_Plantae/c.jpg"), 5);
        return root;
    }

    private DatasetManifest manifest(Path root, TaxonomyLevel level) throws IOException {
        return INat2021Dataset.open(root, "train_mini", level).manifest();
    }

    @Test
    void speciesLabelsAreCategoryIdsInAnnotationFileOrder() throws IOException {
        DatasetManifest m = manifest(layout(), TaxonomyLevel.SPECIES);
        assertEquals(List.of("train_mini/00002_Plantae/b.jpg", "train_mini/00000_Animalia/z.jpg",
                "train_mini/00001_Animalia/a.jpg", "train_mini/00003_Plantae/c.jpg"), paths(m));
        assertEquals(List.of(2, 0, 1, 3), labels(m));
        assertEquals(List.of("Parus major", "Parus minor", "Quercus robur", "Parus fictus"), m.classes());
        assertEquals(List.of("0", "1", "2", "3"), m.classIds());
        assertEquals("species", m.options().get("level"));
        assertEquals(List.of(new ImageProblems.Problem("train_mini/00000_Animalia/y.jpg",
                "no annotation in train_mini.json (image id 14)")), m.skipped());
    }

    @Test
    void higherLevelsNumberTaxaByFirstAppearanceAndSeparateHomonyms() throws IOException {
        Path root = layout();
        DatasetManifest genus = manifest(root, TaxonomyLevel.GENUS);
        assertEquals(List.of("Parus (Animalia/Chordata/Aves/Passeriformes/Paridae)", "Quercus",
                "Parus (Plantae/Tracheophyta/Magnoliopsida/Rosales/Rosaceae)"), genus.classes());
        assertEquals(List.of("Animalia/Chordata/Aves/Passeriformes/Paridae/Parus",
                "Plantae/Tracheophyta/Magnoliopsida/Fagales/Fagaceae/Quercus",
                "Plantae/Tracheophyta/Magnoliopsida/Rosales/Rosaceae/Parus"), genus.classIds());
        assertEquals(List.of(1, 0, 0, 2), labels(genus));

        DatasetManifest kingdom = manifest(root, TaxonomyLevel.KINGDOM);
        assertEquals(List.of("Animalia", "Plantae"), kingdom.classes());
        assertEquals(List.of(1, 0, 0, 1), labels(kingdom));

        DatasetManifest order = manifest(root, TaxonomyLevel.ORDER);
        assertEquals(List.of("Passeriformes", "Fagales", "Rosales"), order.classes());
        assertEquals(List.of(1, 0, 0, 2), labels(order));

        DatasetManifest cls = manifest(root, TaxonomyLevel.CLASS);
        assertEquals(List.of("Aves", "Magnoliopsida"), cls.classes());
        assertEquals(List.of("Animalia/Chordata/Aves", "Plantae/Tracheophyta/Magnoliopsida"), cls.classIds());
        // the list is the same at every level, the labels differ, and so does the checksum
        assertEquals(paths(genus), paths(kingdom));
        assertTrue(!genus.checksum().equals(kingdom.checksum()));
        assertEquals(TaxonomyLevel.GENUS, TaxonomyLevel.parse("Genus"));
        assertThrows(IllegalArgumentException.class, () -> TaxonomyLevel.parse("tribe"));
    }

    @Test
    void missingImageFilesAreSkippedOrStop() throws IOException {
        Path root = layout();
        Files.delete(root.resolve("train_mini/00001_Animalia/a.jpg"));
        DatasetManifest m = manifest(root, TaxonomyLevel.SPECIES);
        assertEquals(3, m.size());
        assertTrue(m.skipped().contains(new ImageProblems.Problem("train_mini/00001_Animalia/a.jpg", "missing")), m.skipped().toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> INat2021Dataset.open(root, "train_mini",
                TaxonomyLevel.SPECIES).manifest(ManifestOptions.DEFAULT.withPolicy(ProblemPolicy.STOP)));
        assertTrue(e.getMessage().contains("train_mini/00001_Animalia/a.jpg: missing"), e.getMessage());
    }

    @Test
    void malformedJsonIsReportedWithFileAndLine() throws IOException {
        Path root = layout();
        Path json = root.resolve("train_mini.json");
        String text = Files.readString(json);
        Files.writeString(json, text.replace("\"id\": 11, \"file_name\"", "\"id\": 11 \"file_name\""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> manifest(root, TaxonomyLevel.SPECIES));
        assertTrue(e.getMessage().startsWith(json + " is not valid JSON") && e.getMessage().contains("line 7"), e.getMessage());

        Files.writeString(json, text.replace("\"image_id\": 12, \"category_id\": 2", "\"image_id\": 12, \"category_id\": 9"));
        e = assertThrows(IllegalArgumentException.class, () -> manifest(root, TaxonomyLevel.SPECIES));
        assertTrue(e.getMessage().startsWith(json + " line 20: annotations: category_id 9"), e.getMessage());

        Files.writeString(json, text.replace("\"file_name\": \"train_mini/00000_Animalia/z.jpg\"", "\"file_name\": 5"));
        e = assertThrows(IllegalArgumentException.class, () -> manifest(root, TaxonomyLevel.SPECIES));
        assertTrue(e.getMessage().startsWith(json + " line 6: images[1]: field 'file_name'"), e.getMessage());

        Files.writeString(json, text.replace("\"genus\": \"Quercus\", ", ""));
        e = assertThrows(IllegalArgumentException.class, () -> manifest(root, TaxonomyLevel.GENUS));
        assertTrue(e.getMessage().contains(json + " line 15: categories (id 2): field 'genus'"), e.getMessage());

        Files.writeString(json, "{\"images\": [], \"categories\": []}");
        e = assertThrows(IllegalArgumentException.class, () -> manifest(root, TaxonomyLevel.SPECIES));
        assertTrue(e.getMessage().contains("field 'annotations' missing"), e.getMessage());
    }

    @Test
    void missingAnnotationFileAndUnknownSplitNameWhatIsExpected() {
        Path root = layout();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> INat2021Dataset.open(root, "val", TaxonomyLevel.SPECIES));
        assertTrue(e.getMessage().contains(root.resolve("val.json").toString()), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> INat2021Dataset.open(root, "public_test", TaxonomyLevel.SPECIES));
        assertTrue(e.getMessage().contains("train_mini"), e.getMessage());
    }
}
