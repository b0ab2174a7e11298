package saelab.plan;

import java.util.Map;
import java.util.Objects;
import saelab.data.ToyWorld;
import saelab.toy.ToyBackboneSpec;

/**
 * One declared input of a plan ({@link Plan#sources()}), referred to by name from the steps' inputs. Three types, as
 * written in the plan's {@code "type"} field: {@code toy-world}, {@code dataset} and {@code model}.
 */
public sealed interface PlanSource permits PlanSource.ToyWorldSource, PlanSource.DatasetSource, PlanSource.ModelSource {

    /** The name the steps refer to (the key under {@code sources}). */
    String name();

    /** The {@code "type"} word of the source. */
    String type();

    /** An optional note (why a value was chosen, where it comes from), or null. */
    String note();

    /**
     * {@code "type": "toy-world"}: the embedded toy world, generated, nothing to download.
     *
     * @param world  the world's config ({@code image_size}, {@code min_objects}, {@code max_objects}, {@code seed})
     * @param images scenes written
     */
    record ToyWorldSource(String name, ToyWorld world, int images, String note) implements PlanSource {
        public ToyWorldSource {
            Objects.requireNonNull(world, "world");
        }

        @Override
        public String type() {
            return "toy-world";
        }
    }

    /**
     * {@code "type": "dataset"}: a dataset in one of the layouts of {@code saelab.data.Datasets}, in a folder under the
     * data root.
     *
     * @param layout  {@code imagenet}, {@code inat2021}, {@code ade20k}, {@code cub200} or {@code folder}
     * @param path    the dataset's folder, relative to the data root
     * @param split   the split read (null: the reader's default)
     * @param options reader options ({@code names}, {@code level}, {@code labels}), possibly empty
     * @param images  the number of images the split is expected to hold (for the disk estimates), or null
     */
    record DatasetSource(String name, String layout, String path, String split, Map<String, String> options, Long images,
                         String note) implements PlanSource {
        public DatasetSource {
            options = Map.copyOf(options);
        }

        @Override
        public String type() {
            return "dataset";
        }

        /** The dataset spec {@code KIND[,OPTION=VALUE...]:FOLDER} for {@code saelab.data.Datasets}. */
        public String spec(java.nio.file.Path folder) {
            StringBuilder sb = new StringBuilder(layout);
            options.forEach((k, v) -> sb.append(',').append(k).append('=').append(v));
            return sb.append(':').append(folder).toString();
        }
    }

    /**
     * {@code "type": "model"}: exactly one of a folder under the data root, a hub id (with its revision, which must be
     * pinned before a real run) or a toy backbone's spec.
     *
     * @param folder   the model folder, relative to the data root, or null
     * @param hub      the hub id {@code ORG/NAME}, or null
     * @param revision the pinned revision of {@code hub} (a 40-hex commit), or null when none is known yet
     * @param toy      the toy backbone to train, or null
     * @param dModel   the residual width, for disk estimates before the model is present (null: read it from the model)
     * @param tokens   the tokens per image a capture stores (CLS and patches), for the same estimates, or null
     */
    record ModelSource(String name, String folder, String hub, String revision, ToyBackboneSpec toy, Integer dModel, Integer tokens,
                       String note) implements PlanSource {

        @Override
        public String type() {
            return "model";
        }

        /** {@code folder}, {@code hub} or {@code toy}. */
        public String form() {
            return folder != null ? "folder" : hub != null ? "hub" : "toy";
        }
    }
}
