package saelab.toy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import saelab.data.ToyWorldColour;
import saelab.data.ToyWorldShape;
import saelab.data.ToyWorldTexture;

/**
 * Every word a toy-world caption ({@link saelab.data.ToyWorldCaption}) can contain: the count words ("a", "an",
 * "two" .. "twelve"; larger counts are written in digits, which CLIP's pre-tokenizer splits into single digits),
 * the colour, texture and shape words with the shape plurals, and "and". The comma is a piece of its own. The
 * count words repeat the caption grammar's fixed list; a test tokenises the captions of many scenes to catch
 * any drift.
 */
final class ToyCaptionWords {

    private static final List<String> COUNTS = List.of("a", "an", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve");

    private ToyCaptionWords() {}

    /** The distinct words, in a fixed order. */
    static List<String> words() {
        Set<String> w = new LinkedHashSet<>(COUNTS);
        w.add("and");
        for (ToyWorldColour c : ToyWorldColour.values()) {
            w.add(c.word());
        }
        for (ToyWorldTexture t : ToyWorldTexture.values()) {
            w.add(t.word());
        }
        for (ToyWorldShape s : ToyWorldShape.values()) {
            w.add(s.word());
            w.add(s.plural());
        }
        return new ArrayList<>(w);
    }
}
