package saelab.io;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks of paths a user named, made before any work starts, so that a wrong path is one sentence naming it (and
 * nothing is written or computed first). Used by the command line and by library entry points that take folders.
 */
public final class RequiredPaths {

    private RequiredPaths() {}

    /**
     * Requires {@code dir} to be an existing folder.
     *
     * @param what what the folder should hold, e.g. {@code "an activation cache folder"}
     * @throws IllegalArgumentException naming the path, when it does not exist or is a file
     */
    public static Path folder(Path dir, String what) {
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
    public static Path file(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + (Files.isDirectory(file) ? " is a folder, not a file" : " does not exist")
                    + "; expected " + what);
        }
        return file;
    }
}
