package saelab.cli;

import picocli.CommandLine.Option;
import saelab.store.ActivationCache;

/**
 * The {@code --layer N} option of the commands that read one recorded layer of a cache ({@code analyze},
 * {@code concepts}, {@code bench loader}), declared once; used as a picocli mixin.
 */
final class LayerOption {

    @Option(names = "--layer", description = "block index (default: the first recorded)")
    Integer layer;

    /** The layer the user named, or the first that {@code cache} records. */
    int of(ActivationCache cache) {
        return orFirst(layer, cache);
    }

    /** {@code layer}, or the first layer {@code cache} records when it is null. */
    static int orFirst(Integer layer, ActivationCache cache) {
        return layer == null ? cache.layers().getFirst() : layer;
    }
}
