package saelab.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An image dataset in the layout users download, opened on one split. {@link #list()} reads the layout
 * (folders, annotation files); {@link #manifest(ManifestOptions)} then looks at every listed file and
 * gives the ordered, checksummed {@link DatasetManifest}. Open one with {@link Datasets#open} or a reader's
 * own {@code open} method.
 */
public interface Dataset {

    /** The reader name, e.g. {@code imagenet}. */
    String kind();

    /** The folder that the example paths are relative to. */
    Path root();

    /** The split, or null for a whole folder. */
    String split();

    /** The examples and classes as the layout lists them (no file is opened or looked at beyond the listing). */
    DatasetListing list() throws IOException;

    /** The manifest: the listing with sizes (and checksums when asked), under the options' problem policy. */
    default DatasetManifest manifest(ManifestOptions options) throws IOException {
        return ManifestBuilder.build(root(), list(), options);
    }

    /** The manifest with {@link ManifestOptions#DEFAULT}. */
    default DatasetManifest manifest() throws IOException {
        return manifest(ManifestOptions.DEFAULT);
    }
}
