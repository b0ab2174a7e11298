package saelab.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Answers are counted after normalisation (trimmed, lower-cased, trailing punctuation dropped) and ranked by count, ties by first appearance. */
class AnswerTallyTest {

    @Test
    void normalisationTrimsLowerCasesAndDropsTrailingPunctuation() {
        assertEquals("yes", AnswerTally.normalise("  Yes. "));
        assertEquals("a red cube", AnswerTally.normalise("A red CUBE!?"));
        assertEquals("“a cat", AnswerTally.normalise("“A cat.”"));
        assertEquals("e.g. two", AnswerTally.normalise("E.g. two..."));
        assertEquals("", AnswerTally.normalise(" ?! "));
        assertEquals("istanbul", AnswerTally.normalise("ISTANBUL"), "lower-casing does not depend on the default locale");
    }

    @Test
    void rankingIsByCountThenFirstAppearance() {
        AnswerTally t = AnswerTally.of(List.of("Blue", "red.", "Red", "green", "blue!", "yellow", "RED"));
        assertEquals(7, t.samples());
        assertEquals(4, t.distinct());
        List<AnswerTally.Entry> top = t.top(3);
        assertEquals(List.of("red", "blue", "green"), top.stream().map(AnswerTally.Entry::answer).toList());
        assertEquals(3, top.get(0).count());
        assertEquals(3.0 / 7, top.get(0).frequency(), 1e-12);
        assertEquals(4, t.top(10).size());
        assertEquals(2, t.count("BLUE."));
        assertEquals(0, t.count("purple"));
        assertEquals(List.of("blue", "red", "red", "green", "blue", "yellow", "red"), t.answers());
    }
}
