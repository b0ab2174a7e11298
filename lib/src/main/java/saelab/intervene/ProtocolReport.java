package saelab.intervene;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.intervene.ControlSlots.Condition;
import saelab.intervene.ProtocolStatistics.Measure;
import saelab.intervene.stats.ClassificationEffects;
import saelab.intervene.stats.HolmBonferroni;
import saelab.intervene.stats.ImageCounts;
import saelab.intervene.stats.Interval;
import saelab.intervene.stats.PairedTest;
import saelab.io.AtomicFiles;
import saelab.io.Json;
import saelab.io.CsvField;

/**
 * The files of a protocol run, each written atomically, {@code index.json} last:
 * <ul>
 *   <li>{@code per-class.csv}: one row per class and condition: rates with 95% cluster-bootstrap intervals, the
 *       paired difference real − control with its interval, the sign-flip p-value and its Holm adjustment over the
 *       classes (per control);</li>
 *   <li>{@code summary.json}: faithfulness, micro and macro rates over the classes with intervals, the paired
 *       differences, and per control how many classes the Holm-adjusted test rejects at 0.05;</li>
 *   <li>{@code dose-response.csv} ({@link DoseResponse}); {@code transitions.csv} (classification: where the real
 *       edit's top-1 flips go);</li>
 *   <li>{@code edits/class-<id>.json}: the real edit and each random-latent edit as edit specs, and how the directions
 *       were drawn;</li>
 *   <li>{@code index.json}: the files and every parameter, so that a table can be regenerated from the folder.</li>
 * </ul>
 */
public final class ProtocolReport {

    private ProtocolReport() {}

    /**
     * Writes the folder.
     *
     * @param dir     the output folder
     * @param r       the run
     * @param command the command that ran, as index.json names it (e.g. {@code saelab control zeroshot})
     * @param inputs  what it ran on (model, SAE, head, dataset, ... with checksums), recorded in index.json
     * @param figures files written beside (the dose-response plot), listed in index.json
     * @return the summary
     */
    public static Map<String, Object> write(Path dir, ControlProtocol.Result r, String command, Map<String, Object> inputs,
                                             List<Path> figures)
            throws IOException {
        return write(dir, r, command, inputs, figures, null);
    }

    /**
     * Writes the folder with, when given, what the random latents encode in the summary's {@code control_draws}
     * ({@link ControlDrawConcepts#imageDraws}).
     *
     * @param draws the random draws' concepts, or null
     * @return the summary
     */
    public static Map<String, Object> write(Path dir, ControlProtocol.Result r, String command, Map<String, Object> inputs,
                                             List<Path> figures, Map<String, Object> draws)
            throws IOException {
        Files.createDirectories(dir.resolve("edits"));
        ControlProtocol.Options o = r.options();
        boolean seg = o.task() == ControlProtocol.Task.SEGMENT;
        ProtocolStatistics st = new ProtocolStatistics(r.tally(), o.slots(), r.used(), o.bootstrap(), o.seed());
        List<String> files = new ArrayList<>();
        AtomicFiles.writeString(dir.resolve("per-class.csv"), perClass(r, st, seg));
        files.add("per-class.csv");
        Map<String, Object> summary = summary(r, st, seg);
        if (draws != null) {
            summary.put("control_draws", draws);
        }
        Json.write(dir.resolve("summary.json"), summary);
        files.add("summary.json");
        if (r.dose() != null) {
            AtomicFiles.writeString(dir.resolve("dose-response.csv"), r.dose().csv(r.names()));
            files.add("dose-response.csv");
        }
        if (!seg) {
            AtomicFiles.writeString(dir.resolve("transitions.csv"), transitions(r));
            files.add("transitions.csv");
        }
        for (int j = 0; j < r.latents().length; j++) {
            String name = "edits/class-" + o.classes().get(j) + ".json";
            Json.write(dir.resolve(name), edits(r, j, inputs, seg));
            files.add(name);
        }
        for (Path f : figures) {
            files.add(dir.relativize(f).toString().replace('\\', '/'));
        }
        files.add("index.json");
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("tool", command);
        index.put("inputs", inputs);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("classes", o.classes());
        p.put("random_latents", o.slots().randomLatents());
        p.put("random_directions", o.slots().randomDirections());
        p.put("class_mean", o.slots().classMean());
        p.put("doses", o.doses() == null ? null : o.doses().toString());
        p.put("seed", o.seed());
        p.put("bootstrap", o.bootstrap());
        p.put("frequency_tolerance_decades", o.tolerance());
        p.put("dose_rule", seg ? "ablate on the patches of truth c (every patch in images without c); dose-response: set to dose x max"
                : "ablate on every patch; dose-response: set to dose x max on every patch");
        index.put("parameters", p);
        index.put("images_used", r.used());
        index.put("images_skipped", r.skipped());
        index.put("files", files);
        Json.write(dir.resolve("index.json"), index);
        return summary;
    }

    private static String perClass(ControlProtocol.Result r, ProtocolStatistics st, boolean seg) {
        ControlProtocol.Options o = r.options();
        StringBuilder b = new StringBuilder("class,name,latent,condition,draws,images_with_class,target_units,target_rate,target_lower,"
                + "target_upper,off_target_rate,off_target_lower,off_target_upper,collateral_rate,collateral_lower,collateral_upper,"
                + "delta_iou,delta_iou_lower,delta_iou_upper,delta_p,delta_p_lower,delta_p_upper,real_minus_control,"
                + "real_minus_control_lower,real_minus_control_upper,p_value,p_holm\n");
        Map<Condition, double[]> holm = holm(r, st, seg);
        for (int j = 0; j < r.latents().length; j++) {
            ImageCounts realTarget = seg ? st.ofClass(j, Condition.REAL, Measure.TARGET) : st.deltaP(j, Condition.REAL);
            for (Condition c : o.slots().conditions()) {
                ImageCounts target = st.ofClass(j, c, Measure.TARGET);
                long imagesWith = 0;
                double units = 0;
                for (int i = 0; i < r.used(); i++) {
                    imagesWith += target.den()[i] > 0 ? 1 : 0;
                    units += target.den()[i];
                }
                b.append(o.classes().get(j)).append(',').append(CsvField.of(r.names().get(j))).append(',').append(r.latents()[j]).append(',')
                        .append(c.id()).append(',').append(o.slots().draws(c)).append(',').append(imagesWith).append(',').append((long) units);
                Interval.appendCsv(b, st.interval(target));
                Interval.appendCsv(b, st.interval(st.ofClass(j, c, Measure.OFF_TARGET)));
                Interval.appendCsv(b, seg ? st.interval(st.ofClass(j, c, Measure.COLLATERAL)) : null);
                Interval.appendCsv(b, seg ? st.deltaIou(j, c) : null);
                Interval.appendCsv(b, seg ? null : st.interval(st.deltaP(j, c)));
                if (c == Condition.REAL) {
                    b.append(",,,,,\n");
                    continue;
                }
                ImageCounts control = seg ? target : st.deltaP(j, c);
                Interval.appendCsv(b, st.classDifference(realTarget, control));
                PairedTest t = st.test(j, c, seg);
                b.append(',').append(Interval.csvNumber(t.pValue())).append(',').append(Interval.csvNumber(holm.get(c)[j])).append('\n');
            }
        }
        return b.toString();
    }

    /** Holm-adjusted p-values over the classes, per control. */
    private static Map<Condition, double[]> holm(ControlProtocol.Result r, ProtocolStatistics st, boolean seg) {
        Map<Condition, double[]> out = new LinkedHashMap<>();
        for (Condition c : r.options().slots().conditions()) {
            if (c == Condition.REAL) {
                continue;
            }
            double[] p = new double[r.latents().length];
            for (int j = 0; j < p.length; j++) {
                p[j] = st.test(j, c, seg).pValue();
            }
            out.put(c, HolmBonferroni.adjust(p));
        }
        return out;
    }

    private static Map<String, Object> summary(ControlProtocol.Result r, ProtocolStatistics st, boolean seg) {
        ControlProtocol.Options o = r.options();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("task", seg ? "segment" : "classify");
        s.put("faithfulness", r.faith().toMap(seg));
        s.put("images_used", r.used());
        s.put("classes", o.classes().size());
        List<Measure> measures = seg ? List.of(Measure.TARGET, Measure.OFF_TARGET, Measure.COLLATERAL) : List.of(Measure.TARGET, Measure.OFF_TARGET);
        Map<String, Object> rates = new LinkedHashMap<>();
        for (Condition c : o.slots().conditions()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Measure me : measures) {
                m.put(me.id() + (seg ? "" : "-flip"), microMacro(st.microMacro(st.overClasses(c, me))));
            }
            if (!seg) {
                m.put("delta-p", microMacro(st.microMacro(st.deltaP(-1, c))));
            }
            rates.put(c.id(), m);
        }
        s.put("rates", rates);
        Map<String, Object> diffs = new LinkedHashMap<>();
        Map<Condition, double[]> holm = holm(r, st, seg);
        for (Condition c : o.slots().conditions()) {
            if (c == Condition.REAL) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            for (Measure me : measures) {
                m.put(me.id() + (seg ? "" : "-flip"), microMacro(st.difference(st.overClasses(Condition.REAL, me), st.overClasses(c, me))));
            }
            if (!seg) {
                m.put("delta-p", microMacro(st.difference(st.deltaP(-1, Condition.REAL), st.deltaP(-1, c))));
            }
            int rejected = 0;
            for (double p : holm.get(c)) {
                rejected += p <= 0.05 ? 1 : 0;
            }
            m.put("classes_rejected_holm_0.05", rejected);
            m.put("test", "paired sign-flip test per class on " + (seg ? "changed target patches" : "delta p(target)")
                    + " per image, Holm over classes");
            diffs.put("real-minus-" + c.id(), m);
        }
        s.put("differences", diffs);
        return s;
    }

    private static Map<String, Object> microMacro(Interval[] i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("micro", i[0].toMap());
        m.put("macro", i[1].toMap());
        return m;
    }




    private static String transitions(ControlProtocol.Result r) {
        StringBuilder b = new StringBuilder("class,name,from,to,count\n");
        for (int j = 0; j < r.latents().length; j++) {
            for (ClassificationEffects.Transitions.Transition t : r.tally().transitions[j].all()) {
                b.append(r.options().classes().get(j)).append(',').append(CsvField.of(r.names().get(j))).append(',').append(t.from()).append(',')
                        .append(t.to()).append(',').append(t.count()).append('\n');
            }
        }
        return b.toString();
    }

    private static Map<String, Object> edits(ControlProtocol.Result r, int j, Map<String, Object> inputs, boolean seg) {
        ControlProtocol.Options o = r.options();
        int c = o.classes().get(j);
        EditTokens tokens = seg ? EditTokens.ofClass(c) : EditTokens.allPatches();
        String model = inputs.get("model") == null ? null : inputs.get("model").toString();
        Integer block = inputs.get("block") instanceof Integer i ? i : null;
        String analysis = inputs.get("analysis") == null ? null : inputs.get("analysis").toString();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("class", c);
        m.put("name", r.names().get(j));
        m.put("real", spec(model, block, tokens, r.latents()[j], analysis));
        List<Object> random = new ArrayList<>();
        for (int l : r.random()[j]) {
            random.add(spec(model, block, tokens, l, analysis));
        }
        m.put("random_latents", random);
        m.put("random_directions", ordered("draws", o.slots().randomDirections(), "sharing", "per image",
                "norm", "the real edit's per-token norm", "seed", "RandomDirections.seedFor(RandomDirections.seedFor(seed, class, 0), image, draw)"));
        m.put("class_mean", o.slots().classMean() ? ordered("direction", "mean(class) - mean(other labelled patches), unit length",
                "amount", "the real edit's per-token norm, signed by its code change") : null);
        if (seg) {
            m.put("images_without_class", "tokens all_patches (collateral)");
        }
        if (o.doses() != null) {
            m.put("dose_response", ordered("operation", "set", "unit", "max", "doses", o.doses().toString()));
        }
        return m;
    }

    /** A map of alternating keys and values in that order (Map.of's order varies between runs, and so would the file's bytes). */
    private static Map<String, Object> ordered(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private static EditSpec spec(String model, Integer block, EditTokens tokens, int latent, String analysis) {
        return EditSpec.builder(EditOperation.ABLATE).model(model).block(block).tokens(tokens).latents(latent).analysis(analysis).build();
    }

}
