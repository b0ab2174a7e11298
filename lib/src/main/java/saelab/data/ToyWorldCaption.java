package saelab.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Captions of toy-world scenes in plain English. Objects are grouped by (colour, texture, shape), groups in
 * order of their first object in drawing order; each group reads {@code COUNT [TEXTURE] COLOUR SHAPE}: count
 * as a word ("a"/"an" for one, "two" .. "twelve", digits beyond), texture left out when plain, the shape plural
 * for more than one. Groups are joined as in "X", "X and Y", "X, Y and Z" (no serial comma). Example:
 * "two red striped circles and a blue square". (Written by hand: a few lines of fixed grammar, no library
 * needed.)
 */
public final class ToyWorldCaption {

    private static final String[] NUMBERS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
        "nine", "ten", "eleven", "twelve"};

    private ToyWorldCaption() {}

    /** The caption of a list of objects (at least one). */
    public static String of(List<ToyWorldObject> objects) {
        if (objects.isEmpty()) {
            throw new IllegalArgumentException("toy world caption: a scene has at least one object, got none");
        }
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, ToyWorldObject> first = new LinkedHashMap<>();
        for (ToyWorldObject o : objects) {
            String key = o.colour() + "/" + o.texture() + "/" + o.shape();
            counts.computeIfAbsent(key, k -> new int[1])[0]++;
            first.putIfAbsent(key, o);
        }
        List<String> phrases = new ArrayList<>();
        for (Map.Entry<String, ToyWorldObject> e : first.entrySet()) {
            phrases.add(phrase(counts.get(e.getKey())[0], e.getValue()));
        }
        return join(phrases);
    }

    /** One group: {@code COUNT [TEXTURE] COLOUR SHAPE(S)}. */
    static String phrase(int count, ToyWorldObject o) {
        // colour before texture ("red striped circles"), as in the example
        String adjectives = o.colour().word() + (o.texture() == ToyWorldTexture.PLAIN ? "" : " " + o.texture().word());
        String noun = count == 1 ? o.shape().word() : o.shape().plural();
        return countWord(count, adjectives) + " " + adjectives + " " + noun;
    }

    /** "a"/"an" (by the next word's first letter) for one, the number word otherwise. */
    static String countWord(int count, String next) {
        if (count == 1) {
            return "aeiou".indexOf(next.charAt(0)) >= 0 ? "an" : "a";
        }
        return count < NUMBERS.length ? NUMBERS[count] : Integer.toString(count);
    }

    /** "X", "X and Y", "X, Y and Z". */
    static String join(List<String> phrases) {
        if (phrases.size() == 1) {
            return phrases.getFirst();
        }
        return String.join(", ", phrases.subList(0, phrases.size() - 1)) + " and " + phrases.getLast();
    }
}
