package saelab.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Json;

/**
 * The VLM protocol's toy criteria on hand-written summaries: a clear effect passes every criterion; each criterion fails
 * alone when only its own number is moved across its threshold (a control at more than a third of the real rate, touching
 * intervals, one unfaithful answer); a summary without a control is one sentence.
 */
class ToyVlmCriteriaTest {

    @TempDir
    Path tmp;

    /** rate, lower, upper per operation/condition/measure key. */
    private static Map<String, Object> rate(double estimate, double lower, double upper) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("estimate", estimate);
        m.put("lower", lower);
        m.put("upper", upper);
        return m;
    }

    private static Map<String, Object> summary(int identical, double[] swapRl, double[] suppressRd, double[] swapReal) {
        Map<String, Object> ops = new LinkedHashMap<>();
        for (String op : List.of("suppress", "swap")) {
            Map<String, Object> conds = new LinkedHashMap<>();
            for (String c : List.of("real", "random_latent", "random_direction")) {
                Map<String, Object> m = new LinkedHashMap<>();
                double[] change = c.equals("real") ? new double[] {0.6, 0.5, 0.7}
                        : op.equals("suppress") && c.equals("random_direction") ? suppressRd : new double[] {0.05, 0.0, 0.1};
                m.put("change_rate_micro", rate(change[0], change[1], change[2]));
                if (op.equals("swap")) {
                    double[] t = c.equals("real") ? swapReal : c.equals("random_latent") ? swapRl : new double[] {0.0, 0.0, 0.0};
                    m.put("to_target_rate_micro", rate(t[0], t[1], t[2]));
                }
                conds.put(c, m);
            }
            ops.put(op, conds);
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("faithfulness", Map.of("questions", 40, "no_edit_identical_tokens", identical, "rate", identical / 40.0));
        s.put("questions", 40);
        s.put("operations", ops);
        return s;
    }

    private ToyVlmCriteria.Outcome run(String name, Map<String, Object> summary) throws IOException {
        Path dir = tmp.resolve(name);
        java.nio.file.Files.createDirectories(dir);
        Json.write(dir.resolve("summary.json"), summary);
        return ToyVlmCriteria.evaluate("colour", dir);
    }

    private static final double[] CLEAR_RL = {0.05, 0.0, 0.1};
    private static final double[] CLEAR_RD = {0.05, 0.0, 0.1};
    private static final double[] CLEAR_REAL = {0.5, 0.4, 0.6};

    @Test
    void aClearEffectPassesAndEachCriterionFailsOnItsOwnNumber() throws IOException {
        ToyVlmCriteria.Outcome ok = run("ok", summary(40, CLEAR_RL, CLEAR_RD, CLEAR_REAL));
        assertTrue(ok.passed(), ok.describe());
        assertEquals(4, ok.criteria().size());

        ToyVlmCriteria.Outcome unfaithful = run("unfaithful", summary(39, CLEAR_RL, CLEAR_RD, CLEAR_REAL));
        assertEquals(List.of(false, true, true, true), passes(unfaithful), unfaithful.describe());

        // a random latent reaching the target at 0.2 > 0.5 / 3 fails "far more" only (its interval still ends below 0.4)
        ToyVlmCriteria.Outcome close = run("close", summary(40, new double[] {0.2, 0.1, 0.3}, CLEAR_RD, CLEAR_REAL));
        assertEquals(List.of(true, false, true, true), passes(close), close.describe());

        // a control interval reaching the real one's lower end fails "separated" only
        ToyVlmCriteria.Outcome touching = run("touching", summary(40, new double[] {0.1, 0.0, 0.4}, CLEAR_RD, CLEAR_REAL));
        assertEquals(List.of(true, true, false, true), passes(touching), touching.describe());

        // a random direction changing the answer at 0.25 > 0.6 / 3 fails the suppress criterion only
        ToyVlmCriteria.Outcome suppress = run("suppress", summary(40, CLEAR_RL, new double[] {0.25, 0.15, 0.35}, CLEAR_REAL));
        assertEquals(List.of(true, true, true, false), passes(suppress), suppress.describe());

        // no effect at all is no pass, even against controls at 0
        ToyVlmCriteria.Outcome none = run("none", summary(40, new double[] {0, 0, 0}, CLEAR_RD, new double[] {0, 0, 0}));
        assertFalse(none.criteria().get(1).passed(), none.describe());
        assertFalse(none.criteria().get(2).passed(), none.describe());
    }

    @Test
    void aSummaryWithoutAControlOrAFolderWithoutASummaryIsOneSentence() throws IOException {
        Map<String, Object> s = summary(40, CLEAR_RL, CLEAR_RD, CLEAR_REAL);
        @SuppressWarnings("unchecked")
        Map<String, Object> swap = (Map<String, Object>) ((Map<String, Object>) s.get("operations")).get("swap");
        swap.remove("random_direction");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run("no-control", s));
        assertTrue(e.getMessage().contains("operations.swap.random_direction.to_target_rate_micro.estimate"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ToyVlmCriteria.evaluate("shape", tmp));
        assertTrue(e.getMessage().endsWith("has no summary.json; expected the folder of a saelab control vlm run"), e.getMessage());
    }

    private static List<Boolean> passes(ToyVlmCriteria.Outcome o) {
        return o.criteria().stream().map(ToyControlCriteria.Criterion::passed).toList();
    }
}
