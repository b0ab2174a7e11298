package saelab.data;

import java.util.Objects;
import saelab.io.Verbosity;

/**
 * How a dataset manifest is built.
 *
 * @param sha256   compute the SHA-256 of every file (reads every byte; slow on large datasets)
 * @param policy   what to do with listed files that are missing or not regular files
 * @param threads  threads that look at (and hash) the files, >= 1
 * @param verbosity whether to print progress to standard error while looking at the files
 */
public record ManifestOptions(boolean sha256, ProblemPolicy policy, int threads, Verbosity verbosity) {

    /** No checksums, skip and count missing files, up to 8 threads, no progress. */
    public static final ManifestOptions DEFAULT = new ManifestOptions(false, ProblemPolicy.SKIP_AND_COUNT,
            Math.min(8, Runtime.getRuntime().availableProcessors()), Verbosity.QUIET);

    public ManifestOptions {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(verbosity, "verbosity");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
    }

    /** A copy that does or does not compute file checksums. */
    public ManifestOptions withSha256(boolean value) {
        return new ManifestOptions(value, policy, threads, verbosity);
    }

    /** A copy with another problem policy. */
    public ManifestOptions withPolicy(ProblemPolicy value) {
        return new ManifestOptions(sha256, value, threads, verbosity);
    }

    /** A copy with another thread count. */
    public ManifestOptions withThreads(int value) {
        return new ManifestOptions(sha256, policy, value, verbosity);
    }

    /** A copy that does or does not print progress. */
    public ManifestOptions withVerbosity(Verbosity value) {
        return new ManifestOptions(sha256, policy, threads, value);
    }
}
