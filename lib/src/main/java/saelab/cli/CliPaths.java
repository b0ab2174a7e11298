package saelab.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks of the paths a user typed, made before a command starts its work, so that a wrong path is one
 * sentence naming it (and nothing is written or computed first).
 */
final class CliPaths {

    private CliPaths() {}

    /**
     * Requires {@code dir} to be an existing folder.
     *
     * @param what what the folder should hold, e.g. {@code "an activation cache folder"}
     * @throws IllegalArgumentException naming the path, when it does not exist or is a file
     */
    static Path requireFolder(Path dir, String what) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + (Files.exists(dir) ? " is a file, not a folder" : " does not exist")
                    + "; expected " + what);
        }
        return dir;
    }

    /**
     * Requires {@code file} to be an existing file (not a folder).
     *
     * @param what what the file should hold, e.g. {@code "an SAE checkpoint (sae.safetensors)"}
     * @throws IllegalArgumentException naming the path, when it does not exist or is a folder
     */
    static Path requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + (Files.isDirectory(file) ? " is a folder, not a file" : " does not exist")
                    + "; expected " + what);
        }
        return file;
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
