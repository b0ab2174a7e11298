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
}
