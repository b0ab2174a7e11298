package saelab.intervene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import saelab.data.DatasetManifest;

/**
 * The questions of the VLM protocol on a labelled dataset: one per image, the expected answer its class name, only classes
 * with a latent, as many classes as the count allows (round-robin), the same rows for the same seed.
 */
class DatasetQuestionsTest {

    /** Four classes: "a" with 5 images, "b" with 3, "c" with 1, "d" with 2; one unlabelled image. */
    private static DatasetManifest manifest() {
        List<DatasetManifest.Example> ex = new ArrayList<>();
        int[] labels = {0, 0, 1, 0, 2, 1, 0, 3, 1, 0, 3, -1};
        for (int i = 0; i < labels.length; i++) {
            ex.add(new DatasetManifest.Example("img/" + i + ".jpg", 10, labels[i]));
        }
        return new DatasetManifest(DatasetManifest.FORMAT, "folder", null, "/data", null, List.of("a", "b", "c", "d"),
                List.of("a", "b", "c", "d"), ex.size(), DatasetManifest.checksum(ex), null, null, null, ex);
    }

    @Test
    void everyEligibleClassIsAskedBeforeAnyClassIsAskedTwice() {
        List<VlmQuestionFile.Row> rows = DatasetQuestions.rows(manifest(), List.of("a", "b", "d"), "what is it?", 5, 7);
        assertEquals(5, rows.size());
        assertEquals(Set.of("a", "b", "d"), new HashSet<>(rows.subList(0, 3).stream().map(VlmQuestionFile.Row::answer).toList()),
                "the first round covers every eligible class once: " + rows);
        assertTrue(rows.stream().noneMatch(r -> r.answer().equals("c")), "c has no latent");
        assertEquals(5, rows.stream().map(VlmQuestionFile.Row::image).distinct().count(), "one question per image");
        for (VlmQuestionFile.Row r : rows) {
            assertEquals("what is it?", r.question());
            int i = Integer.parseInt(r.image().replaceAll("\\D", ""));
            assertEquals(r.answer(), manifest().className(manifest().example(i).label()), "the answer is the image's own class");
        }
        assertEquals(rows, DatasetQuestions.rows(manifest(), List.of("a", "b", "d"), "what is it?", 5, 7), "the seed fixes the rows");
    }

    @Test
    void aCountAboveTheEligibleImagesAsksEachOnceAndNothingEligibleIsOneSentence() {
        assertEquals(10, DatasetQuestions.rows(manifest(), List.of("a", "b", "d"), "q", 100, 0).size(), "5 + 3 + 2 labelled images");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DatasetQuestions.rows(manifest(), List.of("zebra"), "q", 4, 0));
        assertTrue(e.getMessage().contains("has no labelled image of a class with a chosen latent"), e.getMessage());
    }
}
