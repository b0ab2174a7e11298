package saelab.store;

import java.nio.file.Path;

/**
 * A shard file that is missing or whose size differs from what its manifest or metadata declares,
 * found when a cache is opened; carries the file and the problem alone, so {@link CacheVerifier}
 * can report it against the file.
 */
final class ShardFileProblem extends IllegalArgumentException {

    private final transient Path file;
    private final String problem;

    ShardFileProblem(Path file, String problem, String sentence) {
        super(sentence);
        this.file = file;
        this.problem = problem;
    }

    /** The shard file. */
    Path file() {
        return file;
    }

    /** What is wrong with it, without the file name. */
    String problem() {
        return problem;
    }
}
