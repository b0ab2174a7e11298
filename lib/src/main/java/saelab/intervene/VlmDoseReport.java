package saelab.intervene;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.intervene.VlmProtocolReport.Condition;
import saelab.intervene.VlmProtocolReport.Measure;
import saelab.intervene.stats.ClusterBootstrap;
import saelab.intervene.stats.DoseGrid;
import saelab.intervene.stats.ImageCounts;
import saelab.intervene.stats.Interval;

/**
 * The swap's dose-response of a {@link VlmProtocol} run with a dose grid: per dose (c''s latent set to dose × its
 * maximum, c's to 0) and condition (the real edit, the frequency-matched random latents, the random directions of that
 * dose's per-token norm), the rate over questions of a changed answer and of an answer naming c', each with its 95%
 * cluster-bootstrap interval over images (the protocol's unit; micro rates, the protocol table's). Written as
 * {@code dose-response.csv} and the summary's {@code dose_response}. The sweep is exploratory: the pre-registered
 * measures are the swap's at dose 1 ({@link VlmProtocolReport}).
 */
public final class VlmDoseReport {

    /** The file name. */
    public static final String CSV = "dose-response.csv";

    private VlmDoseReport() {}

    /** A dose in a column name or a file: {@code 2}, {@code 0.5}, {@code -1}. */
    static String doseName(double dose) {
        return DoseGrid.format(dose);
    }

    /** One row per dose and condition: the rates with their intervals. */
    static String csv(VlmProtocol.Result r, ClusterBootstrap boot) {
        StringBuilder b = new StringBuilder("dose,condition,draws,questions,change_rate,change_lower,change_upper,to_target_rate,to_target_lower,"
                + "to_target_upper\n");
        for (Row row : rows(r, boot)) {
            b.append(doseName(row.dose())).append(',').append(row.condition().id).append(',').append(row.draws()).append(',')
                    .append(r.outcomes().size());
            Interval.appendCsv(b, row.changed());
            Interval.appendCsv(b, row.toTarget());
            b.append('\n');
        }
        return b.toString();
    }

    /** The summary's {@code dose_response}: the rule, the doses and one entry per dose and condition. */
    static Map<String, Object> summary(VlmProtocol.Result r, ClusterBootstrap boot) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("operation", "swap");
        m.put("unit", "max");
        m.put("doses", r.options().doseValues());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Row row : rows(r, boot)) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("dose", row.dose());
            e.put("condition", row.condition().id);
            e.put("draws", row.draws());
            e.put("change_rate_micro", row.changed().toMap());
            e.put("to_target_rate_micro", row.toTarget().toMap());
            rows.add(e);
        }
        m.put("rows", rows);
        return m;
    }

    private record Row(double dose, Condition condition, int draws, Interval changed, Interval toTarget) {}

    private static List<Row> rows(VlmProtocol.Result r, ClusterBootstrap boot) {
        VlmProtocol.Options o = r.options();
        double[] doses = o.doseValues();
        List<Row> out = new ArrayList<>();
        for (int k = 0; k < doses.length; k++) {
            int dose = k;
            for (Condition c : VlmProtocolReport.conditions(o)) {
                ImageCounts changed = VlmProtocolReport.counts(r, outcome -> outcome.doses()[dose], c, Measure.CHANGED, -1);
                ImageCounts toTarget = VlmProtocolReport.counts(r, outcome -> outcome.doses()[dose], c, Measure.TO_TARGET, -1);
                out.add(new Row(doses[k], c, VlmProtocolReport.draws(o, c), boot.microRate(changed), boot.microRate(toTarget)));
            }
        }
        return out;
    }
}
