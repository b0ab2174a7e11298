package saelab.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A folder of images: one subfolder per class, as torchvision's {@code ImageFolder} reads it (classes
 * sorted by name, label = position in that order; the images of each class found recursively, folders
 * sorted by path and files by name; extensions {@link ImageFiles#EXTENSIONS}, any case; a class without
 * images is an error, as in torchvision), or a folder without labels (every image under it, recursively,
 * in the same order, label -1). Images directly in the top folder of a class layout are not listed, as
 * in torchvision.
 *
 * <p>With a split, the images are read from the subfolder {@code root/split}; paths stay relative to
 * {@code root}.
 */
public final class ImageFolderDataset extends DatasetReader {

    /** Whether the subfolders are classes. */
    public enum Labels {
        /** Classes when the folder has subfolders, no labels otherwise. */
        AUTO,
        /** One subfolder per class. */
        CLASSES,
        /** No labels: every image under the folder, label -1. */
        NONE;

        /** Parses {@code auto}, {@code classes} or {@code none}. */
        public static Labels parse(String s) {
            for (Labels l : values()) {
                if (l.name().equalsIgnoreCase(s)) {
                    return l;
                }
            }
            throw new IllegalArgumentException("labels: expected auto, classes or none, got '" + s + "'");
        }
    }

    private final Labels labels;
    private final Path dir;

    private ImageFolderDataset(Path root, String split, Labels labels, Path dir) {
        super("folder", root, split);
        this.labels = labels;
        this.dir = dir;
    }

    /**
     * Opens a folder.
     *
     * @param root   the folder
     * @param split  a subfolder of {@code root} to read, or null for {@code root} itself
     * @param labels whether subfolders are classes
     * @throws IllegalArgumentException when the folder does not exist
     */
    public static ImageFolderDataset open(Path root, String split, Labels labels) {
        Path dir = split == null ? root : root.resolve(split);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": folder not found; expected a folder of images, or of one"
                    + " subfolder per class" + (split == null ? "" : " (the split '" + split + "' is a subfolder of " + root + ")"));
        }
        return new ImageFolderDataset(root, split, labels, dir);
    }

    @Override
    public DatasetListing list() throws IOException {
        String prefix = split == null ? "" : split + "/";
        List<String> classes = ImageFiles.subfolders(dir);
        Labels mode = labels == Labels.AUTO ? (classes.isEmpty() ? Labels.NONE : Labels.CLASSES) : labels;
        Map<String, String> options = Map.of("labels", mode.name().toLowerCase(Locale.ROOT));
        if (mode == Labels.NONE) {
            List<DatasetListing.Entry> entries = new ArrayList<>();
            for (String p : ImageFiles.walkImages(dir)) {
                entries.add(new DatasetListing.Entry(prefix + p, -1));
            }
            if (entries.isEmpty()) {
                throw new IllegalArgumentException(dir + ": no image files found (extensions " + ImageFiles.EXTENSIONS
                        + ", any case)");
            }
            return new DatasetListing(kind(), split, options, List.of(), List.of(), entries, List.of());
        }
        if (classes.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no subfolders; expected one subfolder per class (or labels=none"
                    + " for a folder of unlabelled images)");
        }
        List<String> empty = new ArrayList<>();
        List<DatasetListing.Entry> entries = ImageFiles.classFolderEntries(dir, prefix, classes, (position, folder) -> position, empty::add);
        if (!empty.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no image files in the class folder(s) " + empty
                    + " (extensions " + ImageFiles.EXTENSIONS + ", any case); remove them or add images");
        }
        return new DatasetListing(kind(), split, options, classes, classes, entries, List.of());
    }
}
