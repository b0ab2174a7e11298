package saelab.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The input of {@code train} and {@code eval}: exactly one of {@code --input x.npy} and {@code --cache DIR},
 * declared and checked once; used as an exclusive picocli argument group.
 */
final class MatrixOrCacheInput {

    @Option(names = "--input", description = "float32 .npy matrix [n, d_model]")
    Path npy;

    @Option(names = "--cache", description = "activation cache folder")
    Path cache;

    /** Checks that the input the user named exists and has the right kind (file or folder), before any work starts. */
    MatrixOrCacheInput check() {
        if (npy != null) {
            CliPaths.requireFile(npy, "a float32 .npy matrix [n, d_model]");
        } else {
            CliPaths.requireFolder(cache, "an activation cache folder");
        }
        return this;
    }
}
