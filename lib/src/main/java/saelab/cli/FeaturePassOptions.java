package saelab.cli;

import picocli.CommandLine.Option;

/**
 * The feature-pass options shared by {@code analyze} and {@code bench analyze}: top examples kept per latent
 * ({@code --k}) and tokens per encoder batch ({@code --batch}), declared once; used as a picocli mixin.
 */
final class FeaturePassOptions {

    @Option(names = "--k", defaultValue = "64", description = "top examples per latent (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--batch", defaultValue = "4096", description = "tokens per encoder batch (default ${DEFAULT-VALUE})")
    int batch;
}
