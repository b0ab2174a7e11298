package saelab.data;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import saelab.io.Sha256;

/**
 * A dataset manifest: the ordered list of a dataset's examples (one image each) with relative path,
 * size, label and optional SHA-256, the class names, and a checksum that identifies the list. A capture
 * reads images in this order, records each image's position in it, and can be resumed or split into
 * parts against exactly the same list ({@link #slice}). Written and read by {@link DatasetManifestFiles}.
 *
 * <p><b>Checksum.</b> {@link #checksum} is the SHA-256 (lower-case hex) of the UTF-8 text made of one
 * line per example, in order: {@code path TAB bytes TAB label}, followed by {@code TAB annotation.path
 * TAB annotation.bytes} when the example has an annotation file, and a line feed ({@code \n}). Sizes and
 * labels are decimal. It does not cover the per-file SHA-256 values (optional), the class names or the
 * provenance, so the same files with the same labels give the same checksum whether or not file checksums
 * were asked for; any added, removed, reordered, relabelled or resized file changes it.
 *
 * <p><b>Slices.</b> Part {@code i} of {@code n} (0-based, {@code 0 <= i < n}) of a list of {@code N}
 * examples is the contiguous range {@code [floor(i*N/n), floor((i+1)*N/n))}; the parts cover the list
 * exactly once, in order, and their sizes differ by at most one. A slice carries its own checksum (same
 * rule, over its examples) and, in {@link Slice}, its position and the checksum of the full list.
 *
 * @param format     {@value #FORMAT}
 * @param kind       the reader: {@code folder}, {@code imagenet}, {@code inat2021}, {@code ade20k} or {@code cub200}
 * @param split      the split ({@code train}, {@code val}, ...), or null for a whole folder
 * @param root       the dataset root the example paths are relative to, as an absolute path on the machine
 *                   that built the manifest (informational; not part of the checksum)
 * @param options    the reader's options (e.g. {@code level: genus}); empty when none
 * @param classes    class names, index = label (0-based); for ADE20K the 151 names of the label-map values
 *                   (0 = background); empty for unlabelled folders
 * @param classIds   the dataset's own id of each class (WordNet id, category id, folder name), index = label;
 *                   same size as {@code classes}
 * @param nExamples  the number of examples, {@code examples.size()}
 * @param checksum   SHA-256 of the ordered list (see above)
 * @param slice      the slice this manifest is, or null for a full list
 * @param skipped    files left out under {@link ProblemPolicy#SKIP_AND_COUNT}, with the reason; empty when none
 * @param provenance what made the manifest and when
 * @param examples   the examples, in dataset order
 */
public record DatasetManifest(
        String format,
        String kind,
        String split,
        String root,
        Map<String, String> options,
        List<String> classes,
        List<String> classIds,
        int nExamples,
        String checksum,
        Slice slice,
        List<ImageProblems.Problem> skipped,
        Provenance provenance,
        List<Example> examples) {

    /** The format string of this version. */
    public static final String FORMAT = "saelab-dataset/1";

    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    /**
     * One example.
     *
     * @param path       path relative to the dataset root, with {@code /} separators (no tab or line break)
     * @param bytes      file size
     * @param label      class label (0-based index into {@code classes}), or -1 when the example has none
     * @param sha256     SHA-256 of the file (lower-case hex), or null when not asked for
     * @param annotation the example's annotation file (ADE20K label map), or null
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Example(String path, long bytes, int label, String sha256, FileRef annotation) {

        /** An example without checksum or annotation. */
        public Example(String path, long bytes, int label) {
            this(path, bytes, label, null, null);
        }
    }

    /**
     * A file that belongs to an example (the ADE20K label map of an image).
     *
     * @param path   path relative to the dataset root
     * @param bytes  file size
     * @param sha256 SHA-256 (lower-case hex), or null when not asked for
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FileRef(String path, long bytes, String sha256) {}

    /**
     * Where a slice sits in the full list.
     *
     * @param part         0-based part index
     * @param parts        number of parts
     * @param first        index of the slice's first example in the full list
     * @param total        number of examples of the full list
     * @param fullChecksum checksum of the full list
     */
    public record Slice(int part, int parts, long first, long total, String fullChecksum) {}

    /**
     * What made the manifest.
     *
     * @param createdBy tool and version
     * @param created   ISO-8601 instant
     */
    public record Provenance(String createdBy, String created) {}

    public DatasetManifest {
        options = options == null ? Map.of() : Map.copyOf(options);
        classes = classes == null ? List.of() : List.copyOf(classes);
        classIds = classIds == null ? List.of() : List.copyOf(classIds);
        skipped = skipped == null ? List.of() : List.copyOf(skipped);
        examples = examples == null ? List.of() : List.copyOf(examples);
    }

    /** Number of examples. */
    public int size() {
        return examples.size();
    }

    /** Example {@code i} (0-based, in this manifest). */
    public Example example(int i) {
        return examples.get(i);
    }

    /** Position of example {@code i} of this manifest in the full list (differs from {@code i} in a slice). */
    public long datasetIndex(int i) {
        Objects.checkIndex(i, examples.size());
        return slice == null ? i : slice.first() + i;
    }

    /** Name of a label, or {@code ""} for -1 or an unnamed label. */
    public String className(int label) {
        return label >= 0 && label < classes.size() ? classes.get(label) : "";
    }

    /** The checksum of an ordered example list (see the class comment for the exact rule). */
    public static String checksum(List<Example> examples) {
        MessageDigest d = Sha256.newDigest();
        StringBuilder sb = new StringBuilder(128);
        for (Example e : examples) {
            sb.setLength(0);
            sb.append(e.path()).append('\t').append(e.bytes()).append('\t').append(e.label());
            if (e.annotation() != null) {
                sb.append('\t').append(e.annotation().path()).append('\t').append(e.annotation().bytes());
            }
            sb.append('\n');
            d.update(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        return Sha256.hex(d);
    }

    /**
     * The 0-based range {@code [from, to)} of part {@code part} of {@code parts} of a list of {@code n}:
     * {@code from = floor(part*n/parts)}, {@code to = floor((part+1)*n/parts)}.
     */
    public static long[] sliceRange(long n, int part, int parts) {
        if (parts < 1 || part < 0 || part >= parts) {
            throw new IllegalArgumentException("part must be 0 <= part < parts with parts >= 1, got part " + part
                    + " of " + parts);
        }
        if (n < 0) {
            throw new IllegalArgumentException("list size must be >= 0, got " + n);
        }
        // n <= 2^31 and parts < 2^31, so the products fit in a long
        return new long[] {part * n / parts, (part + 1) * n / parts};
    }

    /**
     * Part {@code part} (0-based) of {@code parts} of this list, with its own checksum (see the class
     * comment for the rule).
     *
     * @throws IllegalArgumentException for a bad part, or when this manifest is already a slice
     */
    public DatasetManifest slice(int part, int parts) {
        if (slice != null) {
            throw new IllegalArgumentException("this manifest is already part " + slice.part() + " of " + slice.parts()
                    + "; slice the full list instead");
        }
        long[] r = sliceRange(examples.size(), part, parts);
        List<Example> sub = examples.subList((int) r[0], (int) r[1]);
        return new DatasetManifest(format, kind, split, root, options, classes, classIds, sub.size(), checksum(sub),
                new Slice(part, parts, r[0], examples.size(), checksum), skipped, provenance, sub);
    }

    /** A copy with other examples (checksum and count recomputed; the slice position is kept). */
    public DatasetManifest withExamples(List<Example> newExamples) {
        return new DatasetManifest(format, kind, split, root, options, classes, classIds, newExamples.size(),
                checksum(newExamples), slice, skipped, provenance, newExamples);
    }

    /**
     * Checks every field: the format, the paths (relative, no {@code ..}, no tab or line break, distinct),
     * sizes, labels within the class list, checksums (64 hex), the count, the slice position, and that
     * {@link #checksum} is the checksum of the list.
     *
     * @throws IllegalArgumentException naming the first bad field and what was expected
     */
    public void validate() {
        require(FORMAT.equals(format), "format", "'" + FORMAT + "'", format);
        require(kind != null && !kind.isBlank(), "kind", "a reader name", kind);
        require(classIds.size() == classes.size(), "class_ids", classes.size() + " ids (one per class)", classIds.size());
        require(nExamples == examples.size(), "n_examples", "the number of examples, " + examples.size(), nExamples);
        require(checksum != null && HEX64.matcher(checksum).matches(), "checksum", "64 lower-case hex digits", checksum);
        Set<String> seen = new HashSet<>(examples.size() * 2);
        for (int i = 0; i < examples.size(); i++) {
            Example e = examples.get(i);
            String at = "examples[" + i + "]";
            require(e != null, at, "an example", null);
            requirePath(e.path(), at + ".path");
            require(seen.add(e.path()), at + ".path", "a path listed once", e.path());
            require(e.bytes() >= 0, at + ".bytes", "a size >= 0", e.bytes());
            require(e.label() >= -1 && e.label() < classes.size(), at + ".label",
                    "-1 or a class index below " + classes.size(), e.label());
            require(e.sha256() == null || HEX64.matcher(e.sha256()).matches(), at + ".sha256", "64 lower-case hex digits",
                    e.sha256());
            if (e.annotation() != null) {
                requirePath(e.annotation().path(), at + ".annotation.path");
                require(e.annotation().bytes() >= 0, at + ".annotation.bytes", "a size >= 0", e.annotation().bytes());
                require(e.annotation().sha256() == null || HEX64.matcher(e.annotation().sha256()).matches(),
                        at + ".annotation.sha256", "64 lower-case hex digits", e.annotation().sha256());
            }
        }
        if (slice != null) {
            require(slice.parts() >= 1 && slice.part() >= 0 && slice.part() < slice.parts(), "slice",
                    "0 <= part < parts", slice.part() + " of " + slice.parts());
            require(slice.total() >= examples.size(), "slice.total", "at least " + examples.size(), slice.total());
            long[] r = sliceRange(slice.total(), slice.part(), slice.parts());
            require(r[0] == slice.first() && r[1] - r[0] == examples.size(), "slice",
                    "examples [" + r[0] + ", " + r[1] + ") for part " + slice.part() + " of " + slice.parts() + " of "
                            + slice.total(), "first " + slice.first() + " and " + examples.size() + " examples");
            require(slice.fullChecksum() != null && HEX64.matcher(slice.fullChecksum()).matches(), "slice.full_checksum",
                    "64 lower-case hex digits", slice.fullChecksum());
        }
        String actual = checksum(examples);
        require(actual.equals(checksum), "checksum", "the checksum of the example list, " + actual
                + " (the list was changed after the manifest was made)", checksum);
    }

    private static void requirePath(String p, String field) {
        require(p != null && !p.isEmpty() && !p.startsWith("/") && !p.contains("\\") && !p.contains("\t")
                        && !p.contains("\n") && !p.contains("\r") && !List.of(p.split("/", -1)).contains("..")
                        && !List.of(p.split("/", -1)).contains(""),
                field, "a relative path with / separators, no '..', empty part, tab or line break", p);
    }

    private static void require(boolean ok, String field, String expected, Object got) {
        if (!ok) {
            throw new IllegalArgumentException("field '" + field + "': expected " + expected + ", got "
                    + (got instanceof String s ? "'" + s + "'" : String.valueOf(got)));
        }
    }
}
