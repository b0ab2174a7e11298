package saelab.lm;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The distinct answers of a set of sampled answers and how often each came, after normalisation (trimmed,
 * lower-cased, trailing punctuation dropped), as the paper's VLM steering tables count them. Ties in the ranking
 * keep the order in which the answers first appeared, so the ranking is a function of the samples alone.
 *
 * @param answers the normalised answer of every sample, in sample order
 * @param counts  per distinct answer, its count, in ranking order (most frequent first)
 */
public record AnswerTally(List<String> answers, Map<String, Integer> counts) {

    /** One distinct answer: its text, its count and its share of the samples. */
    public record Entry(String answer, int count, double frequency) {}

    /** Copies the lists. */
    public AnswerTally {
        answers = List.copyOf(answers);
        counts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    }

    /** Tallies raw answers (normalised here). */
    public static AnswerTally of(List<String> raw) {
        List<String> norm = raw.stream().map(AnswerTally::normalise).toList();
        Map<String, Integer> first = new LinkedHashMap<>();
        Map<String, Integer> count = new LinkedHashMap<>();
        for (int i = 0; i < norm.size(); i++) {
            first.putIfAbsent(norm.get(i), i);
            count.merge(norm.get(i), 1, Integer::sum);
        }
        List<String> order = new ArrayList<>(count.keySet());
        order.sort(Comparator.<String>comparingInt(a -> -count.get(a)).thenComparingInt(first::get));
        Map<String, Integer> ranked = new LinkedHashMap<>();
        order.forEach(a -> ranked.put(a, count.get(a)));
        return new AnswerTally(norm, ranked);
    }

    /**
     * An answer as it is counted: surrounding white space trimmed, lower-cased (locale-independent), trailing
     * punctuation (Unicode punctuation categories) dropped, and trimmed again, so "Yes." and " yes" count as one.
     */
    public static String normalise(String raw) {
        String s = raw.strip().toLowerCase(Locale.ROOT);
        int end = s.length();
        while (end > 0) {
            int cp = s.codePointBefore(end);
            if (isPunctuation(cp) || Character.isWhitespace(cp)) {
                end -= Character.charCount(cp);
            } else {
                break;
            }
        }
        return s.substring(0, end);
    }

    /**
     * Whether a normalised answer names a class: it equals the class name or one of the names the class name lists
     * separated by commas (a WordNet synset's words, as ImageNet's class names "tench, Tinca tinca"), each normalised, with
     * or without a leading article ("a", "an", "the"). So "A tench." names "tench, Tinca tinca", and "red" names "red".
     * A class name without a comma is matched whole.
     *
     * @param answer    an answer as {@link #normalise} gives it
     * @param className a class name as written
     */
    public static boolean names(String answer, String className) {
        String a = withoutArticle(answer);
        if (a.equals(withoutArticle(normalise(className)))) {
            return true;
        }
        for (String alias : className.split(",")) {
            String n = normalise(alias);
            if (!n.isEmpty() && a.equals(withoutArticle(n))) {
                return true;
            }
        }
        return false;
    }

    private static String withoutArticle(String s) {
        for (String article : new String[] {"a ", "an ", "the "}) {
            if (s.startsWith(article)) {
                return s.substring(article.length()).strip();
            }
        }
        return s;
    }

    private static boolean isPunctuation(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                 Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** The number of samples. */
    public int samples() {
        return answers.size();
    }

    /** The number of distinct answers. */
    public int distinct() {
        return counts.size();
    }

    /** The {@code k} most frequent distinct answers (fewer when there are fewer), most frequent first. */
    public List<Entry> top(int k) {
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (out.size() == k) {
                break;
            }
            out.add(new Entry(e.getKey(), e.getValue(), (double) e.getValue() / answers.size()));
        }
        return out;
    }

    /** How often {@code answer} (normalised) came, 0 when never. */
    public int count(String answer) {
        return counts.getOrDefault(normalise(answer), 0);
    }
}
