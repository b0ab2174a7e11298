package saelab.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --out DIR} option of the commands that write an output folder of results ({@code eval},
 * {@code analyze}, {@code concepts}, {@code align}), declared and checked once; used as a picocli mixin.
 */
final class OutputFolderOption {

    @Option(names = "--out", required = true, description = "output folder")
    Path out;

    /** The output folder, checked to be creatable before any work starts (see {@link CliPaths#requireWritable}). */
    Path folder() {
        return CliPaths.requireWritable(out);
    }
}
