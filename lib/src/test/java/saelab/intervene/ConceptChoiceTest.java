package saelab.intervene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.analysis.ConceptSource;

/** Reading the per-class latent choice from a concepts folder: RFC 4180 fields, and one sentence for each bad file. */
class ConceptChoiceTest {

    private static final String HEADER = "class,name,positives,best_f1_latent,best_f1\n";
    private static final String SHA = "ab".repeat(32);

    @TempDir
    Path tmp;

    private Path folder(String csv) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("c" + Integer.toHexString(csv.hashCode())));
        Files.writeString(dir.resolve("concepts.csv"), csv);
        return dir;
    }

    private String error(String csv, int dSae) throws Exception {
        Path dir = folder(csv);
        return assertThrows(IllegalArgumentException.class, () -> ConceptChoice.read(dir, SHA, dSae)).getMessage();
    }

    @Test
    void readsQuotedNamesBlankLatentsAndFileOrder() throws Exception {
        Path dir = folder(HEADER + "3,\"tree, frog\",12,7,0.75\n1,\"say \"\"cheese\"\"\",4,2,0.5\n0,background,0,,\n");
        ConceptChoice c = ConceptChoice.read(dir, SHA, 8);
        assertEquals(List.of(3, 1, 0), c.classes());
        assertEquals(new ConceptChoice.Choice(3, "tree, frog", 7, 0.75), c.choice(3));
        assertEquals("say \"cheese\"", c.choice(1).name());
        assertEquals(2, c.latent(1));
        assertEquals(-1, c.choice(0).latent());
        assertTrue(Double.isNaN(c.choice(0).f1()));
        assertEquals("class 0 (background) has no chosen latent in " + dir.resolve("concepts.csv") + " (no positive unit in the training"
                + " split); leave it out of --classes", assertThrows(IllegalArgumentException.class, () -> c.latent(0)).getMessage());
        assertEquals("class 9 has no chosen latent in " + dir.resolve("concepts.csv") + " (no row); leave it out of --classes",
                assertThrows(IllegalArgumentException.class, () -> c.latent(9)).getMessage());
    }

    @Test
    void everyBadFileIsOneSentence() throws Exception {
        String csv = "concepts.csv";
        assertTrue(error(HEADER + "1,a,4,2,0.5\n2,b,4\n", 8).endsWith(csv + " line 3 has 3 fields; expected 5"));
        assertTrue(error(HEADER + "1,a,4,2,0.5,9\n", 8).endsWith(csv + " line 2 has 6 fields; expected 5"));
        assertTrue(error("class,name,positives,best_f1\n1,a,4,0.5\n", 8).endsWith(csv + " has no column 'best_f1_latent'; expected the"
                + " concepts.csv of 'saelab concepts'"));
        assertTrue(error(HEADER + "one,a,4,2,0.5\n", 8).endsWith(csv + " line 2: class is 'one'; expected a whole number"));
        assertTrue(error(HEADER + "1,a,4,2.5,0.5\n", 8).endsWith(csv + " line 2: best_f1_latent is '2.5'; expected a whole number"));
        assertTrue(error(HEADER + "1,a,4,x,0.5\n", 8).contains(csv + " line 2: best_f1_latent is 'x'"));
        assertTrue(error(HEADER + "1,a,4,2,high\n", 8).endsWith(csv + " line 2: best_f1 is 'high'; expected a decimal number"));
        assertTrue(error(HEADER + "1,a,4,8,0.5\n", 8).endsWith(csv + " chooses latent 8 for class 1, outside this SAE's d_sae=8 latents;"
                + " the concepts folder was made for another SAE"));
        assertTrue(error(HEADER + "1,a,4,2,0.5\n1,b,4,3,0.5\n", 8).endsWith(csv + " line 3 repeats class 1 or has a negative class"));
        assertTrue(error("family," + HEADER + "ade,1,a,4,2,0.5\nimagenet,2,b,4,3,0.5\n", 8).endsWith(csv + " holds more than one label family"
                + " ('ade' and 'imagenet'); expected the classes of one family, or name one with --family"));
        assertTrue(error("", 8).endsWith(csv + " is empty; expected a header and one row per class"));
        assertTrue(error("class,name,class\n1,a,2\n", 8).endsWith(csv + " repeats a column name in its header; expected the concepts.csv of"
                + " 'saelab concepts'"));

        Path none = Files.createDirectories(tmp.resolve("none"));
        assertEquals("the concepts folder " + none + " has no concepts.csv; write one with 'saelab concepts' on the training split",
                assertThrows(IllegalArgumentException.class, () -> ConceptChoice.read(none, SHA, 8)).getMessage());
        Path other = folder(HEADER + "1,a,4,2,0.5\n");
        new ConceptSource("other.safetensors", "cd".repeat(32), "cache", 1).write(other);
        assertEquals("the concepts folder " + other + " was made with another SAE (sae_sha256 cdcdcdcdcdcd in source.json, this SAE's is"
                + " abababababab); run 'saelab concepts' with this SAE",
                assertThrows(IllegalArgumentException.class, () -> ConceptChoice.read(other, SHA, 8)).getMessage());
    }

    /** Two families in one file, as the demo writes them (with a unit column): colour numbers red first, shape has 'none'. */
    private static final String FAMILIES = "family,unit," + HEADER
            + "colour,patch,0,none,0,,\n"
            + "colour,patch,1,red,30,4,0.9\n"
            + "colour,patch,2,green,20,6,0.8\n"
            + "shape,image,0,red,5,1,0.4\n"
            + "colour,patch,3,blue,10,,\n"
            + "shape,image,1,circle,12,3,0.7\n";

    @Test
    void familySelectsItsRowsAndAMissingFamilyIsOneSentence() throws Exception {
        Path dir = folder(FAMILIES);
        ConceptChoice colour = ConceptChoice.read(dir, " colour ", SHA, 8);
        assertEquals(List.of(0, 1, 2, 3), colour.classes());
        assertEquals(new ConceptChoice.Choice(1, "red", 4, 0.9), colour.choice(1));
        ConceptChoice shape = ConceptChoice.read(dir, "shape", SHA, 8);
        assertEquals(List.of(0, 1), shape.classes());
        assertEquals(1, shape.latent(0)); // the shape family's class 0, not the colour family's
        assertEquals(3, shape.latent(1));

        Path csv = dir.resolve("concepts.csv");
        assertEquals(csv + " has no label family 'texture'; its families are 'colour', 'shape'",
                assertThrows(IllegalArgumentException.class, () -> ConceptChoice.read(dir, "texture", SHA, 8)).getMessage());
        Path single = folder(HEADER + "1,red,4,2,0.5\n");
        assertEquals(single.resolve("concepts.csv") + " has no 'family' column, so it holds one label family and --family 'colour' cannot"
                + " select rows; leave --family out",
                assertThrows(IllegalArgumentException.class, () -> ConceptChoice.read(single, "colour", SHA, 8)).getMessage());
        // a latent beyond d_sae in another family's rows does not matter
        Path wide = folder(FAMILIES + "shape,image,2,square,9,12,0.6\n");
        assertEquals(List.of(0, 1, 2, 3), ConceptChoice.read(wide, "colour", SHA, 8).classes());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConceptChoice.read(wide, "shape", SHA, 8)).getMessage()
                .endsWith(" chooses latent 12 for class 2, outside this SAE's d_sae=8 latents; the concepts folder was made for another SAE"));
    }

    @Test
    void alignmentKeysRowsByTheHeadsClassOfTheSameName() throws Exception {
        Path dir = folder(FAMILIES);
        // an image-folder head sorts its class folders: blue=0, green=1, orange=2, red=3; 'none' is not a head class
        ConceptChoice a = ConceptChoice.read(dir, "colour", SHA, 8).alignedTo(List.of("blue", "green", "orange", "red"), "the head h");
        assertEquals(List.of(0, 1, 3), a.classes());
        assertEquals(new ConceptChoice.Choice(3, "red", 4, 0.9), a.choice(3));
        assertEquals(6, a.latent(1));
        assertEquals(-1, a.choice(0).latent());
        String csv = dir.resolve("concepts.csv").toString();
        assertEquals("class 2 (orange) has no chosen latent in " + csv + " (family 'colour') (no row of that name); leave it out of --classes",
                assertThrows(IllegalArgumentException.class, () -> a.latent(2)).getMessage());
        assertEquals("class 0 (blue) has no chosen latent in " + csv + " (family 'colour') (no positive unit in the training split); leave it"
                + " out of --classes", assertThrows(IllegalArgumentException.class, () -> a.latent(0)).getMessage());
        // a segmentation head's class 0 is 'background': the family's 'none' is dropped, names are matched after trimming
        ConceptChoice seg = ConceptChoice.read(dir, "colour", SHA, 8).alignedTo(List.of("background", " red", "green "), "the head s");
        assertEquals(List.of(1, 2), seg.classes());
        assertEquals(4, seg.latent(1));
        assertEquals(6, seg.latent(2));
    }

    @Test
    void alignmentRefusesNoMatchAndRepeatedNamesInOneSentence() throws Exception {
        Path dir = folder(FAMILIES);
        String csv = dir.resolve("concepts.csv").toString();
        ConceptChoice colour = ConceptChoice.read(dir, "colour", SHA, 8);
        assertEquals("none of the class names in " + csv + " (family 'colour') ('none', 'red', 'green', 'blue') is a class of the head h"
                + " ('Red', 'class 1', 'class 2', 'class 3', 'class 4' and 2 more); expected the concepts of the labels the head predicts,"
                + " with the same names", assertThrows(IllegalArgumentException.class, () -> colour.alignedTo(List.of("Red", "class 1",
                "class 2", "class 3", "class 4", "class 5", "class 6"), "the head h")).getMessage());
        ConceptChoice twice = ConceptChoice.read(folder(HEADER + "0,red,4,2,0.5\n1,green,4,3,0.5\n2, red,4,5,0.5\n"), SHA, 8);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> twice.alignedTo(List.of("red", "green"), "the head h")).getMessage()
                .endsWith("concepts.csv has two rows named 'red' (classes 0 and 2); expected one row per class name to match the head's"
                        + " classes by name"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> colour.alignedTo(List.of("red", "red"), "the head h")).getMessage()
                .startsWith("the head h names class 'red' more than once, so the row of that name in " + csv + " (family 'colour') matches"
                        + " no single head class"));
    }
}
