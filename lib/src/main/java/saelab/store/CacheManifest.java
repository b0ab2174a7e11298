package saelab.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import saelab.io.ConfinedPaths;

/**
 * The manifest of an activation cache, {@code manifest.json} in the cache folder; the format is
 * described in {@code lib/CACHE-FORMAT.md}. Field names are snake_case in the file.
 *
 * @param format         {@value #FORMAT}
 * @param model          the model the activations come from
 * @param dataset        the dataset and the exact image list
 * @param preprocessing  the preprocessing as its config (free-form JSON object)
 * @param layers         recorded block indices, 0-based, {@code resid_post[L]} (output of block L before any final norm),
 *                       or the reserved indices of {@link RecordedLayer} (final-normed tokens, pooled output)
 * @param tokens         which tokens are stored, in which order
 * @param dModel         width of the residual stream
 * @param dtype          storage type: {@code f32}, {@code f16} or {@code bf16}
 * @param imagesPerShard images in every shard but possibly the last (fixed at creation, so a resumed
 *                       cache splits into the same shards)
 * @param nImages        images in all listed shards
 * @param patchLabels    per-patch labels (segmentation), or null
 * @param complete       whether the writer finished; readers refuse an incomplete cache unless asked
 * @param shards         the shard files, in image order
 * @param provenance     what made the cache
 */
public record CacheManifest(
        String format,
        ModelRef model,
        DatasetRef dataset,
        JsonNode preprocessing,
        List<Integer> layers,
        TokenLayout tokens,
        int dModel,
        String dtype,
        int imagesPerShard,
        long nImages,
        PatchLabelInfo patchLabels,
        boolean complete,
        List<ShardEntry> shards,
        Provenance provenance) {

    public static final String FORMAT = "saelab-cache/1";
    /**
     * Version 1.1: as {@value #FORMAT}, except that every shard, not only the last, may hold
     * 1..{@code images_per_shard} images (readers locate images by {@code first_image}). Written by
     * {@code saelab cache merge} when the joined parts' shards are not all full; writers never resume it.
     */
    public static final String FORMAT_VARIABLE_SHARDS = "saelab-cache/1.1";
    public static final String FILE_NAME = "manifest.json";
    /**
     * The key of {@code provenance.config} that names the image-label classes (label k = element k), written by the
     * capture of a dataset with image labels (image folders, ImageNet, CUB, iNat); see {@link ActivationCache#imageClasses()}.
     */
    public static final String CONFIG_IMAGE_CLASSES = "image_classes";
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    /**
     * The model.
     *
     * @param id            hub id or local name, e.g. {@code facebook/dinov2-base}
     * @param revision      hub revision (commit) or null
     * @param weightsSha256 SHA-256 of the weights file(s), or null when unknown
     */
    public record ModelRef(String id, String revision, String weightsSha256) {}

    /**
     * The dataset.
     *
     * @param manifestId       id of the dataset manifest in {@code data-manifests/}
     * @param split            split name, e.g. {@code train}
     * @param imageListSha256  SHA-256 of the dataset manifest's ordered image list
     */
    public record DatasetRef(String manifestId, String split, String imageListSha256) {}

    /**
     * Per-patch labels, stored as little-endian uint16 [images, patches] per shard.
     *
     * @param classes    class names, index = label value
     * @param background the label of background patches (dropped on request), or -1
     */
    public record PatchLabelInfo(List<String> classes, int background) {}

    /**
     * One shard: activations, its per-image index and (optional) patch labels, each with size and checksum.
     *
     * @param file         activation file name, {@code shard-000000.bin}
     * @param firstImage   cache-wide index of its first image (0-based)
     * @param nImages      images in it
     * @param bytes        size of {@code file}
     * @param sha256       checksum of {@code file}
     * @param indexFile    per-image index, {@code shard-000000.images.tsv}
     * @param indexSha256  checksum of the index
     * @param labelsFile   patch labels file or null
     * @param labelsSha256 checksum of the labels or null
     */
    public record ShardEntry(String file, long firstImage, int nImages, long bytes, String sha256,
                             String indexFile, String indexSha256, String labelsFile, String labelsSha256) {}

    /**
     * What made the cache.
     *
     * @param createdBy   tool and version, e.g. {@code saelab 0.1.0}
     * @param created     ISO-8601 time the cache was started
     * @param config      the capture config or command line (free-form), or null
     */
    public record Provenance(String createdBy, String created, JsonNode config) {}

    /** The storage type. */
    public StorageDtype storageDtype() {
        return StorageDtype.parse(dtype, "dtype");
    }

    /** Bytes of one image (all layers, all stored tokens). */
    public long bytesPerImage() {
        return Math.multiplyExact(Math.multiplyExact((long) layers.size() * tokens.tokens(), (long) dModel), storageDtype().bytes());
    }

    /** Position of block index {@code layer} among the recorded layers; an error listing them when absent. */
    public int layerSlot(int layer) {
        int slot = layers.indexOf(layer);
        if (slot < 0) {
            throw new IllegalArgumentException("layer " + RecordedLayer.name(layer) + " is not in this cache; recorded layers (0-based blocks,"
                    + " final, pooled, projection): " + RecordedLayer.names(layers));
        }
        return slot;
    }

    /**
     * Checks every field; returns the problems found (empty when valid), each naming the field and what was expected.
     *
     * @param file the manifest file, for the messages
     */
    public List<String> problems(Path file) {
        List<String> p = new ArrayList<>();
        String at = file + ": field ";
        if (!FORMAT.equals(format) && !FORMAT_VARIABLE_SHARDS.equals(format)) {
            p.add(at + "'format': expected '" + FORMAT + "' or '" + FORMAT_VARIABLE_SHARDS + "', got " + quoted(format));
        }
        if (model == null || model.id() == null || model.id().isBlank()) {
            p.add(at + "'model.id': expected the model's id");
        } else if (model.weightsSha256() != null && !HEX64.matcher(model.weightsSha256()).matches()) {
            p.add(at + "'model.weights_sha256': expected 64 lower-case hex digits or null");
        }
        if (dataset == null || dataset.manifestId() == null || dataset.manifestId().isBlank()) {
            p.add(at + "'dataset.manifest_id': expected the dataset manifest's id");
        }
        if (layers == null || layers.isEmpty() || layers.stream().anyMatch(l -> l == null || !RecordedLayer.isValid(l))
                || new HashSet<>(layers).size() != layers.size()) {
            p.add(at + "'layers': expected a non-empty list of distinct block indices >= 0 (or " + RecordedLayer.FINAL + " = final, "
                    + RecordedLayer.POOLED + " = pooled), got " + layers);
        }
        if (tokens == null) {
            p.add(at + "'tokens': expected the token layout {cls, registers, grid_h, grid_w}");
        }
        if (dModel <= 0) {
            p.add(at + "'d_model': expected a positive width, got " + dModel);
        }
        try {
            StorageDtype.parse(dtype, "dtype");
        } catch (IllegalArgumentException e) {
            p.add(at + "'dtype': expected f32, f16 or bf16, got " + quoted(dtype));
        }
        if (imagesPerShard <= 0) {
            p.add(at + "'images_per_shard': expected a positive count, got " + imagesPerShard);
        }
        if (shards == null) {
            p.add(at + "'shards': expected a list of shards");
            return p;
        }
        if (!p.isEmpty()) {
            return p;
        }
        try {
            Math.multiplyExact(bytesPerImage(), (long) imagesPerShard);
        } catch (ArithmeticException e) {
            p.add(at + "'images_per_shard': layers x tokens x d_model x bytes x images_per_shard overflows a 64-bit size");
            return p;
        }
        long expectFirst = 0;
        Set<String> names = new HashSet<>(Set.of(FILE_NAME));
        for (int i = 0; i < shards.size(); i++) {
            ShardEntry s = shards.get(i);
            String f = at + "'shards[" + i + "].";
            if (s == null) {
                p.add(at + "'shards[" + i + "]': expected an object, got null");
                continue;
            }
            if (!ConfinedPaths.isPlainName(s.file()) || !names.add(s.file())) {
                p.add(f + "file': expected a distinct plain file name in the cache folder, got " + quoted(s.file()));
            }
            if (s.indexFile() != null && (!ConfinedPaths.isPlainName(s.indexFile()) || !names.add(s.indexFile()))) {
                p.add(f + "index_file': expected a distinct plain file name in the cache folder, got " + quoted(s.indexFile()));
            }
            if (s.labelsFile() != null && (!ConfinedPaths.isPlainName(s.labelsFile()) || !names.add(s.labelsFile()))) {
                p.add(f + "labels_file': expected a distinct plain file name in the cache folder, got " + quoted(s.labelsFile()));
            }
            if (s.firstImage() != expectFirst) {
                p.add(f + "first_image': expected " + expectFirst + " (shards are contiguous), got " + s.firstImage());
            }
            boolean last = i == shards.size() - 1;
            boolean anySize = last || FORMAT_VARIABLE_SHARDS.equals(format);
            if (s.nImages() <= 0 || s.nImages() > imagesPerShard || (!anySize && s.nImages() != imagesPerShard)) {
                p.add(f + "n_images': expected " + (anySize ? "1.." : "") + imagesPerShard + ", got " + s.nImages());
            }
            if (s.bytes() != s.nImages() * bytesPerImage()) {
                p.add(f + "bytes': expected n_images x bytes per image = " + s.nImages() * bytesPerImage() + ", got " + s.bytes());
            }
            if (s.sha256() == null || !HEX64.matcher(s.sha256()).matches()) {
                p.add(f + "sha256': expected 64 lower-case hex digits, got " + quoted(s.sha256()));
            }
            if (s.indexFile() == null || s.indexSha256() == null || !HEX64.matcher(s.indexSha256()).matches()) {
                p.add(f + "index_file/index_sha256': expected the per-image index file and its checksum");
            }
            if ((patchLabels != null) != (s.labelsFile() != null)
                    || (s.labelsFile() != null && (s.labelsSha256() == null || !HEX64.matcher(s.labelsSha256()).matches()))) {
                p.add(f + "labels_file/labels_sha256': expected " + (patchLabels != null
                        ? "the patch label file and its checksum (the cache has patch_labels)" : "none (the cache has no patch_labels)"));
            }
            expectFirst += s.nImages();
        }
        if (nImages != expectFirst) {
            p.add(at + "'n_images': expected the sum over shards, " + expectFirst + ", got " + nImages);
        }
        return p;
    }

    private static String quoted(String s) {
        return s == null ? "nothing" : "'" + s + "'";
    }
}
