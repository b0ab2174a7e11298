package saelab.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import saelab.hub.ModelLocator;

/**
 * The model options shared by {@code forward} and {@code align}: {@code --model} (a local folder or a hub id)
 * and {@code --revision}, declared and resolved once; used as a picocli mixin.
 */
final class ModelOptions {

    @Option(names = "--model", required = true,
            description = "model folder (config.json + model.safetensors, or open_clip_config.json + open_clip_model.safetensors),"
                    + " or a hub id ORG/NAME[@REVISION] (downloaded into the cache; HF_HUB_OFFLINE=1 uses the cache only)")
    String model;

    @Option(names = "--revision", defaultValue = "main", description = "hub revision: branch, tag or commit (default ${DEFAULT-VALUE})")
    String revision;

    /** The local model folder: {@code --model} itself, or the hub snapshot it names (downloaded unless offline). */
    Path folder() throws IOException {
        return ModelLocator.resolve(model, revision);
    }
}
