package saelab.intervene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Npy;
import saelab.lm.ChatTemplate;

/**
 * The random draws' concepts of a VLM protocol run, on a hand-made run: three colours, latents 0-2 chosen, two random
 * latents per class; the F1 table says added draw 4 is a latent of green. The F1s are looked up by class name (the
 * concepts file's class ids, not the protocol's order), and the random-latent swap answers are split by that.
 */
class ControlDrawConceptsTest {

    @TempDir
    Path dir;

    private static final int D_SAE = 6;

    @Test
    void theDrawsF1AreLookedUpByClassAndTheSwapAnswersSplitByThem() throws Exception {
        // concepts file: none (0), red (1), green (2), blue (3); the protocol's classes are red, green, blue
        Files.writeString(dir.resolve("concepts.csv"), "family,class,name,best_f1_latent,best_f1\n"
                + "colour,0,none,5,0.9\ncolour,1,red,0,0.8\ncolour,2,green,1,0.8\ncolour,3,blue,2,0.8\n");
        float[] f1 = new float[4 * D_SAE];
        f1[2 * D_SAE + 4] = 0.75f; // latent 4 is a green latent
        f1[1 * D_SAE + 3] = 0.10f; // latent 3 barely red
        Npy.writeFloats(dir.resolve("concept_f1_colour.npy"), f1, 4, D_SAE);
        ConceptChoice family = ConceptChoice.read(dir, "colour", null, D_SAE);
        List<String> classes = List.of("red", "green", "blue");
        VlmProtocol.Options o = new VlmProtocol.Options(classes, 2, 0, 4, ChatTemplate.LLAVA_1_5, 0, 10, 0.1, 1, null);
        int[][] random = {{3, 5}, {4, 5}, {3, 4}};
        int[][] added = {{4, 5}, {3, 5}, {3, 5}}; // red's swap adds green: draw 4 is a green latent
        // slots: real, random latent 0, random latent 1
        VlmProtocol.Outcome redQ = new VlmProtocol.Outcome(new VlmProtocol.Question(0, "what colour is the cross?", 0, EditTokens.allPatches()),
                "red", new String[][] {{"red", "red", "red"}, {"green", "green", "blue"}}, new String[0][]);
        VlmProtocol.Outcome greenQ = new VlmProtocol.Outcome(new VlmProtocol.Question(1, "what colour is the disc?", 1, EditTokens.allPatches()),
                "green", new String[][] {{"red", "green", "green"}, {"blue", "green", "blue"}}, new String[0][]);
        VlmProtocol.Result r = new VlmProtocol.Result(o, new int[] {0, 1, 2}, new int[] {1, 2, 0}, random, added, 2, List.of(redQ, greenQ));

        ControlDrawConcepts d = ControlDrawConcepts.read(dir, family, r, D_SAE);
        assertArrayEquals(new double[] {0.10f, 0}, d.suppressF1()[0], 1e-7, "red's suppress draws 3 and 5, scored for red");
        assertArrayEquals(new double[] {0.75f, 0}, d.swapF1()[0], 1e-7, "red's swap adds draws 4 and 5, scored for green");
        assertArrayEquals(new double[] {0, 0}, d.swapF1()[1], 1e-7, "green's swap adds 3 and 5, scored for blue");
        Map<String, Object> s = d.summary(r);
        // red question: draw 4 (a green latent) answered green (hit), draw 5 answered blue; green question: draws 3, 5 -> blue: 1 of 2
        assertEquals(Map.of("answers", 1L, "to_target", 1L, "rate", 1.0), s.get("swap_to_target_when_draw_is_target_latent"));
        assertEquals(Map.of("answers", 3L, "to_target", 1L, "rate", 1.0 / 3), s.get("swap_to_target_when_draw_is_not"));
        assertEquals("concept_f1_colour.npy", s.get("table"));
    }

    /** The concept latents of the answer classes: F1 at least 0.5 for one of them ('none' is no answer class). */
    @Test
    void theConceptLatentsOfTheAnswerClassesAreThoseAtHalfF1OrMore() throws Exception {
        Files.writeString(dir.resolve("concepts.csv"), "family,class,name,best_f1_latent,best_f1\n"
                + "colour,0,none,5,0.9\ncolour,1,red,0,0.8\ncolour,2,green,1,0.8\ncolour,3,blue,2,0.8\n");
        ConceptChoice family = ConceptChoice.read(dir, "colour", null, D_SAE);
        IllegalArgumentException missing = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ControlDrawConcepts.conceptLatents(dir, family, List.of("red", "green"), D_SAE));
        assertEquals(true, missing.getMessage().contains("no F1 table of family 'colour'"), missing.getMessage());
        float[] f1 = new float[4 * D_SAE];
        f1[5] = 0.95f;              // none: latent 5 (not an answer class)
        f1[D_SAE] = 0.8f;           // red: latent 0
        f1[2 * D_SAE + 1] = 0.5f;   // green: latent 1, at the bar
        f1[2 * D_SAE + 4] = 0.49f;  // green: latent 4, below it
        f1[3 * D_SAE + 3] = 0.9f;   // blue: latent 3, not asked
        Npy.writeFloats(dir.resolve("concept_f1_colour.npy"), f1, 4, D_SAE);
        assertArrayEquals(new int[] {0, 1}, ControlDrawConcepts.conceptLatents(dir, family, List.of("green", "red"), D_SAE));
    }

    /** The image protocol's draws: each random latent's F1 for the class it was ablated in place of, and how many are its latents. */
    @Test
    void theImageProtocolsDrawsAreScoredForTheirOwnClass() throws Exception {
        Files.writeString(dir.resolve("concepts.csv"), "family,class,name,best_f1_latent,best_f1\n"
                + "colour,0,none,5,0.9\ncolour,1,red,0,0.8\ncolour,2,green,1,0.8\n");
        float[] f1 = new float[3 * D_SAE];
        f1[D_SAE + 4] = 0.6f;       // latent 4 is a red latent
        f1[2 * D_SAE + 4] = 0.1f;
        Npy.writeFloats(dir.resolve("concept_f1_colour.npy"), f1, 3, D_SAE);
        ConceptChoice family = ConceptChoice.read(dir, "colour", null, D_SAE);
        Map<String, Object> m = ControlDrawConcepts.imageDraws(dir, family, List.of("green", "red"), new int[][] {{4, 3}, {4, 2}}, D_SAE);
        double[][] scores = (double[][]) m.get("random_latent_f1_for_class");
        assertArrayEquals(new double[] {0.1f, 0}, scores[0], 1e-7, "green's draws scored for green");
        assertArrayEquals(new double[] {0.6f, 0}, scores[1], 1e-7, "red's draws scored for red");
        assertEquals(4, m.get("draws"));
        assertEquals(1, m.get("draws_that_are_latents_of_their_class"));
    }

    @Test
    void aTableOfAnotherShapeOrNoneGivesNoDiagnostic() throws Exception {
        Files.writeString(dir.resolve("concepts.csv"), "family,class,name,best_f1_latent,best_f1\ncolour,0,red,0,0.8\ncolour,1,green,1,0.8\n");
        ConceptChoice family = ConceptChoice.read(dir, "colour", null, D_SAE);
        VlmProtocol.Options o = new VlmProtocol.Options(List.of("red", "green"), 1, 0, 4, ChatTemplate.LLAVA_1_5, 0, 10, 0.1, 1, null);
        VlmProtocol.Result r = new VlmProtocol.Result(o, new int[] {0, 1}, new int[] {1, 0}, new int[][] {{2}, {3}}, new int[][] {{3}, {2}}, 0,
                List.of());
        assertNull(ControlDrawConcepts.read(dir, family, r, D_SAE), "no table");
        Npy.writeFloats(dir.resolve("concept_f1_colour.npy"), new float[2 * 4], 2, 4); // a subset of 4 latents, ids not recorded
        assertNull(ControlDrawConcepts.read(dir, family, r, D_SAE), "a table over a subset");
    }
}
