package saelab.intervene.stats;

/**
 * A point estimate with a two-sided confidence interval from resampling ({@link ClusterBootstrap}).
 *
 * @param estimate  the statistic on the data as observed (NaN when undefined, e.g. a rate with no denominator)
 * @param lower     the lower percentile bound (NaN when no replicate was defined)
 * @param upper     the upper percentile bound
 * @param level     the nominal coverage, e.g. 0.95
 * @param resamples replicates drawn
 * @param undefined replicates whose statistic was undefined (NaN, e.g. no image of the class was drawn), left out
 *                  of the percentiles; report it when it is not 0
 */
public record Interval(double estimate, double lower, double upper, double level, int resamples, int undefined) {

    /** Whether the interval lies entirely above or entirely below {@code value} (false when undefined). */
    public boolean excludes(double value) {
        return lower > value || upper < value;
    }

    /** Whether {@code value} lies within [lower, upper] (false when undefined). */
    public boolean covers(double value) {
        return lower <= value && value <= upper;
    }

    /**
     * The interval as a JSON-ready map: estimate, lower and upper (null when not finite), the level and the undefined
     * replicates, as every protocol report writes it.
     */
    public java.util.Map<String, Object> toMap() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("estimate", finite(estimate));
        m.put("lower", finite(lower));
        m.put("upper", finite(upper));
        m.put("level", level);
        m.put("undefined_resamples", undefined);
        return m;
    }

    /** Appends {@code ,estimate,lower,upper} to a CSV row ({@code ,,,} for a null interval; NaN as an empty field). */
    public static void appendCsv(StringBuilder row, Interval i) {
        if (i == null) {
            row.append(",,,");
            return;
        }
        row.append(',').append(csvNumber(i.estimate)).append(',').append(csvNumber(i.lower)).append(',').append(csvNumber(i.upper));
    }

    /** A number as the protocol CSVs write it: six significant digits, NaN as an empty field. */
    public static String csvNumber(double v) {
        return Double.isNaN(v) ? "" : String.format(java.util.Locale.ROOT, "%.6g", v);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
