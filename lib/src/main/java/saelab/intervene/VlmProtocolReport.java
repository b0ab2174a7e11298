package saelab.intervene;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.intervene.VlmProtocol.Operation;
import saelab.intervene.VlmProtocol.Outcome;
import saelab.intervene.stats.ClusterBootstrap;
import saelab.intervene.stats.HolmBonferroni;
import saelab.intervene.stats.ImageCounts;
import saelab.intervene.stats.Interval;
import saelab.intervene.stats.PairedTest;
import saelab.intervene.stats.SignFlipTest;
import saelab.io.AtomicFiles;
import saelab.io.CsvField;
import saelab.io.Json;

/**
 * The statistics and files of a {@link VlmProtocol} run, each file written atomically, {@code index.json} last:
 * <ul>
 *   <li>{@code per-class.csv}: one row per operation, class and condition ({@code real}, {@code random_latent},
 *       {@code random_direction}): the answer change rate and, for a swap, the rate of answering the added class c' (an
 *       answer names a class as {@link saelab.lm.AnswerTally#names} says: its name or one of its comma-separated names),
 *       with 95% cluster-bootstrap intervals;</li>
 *   <li>{@code answers.csv}: every question's clean answer and its answer under every condition and draw;</li>
 *   <li>{@code summary.json}: faithfulness (no-edit answers equal to the clean ones, token for token, on every
 *       question, else the run stopped), clean accuracy, and per operation and condition the macro (mean over classes)
 *       and micro (over questions) rates with intervals, and the paired sign-flip test of the real edit against each
 *       control with Holm-adjusted p-values over all tests of the run;</li>
 *   <li>{@code dose-response.csv} and the summary's {@code dose_response}, when the run has a dose grid
 *       ({@link VlmDoseReport});</li>
 *   <li>{@code index.json}: the files and every parameter.</li>
 * </ul>
 * <b>Statistics.</b> The image is the unit: per image i and class c, the numerator is the number of its questions of
 * class c whose answer changed (averaged over a control's draws) and the denominator the number of those questions
 * ({@link ImageCounts}); intervals are the cluster bootstrap over images ({@link ClusterBootstrap}); a test pairs the
 * per-image rates of the real edit and a control ({@link SignFlipTest}), p-values adjusted by {@link HolmBonferroni}.
 */
public final class VlmProtocolReport {

    /** A condition of an operation: the real edit, or a control kind pooled over its draws. */
    enum Condition {
        REAL("real"), RANDOM_LATENT("random_latent"), RANDOM_DIRECTION("random_direction");

        final String id;

        Condition(String id) {
            this.id = id;
        }
    }

    /** What is counted. */
    enum Measure { CHANGED, TO_TARGET }

    private VlmProtocolReport() {}

    /** The conditions the options run, in slot order. */
    static List<Condition> conditions(VlmProtocol.Options o) {
        List<Condition> out = new ArrayList<>(List.of(Condition.REAL));
        if (o.randomLatents() > 0) {
            out.add(Condition.RANDOM_LATENT);
        }
        if (o.randomDirections() > 0) {
            out.add(Condition.RANDOM_DIRECTION);
        }
        return out;
    }

    static int first(VlmProtocol.Options o, Condition c) {
        return switch (c) {
            case REAL -> 0;
            case RANDOM_LATENT -> 1;
            case RANDOM_DIRECTION -> 1 + o.randomLatents();
        };
    }

    static int draws(VlmProtocol.Options o, Condition c) {
        return switch (c) {
            case REAL -> 1;
            case RANDOM_LATENT -> o.randomLatents();
            case RANDOM_DIRECTION -> o.randomDirections();
        };
    }

    /**
     * Per-image counts of one operation, condition and measure; groups are the classes, or one group when
     * {@code onlyClass} is ≥ 0 (that class's questions alone).
     */
    static ImageCounts counts(VlmProtocol.Result r, Operation op, Condition c, Measure m, int onlyClass) {
        return counts(r, out -> out.answers()[op.ordinal()], c, m, onlyClass);
    }

    /**
     * Per-image counts of the answers {@code row} picks from each outcome (one per slot), one condition and measure; the
     * target of {@link Measure#TO_TARGET} is the class's swap target c'.
     */
    static ImageCounts counts(VlmProtocol.Result r, java.util.function.Function<Outcome, String[]> row, Condition c, Measure m, int onlyClass) {
        VlmProtocol.Options o = r.options();
        int groups = onlyClass >= 0 ? 1 : o.classes().size();
        double[] num = new double[r.images() * groups];
        double[] den = new double[r.images() * groups];
        int from = first(o, c);
        int k = draws(o, c);
        for (Outcome out : r.outcomes()) {
            int cls = out.question().classId();
            if (onlyClass >= 0 && cls != onlyClass) {
                continue;
            }
            int at = out.question().image() * groups + (onlyClass >= 0 ? 0 : cls);
            String target = m == Measure.TO_TARGET ? o.classes().get(r.swapTarget()[cls]) : null;
            double hits = 0;
            for (int s = from; s < from + k; s++) {
                String a = row.apply(out)[s];
                hits += m == Measure.CHANGED ? (a.equals(out.clean()) ? 0 : 1) : (saelab.lm.AnswerTally.names(a, target) ? 1 : 0);
            }
            num[at] += hits / k;
            den[at] += 1;
        }
        return new ImageCounts(r.images(), groups, num, den);
    }

    /** Per-image rates (Σ num / Σ den over groups) of the images that have a question. */
    private static double[] perImage(ImageCounts counts, boolean[] used) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < counts.images(); i++) {
            if (!used[i]) {
                continue;
            }
            double n = 0;
            double d = 0;
            for (int g = 0; g < counts.groups(); g++) {
                n += counts.num()[i * counts.groups() + g];
                d += counts.den()[i * counts.groups() + g];
            }
            out.add(n / d);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * Writes the folder.
     *
     * @return the summary
     */
    public static Map<String, Object> write(Path dir, VlmProtocol.Result r, String command, Map<String, Object> inputs) throws IOException {
        return write(dir, r, command, inputs, null);
    }

    /** Draws figures of a run from its summary into its folder and returns the files it wrote. */
    @FunctionalInterface
    public interface FigureDrawer {
        List<Path> draw(Map<String, Object> summary, Path dir) throws IOException;
    }

    /**
     * Writes the folder, with the figures {@code drawer} draws from the summary (after {@code summary.json}, before
     * {@code index.json}, which lists them); drawing belongs to {@code saelab.plot}, above this package.
     *
     * @param drawer the figures' drawer, or null for none
     * @return the summary
     */
    public static Map<String, Object> write(Path dir, VlmProtocol.Result r, String command, Map<String, Object> inputs, FigureDrawer drawer)
            throws IOException {
        return write(dir, r, command, inputs, drawer, null);
    }

    /**
     * Writes the folder with, when {@code draws} is given, what the random latents encode in the summary's
     * {@code control_draws} ({@link ControlDrawConcepts}).
     *
     * @param draws the random draws' concepts, or null
     * @return the summary
     */
    public static Map<String, Object> write(Path dir, VlmProtocol.Result r, String command, Map<String, Object> inputs, FigureDrawer drawer,
                                            ControlDrawConcepts draws) throws IOException {
        Files.createDirectories(dir);
        VlmProtocol.Options o = r.options();
        ClusterBootstrap boot = new ClusterBootstrap(new ClusterBootstrap.Options(o.bootstrap(), 0.95, o.seed()));
        List<String> files = new ArrayList<>();
        AtomicFiles.writeString(dir.resolve("per-class.csv"), perClass(r, boot));
        files.add("per-class.csv");
        AtomicFiles.writeString(dir.resolve("answers.csv"), answers(r));
        files.add("answers.csv");
        Map<String, Object> summary = summary(r, boot);
        if (o.doses() != null) {
            summary.put("dose_response", VlmDoseReport.summary(r, boot));
        }
        if (draws != null) {
            summary.put("control_draws", draws.summary(r));
        }
        Json.write(dir.resolve("summary.json"), summary);
        files.add("summary.json");
        if (o.doses() != null) {
            AtomicFiles.writeString(dir.resolve(VlmDoseReport.CSV), VlmDoseReport.csv(r, boot));
            files.add(VlmDoseReport.CSV);
        }
        if (drawer != null) {
            for (Path f : drawer.draw(summary, dir)) {
                Path base = dir.toAbsolutePath().normalize();
                files.add(base.relativize(f.toAbsolutePath().normalize()).toString().replace('\\', '/'));
            }
        }
        files.add("index.json");
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("tool", command);
        index.put("inputs", inputs);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("classes", o.classes());
        p.put("chosen_latents", r.latents());
        p.put("swap_targets", r.swapTarget());
        p.put("swap_rule", "c' = the next class after c, in the order of 'classes', that has a chosen latent other than c's (cyclic);"
                + " c's latent set to 0 and c''s to swap_dose x its maximum");
        p.put("random_latents", o.randomLatents());
        p.put("random_directions", o.randomDirections());
        p.put("random_latent_draws", r.random());
        p.put("swap_random_latent_draws", r.swapRandom());
        p.put("frequency_tolerance_decades", o.tolerance());
        p.put("temperature", 0);
        p.put("max_new_tokens", o.maxNewTokens());
        p.put("chat_template", o.template().id());
        p.put("swap_dose", o.swapDose());
        p.put("doses", o.doses() == null ? null : o.doses().toString());
        p.put("dose_rule", o.doses() == null ? null : "swap at a dose: c's latent set to 0 and c''s to dose x its maximum, every edited token;"
                + " controls as the swap's at the same dose (random latents at dose x their own maxima, random directions of that dose's"
                + " per-token norm); exploratory, not among the pre-registered measures");
        p.put("error", "keep");
        p.put("bootstrap", o.bootstrap());
        p.put("seed", o.seed());
        index.put("parameters", p);
        index.put("images", r.images());
        index.put("questions", r.outcomes().size());
        index.put("files", files);
        Json.write(dir.resolve("index.json"), index);
        return summary;
    }

    private static String perClass(VlmProtocol.Result r, ClusterBootstrap boot) {
        VlmProtocol.Options o = r.options();
        StringBuilder b = new StringBuilder("operation,class,name,latent,target_class,target_name,target_latent,condition,draws,questions,"
                + "images,change_rate,change_lower,change_upper,to_target_rate,to_target_lower,to_target_upper\n");
        for (Operation op : Operation.values()) {
            for (int c = 0; c < o.classes().size(); c++) {
                ImageCounts any = counts(r, op, Condition.REAL, Measure.CHANGED, c);
                double questions = 0;
                long images = 0;
                for (int i = 0; i < any.images(); i++) {
                    questions += any.den()[i];
                    images += any.den()[i] > 0 ? 1 : 0;
                }
                if (questions == 0) {
                    continue;
                }
                int t = r.swapTarget()[c];
                boolean swap = op == Operation.SWAP;
                for (Condition cond : conditions(o)) {
                    b.append(op.id()).append(',').append(c).append(',').append(CsvField.of(o.classes().get(c))).append(',').append(r.latents()[c])
                            .append(',').append(swap ? Integer.toString(t) : "").append(',').append(swap ? CsvField.of(o.classes().get(t)) : "")
                            .append(',').append(swap ? Integer.toString(r.latents()[t]) : "").append(',').append(cond.id).append(',')
                            .append(draws(o, cond)).append(',').append((long) questions).append(',').append(images);
                    Interval.appendCsv(b, boot.microRate(counts(r, op, cond, Measure.CHANGED, c)));
                    Interval.appendCsv(b, swap ? boot.microRate(counts(r, op, cond, Measure.TO_TARGET, c)) : null);
                    b.append('\n');
                }
            }
        }
        return b.toString();
    }

    private static String answers(VlmProtocol.Result r) {
        VlmProtocol.Options o = r.options();
        StringBuilder b = new StringBuilder("question,image,text,class,name,clean,clean_correct");
        List<Condition> conds = conditions(o);
        for (Operation op : Operation.values()) {
            for (Condition c : conds) {
                for (int k = 0; k < draws(o, c); k++) {
                    b.append(',').append(op.id()).append('_').append(c.id).append(c == Condition.REAL ? "" : "_" + k);
                }
            }
        }
        double[] doses = o.doseValues();
        for (double dose : doses) {
            for (Condition c : conds) {
                for (int k = 0; k < draws(o, c); k++) {
                    b.append(',').append("swap_x").append(VlmDoseReport.doseName(dose)).append('_').append(c.id)
                            .append(c == Condition.REAL ? "" : "_" + k);
                }
            }
        }
        b.append('\n');
        for (int q = 0; q < r.outcomes().size(); q++) {
            Outcome out = r.outcomes().get(q);
            int c = out.question().classId();
            b.append(q).append(',').append(out.question().image()).append(',').append(CsvField.of(out.question().text())).append(',').append(c)
                    .append(',').append(CsvField.of(o.classes().get(c))).append(',').append(CsvField.of(out.clean())).append(',')
                    .append(saelab.lm.AnswerTally.names(out.clean(), o.classes().get(c)));
            for (String[][] rows : List.of(out.answers(), out.doses())) {
                for (String[] row : rows) {
                    for (String a : row) {
                        b.append(',').append(CsvField.of(a));
                    }
                }
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static Map<String, Object> summary(VlmProtocol.Result r, ClusterBootstrap boot) {
        VlmProtocol.Options o = r.options();
        boolean[] used = new boolean[r.images()];
        long correct = 0;
        for (Outcome out : r.outcomes()) {
            used[out.question().image()] = true;
            correct += saelab.lm.AnswerTally.names(out.clean(), o.classes().get(out.question().classId())) ? 1 : 0;
        }
        Map<String, Object> s = new LinkedHashMap<>();
        Map<String, Object> faith = new LinkedHashMap<>();
        faith.put("questions", r.outcomes().size());
        faith.put("no_edit_identical_tokens", r.outcomes().size());
        faith.put("rate", 1.0);
        s.put("faithfulness", faith);
        s.put("questions", r.outcomes().size());
        s.put("images", countTrue(used));
        s.put("clean_accuracy", (double) correct / r.outcomes().size());
        List<double[]> pValues = new ArrayList<>();
        List<Map<String, Object>> tests = new ArrayList<>();
        Map<String, Object> ops = new LinkedHashMap<>();
        for (Operation op : Operation.values()) {
            Map<String, Object> conds = new LinkedHashMap<>();
            for (Condition c : conditions(o)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("draws", draws(o, c));
                for (Measure measure : Measure.values()) {
                    if (measure == Measure.TO_TARGET && op != Operation.SWAP) {
                        continue;
                    }
                    ImageCounts counts = counts(r, op, c, measure, -1);
                    String key = measure == Measure.CHANGED ? "change_rate" : "to_target_rate";
                    m.put(key + "_macro", boot.macroRate(counts).toMap());
                    m.put(key + "_micro", boot.microRate(counts).toMap());
                    if (c != Condition.REAL) {
                        ImageCounts real = counts(r, op, Condition.REAL, measure, -1);
                        PairedTest t = SignFlipTest.test(perImage(real, used), perImage(counts, used), o.seed());
                        Map<String, Object> test = new LinkedHashMap<>();
                        test.put("operation", op.id());
                        test.put("measure", key);
                        test.put("control", c.id);
                        test.put("real_minus_control_macro", boot.macroDifference(real, counts).toMap());
                        test.put("real_minus_control_micro", boot.microDifference(real, counts).toMap());
                        test.put("test", "paired sign-flip over images");
                        test.put("p_value", t.pValue());
                        test.put("exact", t.exact());
                        tests.add(test);
                        pValues.add(new double[] {t.pValue()});
                    }
                }
                conds.put(c.id, m);
            }
            ops.put(op.id(), conds);
        }
        double[] p = pValues.stream().mapToDouble(a -> a[0]).toArray();
        double[] holm = p.length == 0 ? p : HolmBonferroni.adjust(p);
        for (int i = 0; i < tests.size(); i++) {
            tests.get(i).put("p_holm", holm[i]);
        }
        s.put("operations", ops);
        s.put("tests", tests);
        return s;
    }

    private static int countTrue(boolean[] a) {
        int n = 0;
        for (boolean v : a) {
            n += v ? 1 : 0;
        }
        return n;
    }
}
