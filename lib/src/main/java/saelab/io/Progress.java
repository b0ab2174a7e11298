package saelab.io;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of a long job on one line: done/total, rate and time left, refreshed at most every
 * {@code intervalMillis}. On a terminal the line is rewritten in place; elsewhere (logs, notebooks)
 * a new line is printed at each refresh.
 */
public final class Progress {

    private final String label;
    private final String unit;
    private final long total;
    private final PrintStream out;
    private final long intervalNanos;
    private final boolean inPlace;
    private final long start = System.nanoTime();
    private long lastPrint;
    private long done;

    /**
     * @param label what is being done, e.g. {@code "writing cache"}
     * @param unit  what is counted, e.g. {@code "images"}
     * @param total the count at the end, or -1 when unknown
     */
    public Progress(String label, String unit, long total, PrintStream out, long intervalMillis) {
        this.label = label;
        this.unit = unit;
        this.total = total;
        this.out = out;
        this.intervalNanos = intervalMillis * 1_000_000L;
        this.inPlace = System.console() != null && out == System.err;
        this.lastPrint = start;
    }

    /** Progress on standard error, refreshed every 2 s. */
    public static Progress stderr(String label, String unit, long total) {
        return new Progress(label, unit, total, System.err, 2000);
    }

    /** Counts {@code n} more units and prints when the interval has passed. */
    public void advance(long n) {
        done += n;
        long now = System.nanoTime();
        if (now - lastPrint >= intervalNanos) {
            lastPrint = now;
            print(false);
        }
    }

    /** Prints the final line. */
    public void finish() {
        print(true);
    }

    /** Units per second so far. */
    public double rate() {
        double secs = (System.nanoTime() - start) / 1e9;
        return secs > 0 ? done / secs : 0;
    }

    private void print(boolean last) {
        double secs = (System.nanoTime() - start) / 1e9;
        double rate = rate();
        StringBuilder sb = new StringBuilder(label).append(": ").append(done);
        if (total >= 0) {
            sb.append('/').append(total).append(String.format(Locale.ROOT, " (%.0f%%)", 100.0 * done / Math.max(1, total)));
        }
        sb.append(' ').append(unit).append(String.format(Locale.ROOT, ", %s/s", human(rate)));
        if (last) {
            sb.append(String.format(Locale.ROOT, ", %.1f s", secs));
        } else if (total >= 0 && rate > 0) {
            sb.append(", ").append(duration((total - done) / rate)).append(" left");
        }
        if (inPlace) {
            out.print("\r" + sb + (last ? "\n" : ""));
        } else {
            out.println(sb);
        }
        out.flush();
    }

    static String human(double v) {
        // thresholds sit where the rounded text would reach 1000 of the smaller unit
        if (v >= 999_995) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (v >= 999.95) {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String duration(double secs) {
        long s = Math.round(secs);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + " s";
    }
}
