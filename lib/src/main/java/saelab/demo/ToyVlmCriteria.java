package saelab.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import saelab.demo.ToyControlCriteria.Criterion;
import saelab.io.Json;

/**
 * The toy world's acceptance criteria for the VLM control protocol (issue 15: "edits of the matched latent change the
 * answer in the predicted direction far more often than both controls"), fixed in code before the first run on the toy
 * VLM and never tuned since. For one family's run (colour questions editing colour latents, or shape questions editing
 * shape latents), on the held-out world, with the micro rates over questions and their 95% cluster-bootstrap intervals
 * over images ({@code summary.json} of {@link saelab.intervene.VlmProtocolReport}):
 * <ol>
 *   <li><b>faithful</b>: with the SAE spliced in and no edit, every answer is the clean model's token for token;</li>
 *   <li><b>swap reaches the target far more</b>: the real swap's rate of answering the added class c' is at least
 *       {@value #FAR_MORE} times that of each control (frequency-matched random latents, random directions of the real
 *       edit's per-token norm) and above 0;</li>
 *   <li><b>swap separated</b>: the lower end of the real swap's to-target interval lies above the upper end of each
 *       control's;</li>
 *   <li><b>suppress changes far more</b>: the real suppress edit's answer change rate is at least {@value #FAR_MORE} times
 *       each control's and above 0, and its interval's lower end lies above each control's upper end.</li>
 * </ol>
 * Why these: {@value #FAR_MORE} times is the image protocol's "far more" ({@link ToyControlCriteria#FAR_MORE}), so both
 * toy protocols mean the same by it; intervals that do not overlap are stricter than a paired difference above 0 and can
 * be checked from the rates-with-intervals table alone. Micro rates, since "how often" counts questions and the toy
 * world's colours and shapes are drawn uniformly, so no class dominates the mean.
 *
 * <p><b>The confirmatory run.</b> On the demo's first run these criteria failed at the protocol's swap (the added latent at
 * 1 × its maximum). The exploratory dose-response of that step ({@code params.doses}) then showed the colour swap landing on
 * c' far more often than both controls from 5 × on. A dose chosen by looking is a hypothesis, so the demo plan holds a second
 * step, {@code control-vlm-clip-confirm}, registered on 2026-12-07 before its first run: the swap at 5 × the added latent's
 * maximum, on held-out scenes 40-199 (the exploratory step asked about scenes 0-39), judged by these same criteria,
 * unchanged, and reported whatever it gives.
 */
public final class ToyVlmCriteria {

    /** How many times each control's rate the real edit's must reach. */
    public static final double FAR_MORE = 3.0;

    private static final List<String> CONTROLS = List.of("random_latent", "random_direction");

    /**
     * The criteria of one run.
     *
     * @param family   the family the run edits
     * @param criteria each criterion
     */
    public record Outcome(String family, List<Criterion> criteria) {

        /** Whether every criterion holds. */
        public boolean passed() {
            return criteria.stream().allMatch(Criterion::passed);
        }

        /** A plain-text table, one line per criterion. */
        public String describe() {
            StringBuilder b = new StringBuilder();
            for (Criterion c : criteria) {
                b.append(c.passed() ? "PASS  " : "FAIL  ").append(family).append(": ").append(c.name()).append(": ").append(c.rule())
                        .append("; measured ").append(c.measured()).append('\n');
            }
            return b.toString();
        }
    }

    private ToyVlmCriteria() {}

    /**
     * Evaluates the criteria on a VLM protocol folder.
     *
     * @throws IllegalArgumentException when {@code summary.json} is missing or lacks a rate the criteria read (a run without
     *                                  both controls)
     */
    public static Outcome evaluate(String family, Path runDir) throws IOException {
        Path file = runDir.resolve("summary.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(runDir + " has no summary.json; expected the folder of a saelab control vlm run");
        }
        JsonNode s = Json.mapper().readTree(file.toFile());
        List<Criterion> out = new ArrayList<>();
        long questions = s.path("questions").asLong(-1);
        long identical = s.path("faithfulness").path("no_edit_identical_tokens").asLong(-2);
        out.add(new Criterion("faithful", "no-edit answers identical to the clean ones token for token on every question",
                identical + " of " + questions, questions > 0 && identical == questions));
        out.add(farMore(s, file, "swap", "to_target_rate_micro", "swap reaches the target far more", "rate of answering c'"));
        out.add(separated(s, file, "swap", "to_target_rate_micro", "swap separated", "to-target"));
        Criterion suppress = farMore(s, file, "suppress", "change_rate_micro", "suppress changes far more", "answer change rate");
        Criterion apart = separated(s, file, "suppress", "change_rate_micro", "", "change");
        out.add(new Criterion(suppress.name(), suppress.rule() + ", and " + apart.rule(), suppress.measured() + "; " + apart.measured(),
                suppress.passed() && apart.passed()));
        return new Outcome(family, List.copyOf(out));
    }

    private static JsonNode rate(JsonNode s, Path file, String op, String condition, String key) {
        JsonNode r = s.path("operations").path(op).path(condition).path(key);
        if (!r.path("estimate").isNumber()) {
            throw new IllegalArgumentException(file + " has no number at operations." + op + "." + condition + "." + key
                    + ".estimate; expected a run with both random controls");
        }
        return r;
    }

    /** A bound, NaN when written as null (undefined). */
    private static double bound(JsonNode r, String which) {
        return r.path(which).isNumber() ? r.path(which).asDouble() : Double.NaN;
    }

    private static Criterion farMore(JsonNode s, Path file, String op, String key, String name, String what) {
        double real = rate(s, file, op, "real", key).path("estimate").asDouble();
        boolean ok = real > 0;
        StringBuilder m = new StringBuilder(String.format(Locale.ROOT, "real %.4f", real));
        for (String c : CONTROLS) {
            double v = rate(s, file, op, c, key).path("estimate").asDouble();
            ok &= real >= FAR_MORE * v;
            m.append(String.format(Locale.ROOT, ", %s %.4f", c.replace('_', ' '), v));
        }
        return new Criterion(name, String.format(Locale.ROOT, "real %s %s >= %.0fx each control's and > 0", op, what, FAR_MORE),
                m.toString(), ok);
    }

    private static Criterion separated(JsonNode s, Path file, String op, String key, String name, String what) {
        double lower = bound(rate(s, file, op, "real", key), "lower");
        boolean ok = Double.isFinite(lower);
        StringBuilder m = new StringBuilder(String.format(Locale.ROOT, "real lower %.4f", lower));
        for (String c : CONTROLS) {
            double upper = bound(rate(s, file, op, c, key), "upper");
            ok &= Double.isFinite(upper) && lower > upper;
            m.append(String.format(Locale.ROOT, ", %s upper %.4f", c.replace('_', ' '), upper));
        }
        return new Criterion(name, String.format(Locale.ROOT, "the real %s %s interval's lower end above each control's upper end", op, what),
                m.toString(), ok);
    }
}
