package saelab.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --sae FILE} option of the commands that read a trained SAE checkpoint ({@code eval},
 * {@code analyze}, {@code concepts}, {@code align}), declared and checked once; used as a picocli mixin.
 */
final class SaeFileOption {

    @Option(names = "--sae", required = true, description = "sae.safetensors")
    Path sae;

    /** The checkpoint, checked to be an existing file before any work starts. */
    Path file() {
        return CliPaths.requireFile(sae, "an SAE checkpoint (sae.safetensors)");
    }
}
