package saelab.demo;

import java.nio.file.Path;
import java.util.Objects;

/** What the steps that read a plan's dataset and model sources directly are given: resolved locations and the outcomes whose keys name them. */
final class SourceInputs {

    private SourceInputs() {}

    /**
     * A model a step reads: a model source (its source step) or a backbone step's model folder.
     *
     * @param provider the model's provider (names, text tower)
     * @param folder   the local model folder
     * @param name     what caches and head files record as the model (hub id, or source or backbone name)
     * @param revision the hub revision, or null
     * @param outcome  the source or backbone step
     */
    record Model(BackboneProvider provider, Path folder, String name, String revision, StepOutcome outcome) {
        Model {
            Objects.requireNonNull(folder, "folder");
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    /**
     * A dataset a step reads: a dataset source (its source step, whose manifest it reads).
     *
     * @param spec    the dataset spec ({@code manifest:FILE})
     * @param split   the split the manifest lists
     * @param outcome the source step
     */
    record Dataset(String spec, String split, StepOutcome outcome) {
        Dataset {
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(outcome, "outcome");
        }
    }
}
