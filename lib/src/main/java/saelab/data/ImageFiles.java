package saelab.data;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Finding image files in folders the way torchvision's {@code ImageFolder} does (torchvision
 * {@code datasets/folder.py}: {@code find_classes}, {@code make_dataset}, {@code IMG_EXTENSIONS}), so that
 * orders and labels agree with the reference tools: names are compared by Unicode code point (Python's
 * string order), symbolic links are followed, and the extension test ignores case.
 */
public final class ImageFiles {

    /** torchvision's {@code IMG_EXTENSIONS}, compared case-insensitively. */
    public static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif",
            ".tiff", ".webp");

    /** Python's {@code str} order: by Unicode code point (Java's {@code compareTo} compares UTF-16 units). */
    public static final Comparator<String> CODE_POINT_ORDER = ImageFiles::compareCodePoints;

    private ImageFiles() {}

    /** Whether a file name has one of {@link #EXTENSIONS} (any case). */
    public static boolean isImage(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (String ext : EXTENSIONS) {
            if (lower.endsWith(ext)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The names of the subfolders of {@code dir} (links to folders included), sorted: torchvision's
     * {@code find_classes}.
     */
    public static List<String> subfolders(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                if (Files.isDirectory(p)) {
                    out.add(p.getFileName().toString());
                }
            }
        }
        out.sort(CODE_POINT_ORDER);
        return out;
    }

    /**
     * The image files directly in {@code dir} (not in subfolders), sorted by name. Entries that are not
     * folders count as files, as in {@code os.walk}, so a broken link with an image name is listed (and
     * later reported as missing).
     */
    public static List<String> imagesIn(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                if (isImage(name) && !Files.isDirectory(p)) {
                    out.add(name);
                }
            }
        }
        out.sort(CODE_POINT_ORDER);
        return out;
    }

    /**
     * The image files under {@code dir}, recursively, in torchvision's {@code make_dataset} order: the folders
     * sorted by their path ({@code sorted(os.walk(dir, followlinks=True))}), and within each folder the file
     * names sorted. Paths are relative to {@code dir}, with {@code /} separators.
     *
     * @throws IllegalArgumentException on a loop of symbolic links
     */
    public static List<String> walkImages(Path dir) throws IOException {
        List<String> folders = new ArrayList<>();
        collectFolders(dir, "", folders, new HashSet<>());
        folders.sort(CODE_POINT_ORDER);
        List<String> out = new ArrayList<>();
        for (String f : folders) {
            for (String name : imagesIn(f.isEmpty() ? dir : dir.resolve(f))) {
                out.add(f.isEmpty() ? name : f + "/" + name);
            }
        }
        return out;
    }

    /** The label of a class folder, from its position in the class list and its name; may refuse the folder. */
    interface ClassLabel {
        int of(int position, String folder);
    }

    /**
     * The examples of a class-folder layout in torchvision's {@code make_dataset} order: the classes in the
     * order given, the images of each found by {@link #walkImages}, each listed as
     * {@code prefix + class + "/" + file}. For each class, {@code labelOf} is asked first (it may throw), then
     * the folder is walked; a folder without images is passed to {@code emptyClass} (which may throw or
     * collect it) and adds no example.
     *
     * @param dir    the folder holding the class folders
     * @param prefix the prefix of the example paths (the path of {@code dir} under the dataset root, with a
     *               trailing {@code /}, or "")
     */
    static List<DatasetListing.Entry> classFolderEntries(Path dir, String prefix, List<String> classes, ClassLabel labelOf,
                                                         Consumer<String> emptyClass) throws IOException {
        List<DatasetListing.Entry> entries = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            String folder = classes.get(c);
            int label = labelOf.of(c, folder);
            List<String> files = walkImages(dir.resolve(folder));
            if (files.isEmpty()) {
                emptyClass.accept(folder);
            }
            for (String f : files) {
                entries.add(new DatasetListing.Entry(prefix + folder + "/" + f, label));
            }
        }
        return entries;
    }

    private static void collectFolders(Path dir, String rel, List<String> out, Set<Path> onPath) throws IOException {
        Path real = dir.toRealPath();
        if (!onPath.add(real)) {
            throw new IllegalArgumentException(dir + ": a loop of symbolic links (this folder contains itself)");
        }
        out.add(rel);
        for (String sub : subfolders(dir)) {
            collectFolders(dir.resolve(sub), rel.isEmpty() ? sub : rel + "/" + sub, out, onPath);
        }
        onPath.remove(real);
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
