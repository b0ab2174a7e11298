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
                + " ('ade' and 'imagenet'); expected the classes of one family"));
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
}
