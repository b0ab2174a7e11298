package saelab.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Caltech-UCSD Birds-200-2011 (Wah et al., CNS-TR-2011-001) as distributed: {@code CUB_200_2011/images.txt}
 * ({@code <image_id> <path under images/>}), {@code image_class_labels.txt} ({@code <image_id> <class_id>}),
 * {@code train_test_split.txt} ({@code <image_id> <1 = train, 0 = test>}), {@code classes.txt}
 * ({@code <class_id> <name>}) and {@code images/...}. Ids are 1-based in the files; labels here are
 * {@code class_id - 1}. Order: by image id. Class names are the names of {@code classes.txt} without the
 * number prefix and with underscores as spaces ({@code 001.Black_footed_Albatross} → {@code Black footed
 * Albatross}); class ids are the names as written. The root is {@code CUB_200_2011} or the folder that
 * holds it. Splits: {@code train}, {@code test}, or {@code all}.
 */
public final class Cub200Dataset extends DatasetReader {

    /** The folder name of the distribution. */
    public static final String DIR = "CUB_200_2011";
    /** The metadata files every split needs. */
    public static final List<String> FILES = List.of("images.txt", "image_class_labels.txt", "train_test_split.txt", "classes.txt");

    private final Path base;

    private Cub200Dataset(Path root, Path base, String split) {
        super("cub200", root, split);
        this.base = base;
    }

    /**
     * Opens a split.
     *
     * @param root  {@code CUB_200_2011} or its parent
     * @param split {@code train}, {@code test} or {@code all} (null = all)
     * @throws IllegalArgumentException for another split or a missing metadata file
     */
    public static Cub200Dataset open(Path root, String split) {
        String s = split == null ? "all" : split.toLowerCase(Locale.ROOT);
        if (!List.of("train", "test", "all").contains(s)) {
            throw new IllegalArgumentException("cub200: split must be train, test or all, got '" + split + "'");
        }
        Path base = Files.isRegularFile(root.resolve(DIR).resolve("images.txt")) ? root.resolve(DIR) : root;
        for (String f : FILES) {
            if (!Files.isRegularFile(base.resolve(f))) {
                throw new IllegalArgumentException(root + ": no " + base.resolve(f) + "; expected the CUB-200-2011 layout "
                        + DIR + "/{" + String.join(", ", FILES) + ", images/}");
            }
        }
        return new Cub200Dataset(root, base, s);
    }

    @Override
    public DatasetListing list() throws IOException {
        Path classesFile = base.resolve("classes.txt");
        TreeMap<Long, TextLines.Line> classes = pairs(classesFile, "'<class_id> <name>'");
        long expectedId = 1;
        for (long id : classes.keySet()) {
            if (id != expectedId++) {
                throw new IllegalArgumentException(classesFile + ": class ids must run 1..N without gaps; " + (expectedId - 1)
                        + " is missing");
            }
        }
        Path imagesFile = base.resolve("images.txt");
        Path labelsFile = base.resolve("image_class_labels.txt");
        Path splitFile = base.resolve("train_test_split.txt");
        TreeMap<Long, TextLines.Line> images = pairs(imagesFile, "'<image_id> <path>'");
        TreeMap<Long, TextLines.Line> labels = pairs(labelsFile, "'<image_id> <class_id>'");
        TreeMap<Long, TextLines.Line> isTrain = pairs(splitFile, "'<image_id> <is_training_image>'");
        String prefix = prefixOf(base.resolve("images"));
        List<DatasetListing.Entry> entries = new ArrayList<>(images.size());
        for (Map.Entry<Long, TextLines.Line> im : images.entrySet()) {
            long id = im.getKey();
            TextLines.Line label = labels.get(id);
            TextLines.Line train = isTrain.get(id);
            if (label == null) {
                throw new IllegalArgumentException(labelsFile + ": no line for image_id " + id + " (listed in " + imagesFile + ")");
            }
            if (train == null) {
                throw new IllegalArgumentException(splitFile + ": no line for image_id " + id + " (listed in " + imagesFile + ")");
            }
            long cls = TextLines.positive(label.text());
            if (!classes.containsKey(cls)) {
                throw new IllegalArgumentException(labelsFile + " line " + label.number() + ": image_id " + id + ": class_id '"
                        + label.text() + "' is not an id of " + classesFile);
            }
            if (!train.text().equals("0") && !train.text().equals("1")) {
                throw new IllegalArgumentException(splitFile + " line " + train.number() + ": image_id " + id
                        + ": expected is_training_image 0 or 1, got '" + train.text() + "'");
            }
            String p = im.getValue().text();
            if (!staysInside(p)) {
                throw new IllegalArgumentException(imagesFile + " line " + im.getValue().number() + ": image_id " + id
                        + ": expected a path under images/, got '" + p + "'");
            }
            if (split.equals("all") || split.equals("train") == train.text().equals("1")) {
                entries.add(new DatasetListing.Entry(prefix + p, (int) cls - 1));
            }
        }
        List<String> names = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (TextLines.Line raw : classes.values()) {
            ids.add(raw.text());
            names.add(raw.text().replaceFirst("^\\d+\\.", "").replace('_', ' '));
        }
        return new DatasetListing(kind(), split, Map.of(), names, ids, entries, List.of());
    }

    /**
     * {@code <positive id> <value>} lines, by id, each as its value and line number; a repeated id or a
     * malformed line is an error naming the line.
     */
    private static TreeMap<Long, TextLines.Line> pairs(Path file, String expected) throws IOException {
        TreeMap<Long, TextLines.Line> out = new TreeMap<>();
        for (TextLines.Line line : TextLines.read(file)) {
            String[] kv = TextLines.splitFirst(line.text());
            long id = kv == null ? -1 : TextLines.positive(kv[0]);
            if (id < 1 || kv[1].isEmpty()) {
                throw TextLines.error(file, line, expected + " with a positive integer id");
            }
            if (out.put(id, new TextLines.Line(line.number(), kv[1])) != null) {
                throw TextLines.error(file, line, "each id once (" + id + " is repeated)");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": empty; expected lines " + expected);
        }
        return out;
    }
}
