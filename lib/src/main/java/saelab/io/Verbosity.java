package saelab.io;

/** Whether a long job prints its {@link Progress} line on standard error. */
public enum Verbosity {
    /** Print nothing (tests, benchmarks, notebooks that report results themselves). */
    QUIET,
    /** Print a progress line (done/total, rate, time left) on standard error. */
    PROGRESS;

    /**
     * A progress line on standard error for this setting, or null when {@link #QUIET}.
     *
     * @see Progress#stderr(String, String, long)
     */
    public Progress stderr(String label, String unit, long total) {
        return this == PROGRESS ? Progress.stderr(label, unit, total) : null;
    }
}
