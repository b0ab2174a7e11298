package saelab.toy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import saelab.data.ToyWorld;
import saelab.data.ToyWorldObject;
import saelab.data.ToyWorldScene;

/** The toy VLM's questions: a pure function of (seed, scene), each with exactly one right answer read off the ground truth. */
class ToyQuestionsTest {

    private static final ToyWorld WORLD = ToyWorld.withSeed(3);
    private static final int SCENES = 400;

    @Test
    void questionsAreDeterministicPerSeedAndScene() {
        // the same (seed, scene) gives the same questions whatever else was generated before, and in any order
        List<ToyQuestion> forward = ToyQuestions.range(WORLD, 0, 50, 7);
        for (int i = 49; i >= 0; i--) {
            List<ToyQuestion> alone = ToyQuestions.of(ToyWorld.withSeed(3).scene(i), 7);
            assertEquals(alone, forward.stream().filter(q -> q.scene() == alone.getFirst().scene()).toList(), "scene " + i);
        }
        // another seed changes which shape or colour is asked about in some scene with a choice
        assertNotEquals(ToyQuestions.range(WORLD, 0, SCENES, 7), ToyQuestions.range(WORLD, 0, SCENES, 8));
    }

    @Test
    void everyQuestionHasExactlyOneRightAnswer() {
        Map<ToyQuestionType, Integer> seen = new EnumMap<>(ToyQuestionType.class);
        for (int i = 0; i < SCENES; i++) {
            ToyWorldScene s = WORLD.scene(i);
            List<ToyQuestion> qs = ToyQuestions.of(s, 0);
            for (ToyQuestion q : qs) {
                seen.merge(q.type(), 1, Integer::sum);
                assertEquals(i, q.scene());
                if (q.type() != ToyQuestionType.CAPTION) {
                    assertTrue(q.answer().matches("[a-z]+"), "one lower-case word: " + q);
                }
                switch (q.type()) {
                    case COLOUR -> {
                        List<ToyWorldObject> match = s.objects().stream().filter(o -> q.question().equals("what colour is the "
                                + o.shape().word() + "?")).toList();
                        assertEquals(1, match.size(), "the asked shape occurs once: " + q + " in " + s.objects());
                        assertEquals(match.getFirst().colour().word(), q.answer());
                    }
                    case SHAPE -> {
                        List<ToyWorldObject> match = s.objects().stream().filter(o -> q.question().equals("what shape is the "
                                + o.colour().word() + " object?")).toList();
                        assertEquals(1, match.size(), "the asked colour occurs once: " + q + " in " + s.objects());
                        assertEquals(match.getFirst().shape().word(), q.answer());
                    }
                    case COUNT -> assertEquals(ToyQuestions.countWord(s.objects().size()), q.answer());
                    case TEXTURE -> {
                        long most = s.largestObject().pixels();
                        assertEquals(1, s.objects().stream().filter(o -> o.pixels() == most).count(), "one largest object: " + q);
                        assertEquals(s.largestObject().texture().word(), q.answer());
                    }
                    case CAPTION -> assertEquals(s.caption(), q.answer());
                }
            }
            // count and caption always apply; a scene whose shapes all repeat gets no colour question, and so on
            assertTrue(qs.stream().anyMatch(q -> q.type() == ToyQuestionType.COUNT));
            boolean singleShape = s.objects().stream().anyMatch(o -> s.objects().stream().filter(p -> p.shape() == o.shape()).count() == 1);
            assertEquals(singleShape, qs.stream().anyMatch(q -> q.type() == ToyQuestionType.COLOUR), "scene " + i);
        }
        for (ToyQuestionType t : ToyQuestionType.values()) {
            assertTrue(seen.getOrDefault(t, 0) > SCENES / 2, t + " asked in most scenes: " + seen);
        }
    }

    @Test
    void everyWordOfEveryQuestionAndAnswerIsInTheWordList() {
        List<String> words = ToyQuestions.words();
        for (ToyQuestion q : ToyQuestions.range(WORLD, 0, SCENES, 0)) {
            for (String w : (q.question() + " " + q.answer()).split("[ ,?.]+")) {
                assertTrue(words.contains(w), "'" + w + "' of " + q);
            }
        }
    }
}
