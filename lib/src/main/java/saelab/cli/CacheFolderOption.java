package saelab.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --cache DIR} option of the commands that read one activation cache ({@code analyze},
 * {@code bench loader}), declared and checked once; used as a picocli mixin.
 */
final class CacheFolderOption {

    @Option(names = "--cache", required = true, description = "activation cache folder")
    Path cache;

    /** The cache folder, checked to be an existing folder before any work starts. */
    Path folder() {
        return CliPaths.requireFolder(cache, "an activation cache folder");
    }
}
