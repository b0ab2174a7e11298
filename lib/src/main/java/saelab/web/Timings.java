package saelab.web;

import java.util.Arrays;
import java.util.Locale;

/**
 * Summary of repeated timings in milliseconds: count, median, 95th percentile (nearest rank, as numpy's
 * {@code percentile(..., method="inverted_cdf")}) and mean.
 */
public record Timings(int n, double median, double p95, double mean) {

    /** Summarises {@code ms} (at least one value, all finite). */
    public static Timings of(double[] ms) {
        if (ms.length == 0) {
            throw new IllegalArgumentException("no timings to summarise");
        }
        double[] s = ms.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        double p95 = s[Math.max(0, (int) Math.ceil(0.95 * n) - 1)];
        return new Timings(n, median, p95, Arrays.stream(s).average().orElseThrow());
    }

    /** {@code median 12.3 ms, p95 15.0 ms, mean 12.9 ms (n 50)}. */
    public String describe() {
        return String.format(Locale.ROOT, "median %s ms, p95 %s ms, mean %s ms (n %d)", ms(median), ms(p95), ms(mean), n);
    }

    /** Three significant figures, no exponent (e.g. 1230, 12.3, 0.00456). */
    static String ms(double v) {
        if (v == 0 || !Double.isFinite(v)) {
            return String.valueOf(v);
        }
        java.math.BigDecimal d = new java.math.BigDecimal(v).round(new java.math.MathContext(3));
        return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
    }
}
