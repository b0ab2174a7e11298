package saelab.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.data.ToyWorld;

/**
 * Step {@code backbone-<id>}: the provider ({@link BackboneProvider}) writes its model folder into {@code model/}
 * of the step folder; the step checks that the folder has a config and a preprocessing config.
 */
final class BackboneStep {

    static final int VERSION = 1;
    static final String DIR = "model";

    private BackboneStep() {}

    static String name(BackboneProvider p) {
        return name(p.id());
    }

    static String name(String backbone) {
        return "backbone-" + backbone;
    }

    /** The backbone of {@code provider}, built for the toy world {@code world} (the config, not the written images). */
    static Step of(BackboneProvider provider, ToyWorld world) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("provider", provider.params());
        params.put("world", world);
        return new Step(name(provider), VERSION, params, List.of(), (out, log) -> {
            Path model = out.resolve(DIR);
            Files.createDirectories(model);
            Map<String, Object> summary = provider.build(world, model, log);
            for (String need : List.of("config.json", "preprocessor_config.json")) {
                if (!Files.isRegularFile(model.resolve(need))) {
                    throw new IllegalStateException("backbone " + provider.id() + " wrote no " + need + " into " + model
                            + "; a demo backbone must be a loadable model folder with its preprocessing");
                }
            }
            return summary == null ? Map.of() : summary;
        });
    }

    /** The model folder of a finished backbone step. */
    static Path modelDir(StepOutcome backbone) {
        return backbone.dir().resolve(DIR);
    }
}
