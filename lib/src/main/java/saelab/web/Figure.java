package saelab.web;

import java.io.PrintStream;

/**
 * One figure of the dashboards' benchmark: which part, what was timed (with its setup), the summary and the load
 * average when it was taken.
 *
 * @param part    1, 2 or 3 (see {@link DashboardBenchmark})
 * @param what    what was timed, e.g. {@code segment slider edit over HTTP}
 * @param timings the summary in milliseconds
 * @param load    the load average right after the timing ({@link LoadAverage})
 */
public record Figure(int part, String what, Timings timings, String load) {

    /** Prints {@code   what: median .. ms, p95 .. ms, mean .. ms (n N)  [load a b c]}. */
    void print(PrintStream out) {
        out.println("  " + what + ": " + timings.describe() + "  [" + load + "]");
    }

    /** The median in milliseconds. */
    public double medianMs() {
        return timings.median();
    }

    /** The 95th percentile in milliseconds. */
    public double p95Ms() {
        return timings.p95();
    }

    /** The mean in milliseconds. */
    public double meanMs() {
        return timings.mean();
    }

    /** How many timings. */
    public int count() {
        return timings.n();
    }
}
