package saelab.cli;

import picocli.CommandLine.Option;
import saelab.analysis.LatentSelection;

/**
 * The {@code --latents} option of the commands that work on some latents of an SAE ({@code analyze},
 * {@code concepts}, {@code align}), declared and parsed once; used as a picocli mixin.
 */
final class LatentsOption {

    @Option(names = "--latents", description = "latents to use, e.g. 0-1023,2000 (default: all)")
    String latents;

    /** The latent ids the user named (all of {@code 0..dSae-1} when none), checked against {@code dSae}. */
    int[] ids(int dSae) {
        return LatentSelection.parse(latents, dSae, "--latents");
    }
}
