package saelab.manifest;

import java.util.List;

/**
 * A data manifest in {@code data-manifests/<kind>s/<id>.json}: names a dataset, model or activation
 * cache by id, says where it lives relative to the user's data root, and lists files with sizes and
 * checksums, so a collaborator can check that their copy is the same.
 *
 * @param id       the id, also the file name
 * @param kind     {@code dataset}, {@code model} or {@code cache}
 * @param location folder relative to the data root (see {@link DataRoot})
 * @param files    files under the location with size and SHA-256
 * @param note     free text (what it is, where it came from), or null
 */
public record DataManifest(String id, String kind, String location, List<FileEntry> files, String note) {

    /**
     * One file of a manifest.
     *
     * @param path   path relative to the location
     * @param bytes  size
     * @param sha256 SHA-256 (lower-case hex)
     */
    public record FileEntry(String path, long bytes, String sha256) {}
}
