package saelab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;
import saelab.store.ActivationCache;
import saelab.store.RecordedLayer;

/**
 * The {@code --layer N} option of the commands that read one recorded layer of a cache ({@code analyze},
 * {@code concepts}, {@code bench loader}), declared once; used as a picocli mixin.
 */
final class LayerOption {

    @Option(names = "--layer", converter = Converter.class,
            description = "block index, or final / pooled (default: the first recorded)")
    Integer layer;

    /** Reads a recorded layer's name: a block index (0-based), {@code final} or {@code pooled} ({@link RecordedLayer#parse}). */
    static final class Converter implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return RecordedLayer.parse(value, "--layer");
        }
    }

    /** The layer the user named, or the first that {@code cache} records. */
    int of(ActivationCache cache) {
        return orFirst(layer, cache);
    }

    /** {@code layer}, or the first layer {@code cache} records when it is null. */
    static int orFirst(Integer layer, ActivationCache cache) {
        return layer == null ? cache.layers().getFirst() : layer;
    }
}
