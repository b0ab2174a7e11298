package saelab.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Captions of toy-world scenes in plain English. Objects are grouped by the attributes the caption names
 * ({@link Attributes}: by default colour, texture and shape), groups in order of their first object in drawing
 * order; each group reads {@code COUNT COLOUR [TEXTURE] SHAPE}: count as a word ("a"/"an" for one, "two" ..
 * "twelve", digits beyond), texture left out when plain or when the caption does not name textures, the shape
 * plural for more than one. Groups are joined as in "X", "X and Y", "X, Y and Z" (no serial comma). Example:
 * "two red striped circles and a blue square"; without textures "two red circles and a blue square". (Written by
 * hand: a few lines of fixed grammar, no library needed.)
 */
public final class ToyWorldCaption {

    /**
     * Which attributes of an object a caption names. The texture is the toy world's visual style: it changes how an
     * object looks, not what it is, so a caption that leaves it out names the concept (colour and shape) and never the
     * style.
     */
    public enum Attributes {
        /** Colour, texture and shape ("two red striped circles"): the default, what captions always named. */
        COLOUR_TEXTURE_SHAPE("colour-texture-shape"),
        /** Colour and shape, never the texture ("two red circles"). */
        COLOUR_SHAPE("colour-shape");

        /** What captions name unless told otherwise. */
        public static final Attributes DEFAULT = COLOUR_TEXTURE_SHAPE;

        private final String id;

        Attributes(String id) {
            this.id = id;
        }

        /** The name written in specs and plans. */
        @com.fasterxml.jackson.annotation.JsonValue
        public String id() {
            return id;
        }

        /** Whether a caption of this kind names textures. */
        public boolean namesTexture() {
            return this == COLOUR_TEXTURE_SHAPE;
        }

        /**
         * The value with this id.
         *
         * @throws IllegalArgumentException one sentence listing the ids, when {@code id} is none of them
         */
        @com.fasterxml.jackson.annotation.JsonCreator
        public static Attributes parse(String id) {
            for (Attributes a : values()) {
                if (a.id.equals(id)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("captions '" + id + "' is not a caption kind; expected colour-texture-shape (the"
                    + " default) or colour-shape");
        }
    }

    private static final String[] NUMBERS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
        "nine", "ten", "eleven", "twelve"};

    private ToyWorldCaption() {}

    /** The caption of a list of objects (at least one), naming colour, texture and shape. */
    public static String of(List<ToyWorldObject> objects) {
        return of(objects, Attributes.DEFAULT);
    }

    /** The caption of a list of objects (at least one), naming the attributes {@code names}. */
    public static String of(List<ToyWorldObject> objects, Attributes names) {
        java.util.Objects.requireNonNull(names, "names");
        if (objects.isEmpty()) {
            throw new IllegalArgumentException("toy world caption: a scene has at least one object, got none");
        }
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, ToyWorldObject> first = new LinkedHashMap<>();
        for (ToyWorldObject o : objects) {
            String key = o.colour() + "/" + (names.namesTexture() ? o.texture() : "") + "/" + o.shape();
            counts.computeIfAbsent(key, k -> new int[1])[0]++;
            first.putIfAbsent(key, o);
        }
        List<String> phrases = new ArrayList<>();
        for (Map.Entry<String, ToyWorldObject> e : first.entrySet()) {
            phrases.add(phrase(counts.get(e.getKey())[0], e.getValue(), names));
        }
        return join(phrases);
    }

    /** One group: {@code COUNT COLOUR [TEXTURE] SHAPE(S)}. */
    static String phrase(int count, ToyWorldObject o, Attributes names) {
        // colour before texture ("red striped circles"), as in the example
        boolean texture = names.namesTexture() && o.texture() != ToyWorldTexture.PLAIN;
        String adjectives = o.colour().word() + (texture ? " " + o.texture().word() : "");
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
