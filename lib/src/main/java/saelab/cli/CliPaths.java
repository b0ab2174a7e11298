package saelab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import saelab.io.RequiredPaths;

/**
 * Checks of the paths a user typed, made before a command starts its work, so that a wrong path is one
 * sentence naming it (and nothing is written or computed first).
 */
final class CliPaths {

    private CliPaths() {}

    /** Requires {@code dir} to be an existing folder ({@link RequiredPaths#folder}). */
    static Path requireFolder(Path dir, String what) {
        return RequiredPaths.folder(dir, what);
    }

    /** Requires {@code file} to be an existing file ({@link RequiredPaths#file}). */
    static Path requireFile(Path file, String what) {
        return RequiredPaths.file(file, what);
    }

    /**
     * Requires that {@code out} can be created: its nearest existing ancestor is a writable folder, and
     * {@code out} itself is not a folder when a file is to be written.
     *
     * @throws IllegalArgumentException naming the output and the ancestor that blocks it
     */
    static Path requireWritable(Path out) {
        Path p = out.toAbsolutePath().getParent();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p != null && !Files.isDirectory(p)) {
            throw new IllegalArgumentException("cannot write " + out + ": " + p + " is a file, not a folder");
        }
        if (p != null && !Files.isWritable(p)) {
            throw new IllegalArgumentException("cannot write " + out + ": the folder " + p + " is not writable");
        }
        return out;
    }
}
