package saelab.store;

/**
 * One image of a cache: where it is in the dataset and what its label is.
 *
 * @param datasetIndex position in the dataset manifest's image list (0-based)
 * @param path         path relative to the dataset root (no tab or newline), or "" when unknown
 * @param label        class label, or -1 when the dataset has none
 */
public record ImageRecord(long datasetIndex, String path, int label) {

    public ImageRecord {
        if (datasetIndex < 0) {
            throw new IllegalArgumentException("dataset index must be >= 0, got " + datasetIndex);
        }
        if (path == null) {
            path = "";
        }
        if (path.indexOf('\t') >= 0 || path.indexOf('\n') >= 0 || path.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("image path must not contain a tab or line break: '" + path + "'");
        }
        if (label < -1) {
            throw new IllegalArgumentException("label must be >= 0, or -1 for none, got " + label);
        }
    }
}
