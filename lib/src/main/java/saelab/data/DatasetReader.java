package saelab.data;

import java.nio.file.Path;
import java.util.List;

/**
 * What the readers of downloaded layouts ({@link ImageFolderDataset}, {@link ImageNetDataset},
 * {@link INat2021Dataset}, {@link Ade20kDataset}, {@link Cub200Dataset}) share: the reader name, the root
 * that example paths are relative to, the split they were opened on, and the small steps every listing
 * takes (the path prefix of a folder under the root, the check of a path read from an annotation file).
 */
abstract class DatasetReader implements Dataset {

    private final String kind;
    /** The dataset root; example paths are relative to it. */
    protected final Path root;
    /** The split, or null for a whole folder. */
    protected final String split;

    DatasetReader(String kind, Path root, String split) {
        this.kind = kind;
        this.root = root;
        this.split = split;
    }

    @Override
    public final String kind() {
        return kind;
    }

    @Override
    public final Path root() {
        return root;
    }

    @Override
    public final String split() {
        return split;
    }

    /**
     * The prefix of the example paths of a folder under the root: its path relative to the root with
     * {@code /} separators and a trailing {@code /}, or "" for the root itself.
     */
    final String prefixOf(Path dir) {
        String rel = root.relativize(dir).toString().replace('\\', '/');
        return rel.isEmpty() ? "" : rel + "/";
    }

    /**
     * Whether a path read from an annotation file stays under the folder it is relative to, judged from
     * its text: not absolute, no backslash, no {@code ..} segment.
     */
    static boolean staysInside(String relative) {
        return !relative.startsWith("/") && !relative.contains("\\") && !List.of(relative.split("/", -1)).contains("..");
    }
}
