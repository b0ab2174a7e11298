package saelab.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void anAnswerNamesAClassByItsNameOrOneOfItsCommaSeparatedNamesWithOrWithoutAnArticle() {
        assertTrue(AnswerTally.names("red", "red"));
        assertTrue(AnswerTally.names("tench", "tench, Tinca tinca"), "the first WordNet word");
        assertTrue(AnswerTally.names("tinca tinca", "tench, Tinca tinca"), "any of them");
        assertTrue(AnswerTally.names(AnswerTally.normalise("A tench."), "tench, Tinca tinca"));
        assertTrue(AnswerTally.names("the great white shark", "great white shark, white shark, man-eater"));
        assertTrue(AnswerTally.names("tench, tinca tinca", "tench, Tinca tinca"), "the whole name too");
        assertFalse(AnswerTally.names("fish", "tench, Tinca tinca"));
        assertFalse(AnswerTally.names("red", "dark red"), "a part of a name is not the name");
        assertFalse(AnswerTally.names("", "red"));
    }
}
