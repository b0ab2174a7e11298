package saelab.toy;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import saelab.data.ToyWorld;
import saelab.data.ToyWorldColour;
import saelab.data.ToyWorldObject;
import saelab.data.ToyWorldScene;
import saelab.data.ToyWorldShape;

/**
 * Question-answer pairs from a toy-world scene's ground truth, at most one per {@link ToyQuestionType}, and only
 * questions with exactly one right answer:
 * <ul>
 *   <li>colour of the object of a given shape, asked only about a shape that occurs once in the scene;</li>
 *   <li>shape of the object of a given colour, asked only about a colour that occurs once;</li>
 *   <li>how many objects (every scene; objects left with no visible pixel are not in the scene);</li>
 *   <li>texture of the largest object, asked only when one object has strictly the most visible pixels;</li>
 *   <li>a short caption (every scene).</li>
 * </ul>
 * When several shapes (colours) qualify, the one asked about is drawn by a {@link SplittableRandom} seeded from
 * the seed and the scene index, so the questions of a scene are a pure function of {@code (seed, scene)}.
 * (Written by hand: a few fixed sentence templates.)
 */
public final class ToyQuestions {

    /** Number words for counts; larger counts are written in digits, as the caption grammar does. */
    private static final String[] NUMBERS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve"};
    private static final String[] FIXED_WORDS = {"what", "colour", "is", "the", "shape", "object", "how", "many", "objects", "are",
        "there", "texture", "largest", "describe", "image"};

    private ToyQuestions() {}

    /** The questions of {@code scene} under {@code seed}, in {@link ToyQuestionType} order, the types that do not apply left out. */
    public static List<ToyQuestion> of(ToyWorldScene scene, long seed) {
        SplittableRandom rng = new SplittableRandom(sceneSeed(seed, scene.index()));
        List<ToyWorldObject> objects = scene.objects();
        List<ToyQuestion> out = new ArrayList<>(ToyQuestionType.values().length);
        Map<ToyWorldShape, List<ToyWorldObject>> byShape = new EnumMap<>(ToyWorldShape.class);
        Map<ToyWorldColour, List<ToyWorldObject>> byColour = new EnumMap<>(ToyWorldColour.class);
        for (ToyWorldObject o : objects) {
            byShape.computeIfAbsent(o.shape(), k -> new ArrayList<>()).add(o);
            byColour.computeIfAbsent(o.colour(), k -> new ArrayList<>()).add(o);
        }
        List<ToyWorldShape> singleShapes = byShape.entrySet().stream().filter(e -> e.getValue().size() == 1).map(Map.Entry::getKey).toList();
        if (!singleShapes.isEmpty()) {
            ToyWorldShape s = singleShapes.get(rng.nextInt(singleShapes.size()));
            out.add(new ToyQuestion(scene.index(), ToyQuestionType.COLOUR, "what colour is the " + s.word() + "?",
                    byShape.get(s).getFirst().colour().word()));
        }
        List<ToyWorldColour> singleColours = byColour.entrySet().stream().filter(e -> e.getValue().size() == 1).map(Map.Entry::getKey)
                .toList();
        if (!singleColours.isEmpty()) {
            ToyWorldColour c = singleColours.get(rng.nextInt(singleColours.size()));
            out.add(new ToyQuestion(scene.index(), ToyQuestionType.SHAPE, "what shape is the " + c.word() + " object?",
                    byColour.get(c).getFirst().shape().word()));
        }
        out.add(new ToyQuestion(scene.index(), ToyQuestionType.COUNT, "how many objects are there?", countWord(objects.size())));
        if (uniqueLargest(scene)) {
            out.add(new ToyQuestion(scene.index(), ToyQuestionType.TEXTURE, "what texture is the largest object?",
                    scene.largestObject().texture().word()));
        }
        out.add(new ToyQuestion(scene.index(), ToyQuestionType.CAPTION, "describe the image.", scene.caption()));
        return List.copyOf(out);
    }

    /** The questions of the scenes {@code [from, from + count)} of {@code world}, scene by scene. */
    public static List<ToyQuestion> range(ToyWorld world, int from, int count, long seed) {
        List<ToyQuestion> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.addAll(of(world.scene(i), seed));
        }
        return out;
    }

    /** The count as a word ("one" .. "twelve"), digits beyond. */
    static String countWord(int n) {
        return n < NUMBERS.length ? NUMBERS[n] : Integer.toString(n);
    }

    /** Whether the largest object has strictly more visible pixels than every other. */
    private static boolean uniqueLargest(ToyWorldScene scene) {
        long most = scene.largestObject().pixels();
        int atMost = 0;
        for (ToyWorldObject o : scene.objects()) {
            atMost += o.pixels() == most ? 1 : 0;
        }
        return atMost == 1;
    }

    /**
     * Every word a question or an answer can contain: the fixed question words, the count words, and every word a
     * caption can contain ({@link ToyCaptionWords}), in a fixed order.
     */
    static List<String> words() {
        Set<String> w = new LinkedHashSet<>(List.of(FIXED_WORDS));
        for (int i = 1; i < NUMBERS.length; i++) {
            w.add(NUMBERS[i]);
        }
        w.addAll(ToyCaptionWords.words());
        return new ArrayList<>(w);
    }

    /** The seed of one scene's choices: the seed and the index through SplitMix64's finaliser. */
    private static long sceneSeed(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
