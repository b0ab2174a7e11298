package saelab.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Images that were missing or unreadable, collected from any number of threads, under a
 * {@link ProblemPolicy}. The manifest builders record missing files here; the capture pipeline records
 * files it cannot decode.
 *
 * <p>{@link #report} applies the policy (under {@link ProblemPolicy#STOP} it throws);
 * {@link #add} only records. {@link #list()} is sorted by path, then reason, so its order does not
 * depend on thread timing.
 */
public final class ImageProblems {

    /** How many problems {@link #summary()} and {@link #stopIfAny} name one by one. */
    public static final int SHOWN = 20;

    /**
     * One image that could not be used.
     *
     * @param path   the image's path (relative to the dataset root where known)
     * @param reason what is wrong, e.g. {@code missing} or {@code not a JPEG: ...}
     */
    public record Problem(String path, String reason) {
        public Problem {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String toString() {
            return path + ": " + reason;
        }
    }

    private final ProblemPolicy policy;
    private final ConcurrentLinkedQueue<Problem> problems = new ConcurrentLinkedQueue<>();
    private final AtomicLong count = new AtomicLong();

    /** An empty collection under the given policy. */
    public ImageProblems(ProblemPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** The policy. */
    public ProblemPolicy policy() {
        return policy;
    }

    /** Records a problem without applying the policy (thread-safe). */
    public void add(String path, String reason) {
        problems.add(new Problem(path, reason));
        count.incrementAndGet();
    }

    /**
     * Records a problem and applies the policy (thread-safe).
     *
     * @throws IllegalArgumentException under {@link ProblemPolicy#STOP}, naming the path and the reason
     */
    public void report(String path, String reason) {
        add(path, reason);
        if (policy == ProblemPolicy.STOP) {
            throw new IllegalArgumentException(path + ": " + reason + " (policy STOP; with SKIP_AND_COUNT such images"
                    + " are skipped and counted)");
        }
    }

    /** Records every problem of a list without applying the policy. */
    public void addAll(List<Problem> list) {
        list.forEach(p -> add(p.path(), p.reason()));
    }

    /** Number of problems recorded so far. */
    public long count() {
        return count.get();
    }

    /** Whether nothing was recorded. */
    public boolean isEmpty() {
        return count.get() == 0;
    }

    /** A snapshot of the problems, sorted by path and then reason. */
    public List<Problem> list() {
        List<Problem> out = new ArrayList<>(problems);
        out.sort(Comparator.comparing(Problem::path).thenComparing(Problem::reason));
        return out;
    }

    /**
     * Throws under {@link ProblemPolicy#STOP} when anything was recorded.
     *
     * @param what what was being done, e.g. {@code "building the manifest of /data/cub"}
     * @throws IllegalArgumentException naming the count and the first {@value #SHOWN} problems
     */
    public void stopIfAny(String what) {
        if (policy == ProblemPolicy.STOP && !isEmpty()) {
            throw new IllegalArgumentException(what + ": " + summary() + " (policy STOP; with SKIP_AND_COUNT these"
                    + " images are left out and listed)");
        }
    }

    /**
     * One paragraph: {@code "no image problems"}, or the count followed by the first
     * {@value #SHOWN} problems, one per line, and how many more there are.
     */
    public String summary() {
        List<Problem> all = list();
        if (all.isEmpty()) {
            return "no image problems";
        }
        StringBuilder sb = new StringBuilder();
        sb.append(all.size()).append(all.size() == 1 ? " image problem:" : " image problems:");
        for (int i = 0; i < Math.min(SHOWN, all.size()); i++) {
            sb.append("\n  ").append(all.get(i));
        }
        if (all.size() > SHOWN) {
            sb.append("\n  ... and ").append(all.size() - SHOWN).append(" more");
        }
        return sb.toString();
    }
}
