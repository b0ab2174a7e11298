package saelab.intervene;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.io.Npy;
import saelab.lm.AnswerTally;

/**
 * What the frequency-matched random latents of a {@link VlmProtocol} run encode, read from the concept step's F1 table of
 * the family ({@code concept_f1_<family>.npy}, [classes, latents], written by {@code saelab concepts}). A random latent
 * stands for "any latent this often active"; but in a small SAE over a world of few concepts a draw can itself be a latent
 * of the class it stands in for (feature splitting gives a concept several latents), and then the control measures the
 * hypothesis instead of its absence. Kept per class and draw: the suppress draws' F1 for c and the swap's added draws'
 * F1 for c'; and the swap's rate of answering c' under the random-latent control, split by whether the added draw is
 * itself a latent of c' (F1 at least {@value #THRESHOLD}, the "dedicated latent" bar of Section 4.2's table). Descriptive
 * only: no criterion reads it.
 *
 * @param table      the F1 table read
 * @param suppressF1 per protocol class c, per draw, the F1 for c of the suppress control's random latent (−1 where the
 *                   class has no row in the table)
 * @param swapF1     per protocol class c, per draw, the F1 for c' of the latent the swap control adds (−1 likewise)
 */
public record ControlDrawConcepts(Path table, double[][] suppressF1, double[][] swapF1) {

    /** The F1 from which a latent counts as a latent of the class. */
    public static final double THRESHOLD = 0.5;

    /**
     * Reads the F1 of every random draw of a finished run, or returns null when the concepts folder has no table for the
     * family or its table does not cover every latent (a concept step that scored a subset does not record which).
     *
     * @param folder   the concepts folder
     * @param family   its rows of the family (as read, before alignment to the protocol's classes)
     * @param dSae     the SAE's latent count
     */
    public static ControlDrawConcepts read(Path folder, ConceptChoice family, VlmProtocol.Result r, int dSae) throws IOException {
        Path file = table(folder, family);
        float[] f1 = file == null ? null : f1(file, family, dSae);
        if (f1 == null) {
            return null;
        }
        List<String> classes = r.options().classes();
        int[] label = labels(family, classes);
        double[][] suppress = new double[classes.size()][];
        double[][] swap = new double[classes.size()][];
        for (int c = 0; c < classes.size(); c++) {
            int t = r.swapTarget()[c];
            suppress[c] = f1Of(f1, dSae, label[c], r.random()[c]);
            swap[c] = f1Of(f1, dSae, t < 0 ? -1 : label[t], r.swapRandom()[c]);
        }
        return new ControlDrawConcepts(file, suppress, swap);
    }

    /**
     * What the image protocol's random latents encode ({@code control_draws} of its summary): per class, the concept-step F1
     * for that class of each frequency-matched random latent ablated in its place, and how many draws are themselves
     * latents of their class (F1 at least {@value #THRESHOLD}); null when the folder has no F1 table over every latent.
     *
     * @param family the concepts folder's rows of the family (as read, before alignment to the head's classes)
     * @param names  the protocol's class names, one per row of {@code random}
     * @param random per class, the random latents drawn
     */
    public static Map<String, Object> imageDraws(Path folder, ConceptChoice family, List<String> names, int[][] random, int dSae)
            throws IOException {
        Path file = table(folder, family);
        float[] f1 = file == null ? null : f1(file, family, dSae);
        if (f1 == null) {
            return null;
        }
        int[] label = labels(family, names);
        double[][] scores = new double[names.size()][];
        int draws = 0;
        int own = 0;
        for (int c = 0; c < names.size(); c++) {
            scores[c] = f1Of(f1, dSae, label[c], random[c]);
            for (double v : scores[c]) {
                draws++;
                own += v >= THRESHOLD ? 1 : 0;
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("table", file.getFileName().toString());
        m.put("threshold", THRESHOLD);
        m.put("random_latent_f1_for_class", scores);
        m.put("draws", draws);
        m.put("draws_that_are_latents_of_their_class", own);
        return m;
    }

    /**
     * The latents of the classes: those whose concept-step F1 for one of {@code classes} is at least {@value #THRESHOLD},
     * sorted. What a random-latent control leaves out when it must not be an instance of the hypothesis.
     *
     * @throws IllegalArgumentException one sentence when the folder has no F1 table of the family over every latent
     */
    public static int[] conceptLatents(Path folder, ConceptChoice family, List<String> classes, int dSae) throws IOException {
        Path file = table(folder, family);
        float[] f1 = file == null ? null : f1(file, family, dSae);
        if (f1 == null) {
            throw new IllegalArgumentException("the concepts folder " + folder + " has no F1 table "
                    + (family.family() == null ? "(its concepts.csv names no label family)" : "of family '" + family.family() + "'")
                    + " over all " + dSae + " latents (concept_f1_<family>.npy, [classes, d_sae]); expected one written by saelab concepts"
                    + " over every latent, to leave the family's concept latents out of the random-latent control");
        }
        java.util.TreeSet<Integer> out = new java.util.TreeSet<>();
        for (int row : labels(family, classes)) {
            for (int l = 0; row >= 0 && l < dSae; l++) {
                if (f1[row * dSae + l] >= THRESHOLD) {
                    out.add(l);
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The family's F1 table file, or null when the folder has none (or the rows name no family). */
    private static Path table(Path folder, ConceptChoice family) {
        if (family.family() == null) {
            return null;
        }
        Path file = folder.resolve("concept_f1_" + family.family() + ".npy");
        return Files.isRegularFile(file) ? file : null;
    }

    /** The table [rows = the family's largest class id + 1, dSae], or null when it has another shape. */
    private static float[] f1(Path file, ConceptChoice family, int dSae) throws IOException {
        int rows = family.classes().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        if (rows < 1) {
            return null;
        }
        try { // the header's shape is checked before any data is read
            return Npy.readFloats(file, rows, dSae);
        } catch (IllegalArgumentException e) { // another shape: a subset of the latents, ids not recorded
            return null;
        }
    }

    /** Per protocol class, its row (class id) in the family's table, found by name; −1 without one. */
    private static int[] labels(ConceptChoice family, List<String> classes) {
        int[] label = new int[classes.size()];
        for (int c = 0; c < classes.size(); c++) {
            label[c] = -1;
            for (int id : family.classes()) {
                if (family.choice(id).name().equals(classes.get(c))) {
                    label[c] = id;
                }
            }
        }
        return label;
    }

    private static double[] f1Of(float[] table, int dSae, int row, int[] latents) {
        double[] out = new double[latents.length];
        for (int k = 0; k < latents.length; k++) {
            out[k] = row < 0 ? -1 : table[row * dSae + latents[k]];
        }
        return out;
    }

    /**
     * The summary entry: the table, the threshold, both F1 arrays, and the swap's random-latent to-target rate over
     * (question, draw) pairs whose added draw is a latent of c' and over the others.
     */
    public Map<String, Object> summary(VlmProtocol.Result r) {
        long[] pairs = new long[2];
        long[] hits = new long[2];
        int slot0 = VlmProtocolReport.first(r.options(), VlmProtocolReport.Condition.RANDOM_LATENT);
        for (VlmProtocol.Outcome o : r.outcomes()) {
            int c = o.question().classId();
            String target = r.options().classes().get(r.swapTarget()[c]);
            for (int k = 0; k < r.options().randomLatents(); k++) {
                int bucket = swapF1[c][k] >= THRESHOLD ? 0 : 1;
                pairs[bucket]++;
                hits[bucket] += AnswerTally.names(o.answers()[VlmProtocol.Operation.SWAP.ordinal()][slot0 + k], target) ? 1 : 0;
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("table", table.getFileName().toString());
        m.put("threshold", THRESHOLD);
        m.put("suppress_draw_f1_for_c", suppressF1);
        m.put("swap_added_draw_f1_for_target", swapF1);
        m.put("swap_to_target_when_draw_is_target_latent", bucket(pairs[0], hits[0]));
        m.put("swap_to_target_when_draw_is_not", bucket(pairs[1], hits[1]));
        return m;
    }

    private static Map<String, Object> bucket(long pairs, long hits) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("answers", pairs);
        m.put("to_target", hits);
        m.put("rate", pairs == 0 ? null : (double) hits / pairs);
        return m;
    }
}
