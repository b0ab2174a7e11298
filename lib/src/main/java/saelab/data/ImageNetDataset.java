package saelab.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * ImageNet-1K (ILSVRC 2012) train and val as distributed. The root is either the Kaggle layout
 * ({@code ILSVRC/Data/CLS-LOC/{train,val}/}, {@code LOC_val_solution.csv}, {@code LOC_synset_mapping.txt})
 * or the plain one ({@code train/}, {@code val/}, with the devkit's {@code ILSVRC2012_validation_ground_truth.txt}
 * and {@code meta.mat} in the root or in {@code ILSVRC2012_devkit_t12/data/}).
 *
 * <ul>
 *   <li>train, and val after the usual {@code valprep.sh}: one folder per WordNet id, read as torchvision's
 *       {@code ImageFolder} does (folders and files sorted; see {@link ImageFiles}).</li>
 *   <li>val flat ({@code ILSVRC2012_val_00000001.JPEG} ...): ordered by file name; labels from
 *       {@code LOC_val_solution.csv} (first WordNet id of each row's {@code PredictionString}) or from the
 *       devkit's ground truth mapped through {@code meta.mat} (see {@link ImageNetClasses}). A file without a
 *       label is a problem under the policy.</li>
 * </ul>
 * Labels are the index of the WordNet id in the sorted list of the 1000 ids, taken from
 * {@code LOC_synset_mapping.txt} when present, else from the 1000 train (or val) class folders, else from
 * {@code meta.mat}, else from the validation labels. Class names are the OpenAI names
 * ({@code names=openai}, default) or the WordNet words ({@code names=wordnet}, which needs
 * {@code LOC_synset_mapping.txt} or {@code meta.mat}); {@code class_ids} are the WordNet ids.
 */
public final class ImageNetDataset extends DatasetReader {

    /** Which class names the manifest carries. */
    public enum Names {
        /** The OpenAI-curated names (CLIP's zero-shot names). */
        OPENAI,
        /** The WordNet words of {@code LOC_synset_mapping.txt} or {@code meta.mat}. */
        WORDNET;

        /** Parses {@code openai} or {@code wordnet}. */
        public static Names parse(String s) {
            for (Names n : values()) {
                if (n.name().equalsIgnoreCase(s)) {
                    return n;
                }
            }
            throw new IllegalArgumentException("names: expected openai or wordnet, got '" + s + "'");
        }
    }

    /** The Kaggle layout's image folder, relative to the root. */
    public static final String KAGGLE_DIR = "ILSVRC/Data/CLS-LOC";
    /** Kaggle's validation labels. */
    public static final String VAL_SOLUTION = "LOC_val_solution.csv";
    /** Kaggle's synset list. */
    public static final String SYNSET_MAPPING = "LOC_synset_mapping.txt";
    /** The devkit's validation labels (ILSVRC2012_IDs). */
    public static final String GROUND_TRUTH = "ILSVRC2012_validation_ground_truth.txt";
    /** The devkit's synset table. */
    public static final String META = "meta.mat";

    private static final List<String> DEVKIT_DIRS = List.of("", "ILSVRC2012_devkit_t12/data", "ILSVRC2012_devkit_t12");
    private static final String CSV_HEADER = "ImageId,PredictionString";

    private final Path splitDir;
    private final Names names;

    private ImageNetDataset(Path root, String split, Path splitDir, Names names) {
        super("imagenet", root, split);
        this.splitDir = splitDir;
        this.names = names;
    }

    /**
     * Opens a split.
     *
     * @param root  the dataset root (see the class comment)
     * @param split {@code train} or {@code val} ({@code validation} is accepted)
     * @param names which class names to carry
     * @throws IllegalArgumentException for another split or when the split's folder is missing, naming the
     *                                  folders looked for
     */
    public static ImageNetDataset open(Path root, String split, Names names) {
        String s = split == null ? "" : split.toLowerCase(Locale.ROOT);
        s = s.equals("validation") ? "val" : s;
        if (!s.equals("train") && !s.equals("val")) {
            throw new IllegalArgumentException("imagenet: split must be train or val, got '" + split + "'");
        }
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException(root + ": folder not found; expected the ImageNet-1K root");
        }
        Path dir = splitFolder(root, s);
        if (dir == null) {
            throw new IllegalArgumentException(root + ": no ImageNet " + s + " folder; expected " + root.resolve(KAGGLE_DIR)
                    .resolve(s) + "/ (Kaggle layout) or " + root.resolve(s) + "/ holding one folder per WordNet id"
                    + " (n01440764/ ...)" + (s.equals("val") ? ", or the flat ILSVRC2012_val_*.JPEG files with " + VAL_SOLUTION
                    + ", or with " + GROUND_TRUTH + " and " + META + " of the devkit" : ""));
        }
        return new ImageNetDataset(root, s, dir, names);
    }

    @Override
    public DatasetListing list() throws IOException {
        String prefix = prefixOf(splitDir);
        List<String> folders = ImageFiles.subfolders(splitDir);
        List<String> wnidFolders = folders.stream().filter(ImageNetClasses::isWnid).toList();
        if (!wnidFolders.isEmpty()) {
            List<String> odd = folders.stream().filter(f -> !ImageNetClasses.isWnid(f)).toList();
            if (!odd.isEmpty()) {
                throw new IllegalArgumentException(splitDir + ": folder(s) " + odd + " are not WordNet ids; expected only"
                        + " class folders such as n01440764/");
            }
            Classes cls = classes(null);
            List<DatasetListing.Entry> entries = ImageFiles.classFolderEntries(splitDir, prefix, wnidFolders,
                    (position, wnid) -> cls.label(wnid, splitDir.resolve(wnid).toString()), wnid -> {
                        throw new IllegalArgumentException(splitDir.resolve(wnid) + ": no image files in this class folder"
                                + " (extensions " + ImageFiles.EXTENSIONS + ")");
                    });
            return cls.listing(entries, List.of());
        }
        if (split.equals("train")) {
            throw new IllegalArgumentException(splitDir + ": no class folders; expected one folder per WordNet id"
                    + " (n01440764/ ...)");
        }
        return flatVal(prefix);
    }

    /** The flat validation folder, labelled by Kaggle's CSV or the devkit's ground truth. */
    private DatasetListing flatVal(String prefix) throws IOException {
        Map<String, String> stems = new HashMap<>();
        for (String f : ImageFiles.imagesIn(splitDir)) {
            int dot = f.lastIndexOf('.');
            stems.put(f.substring(0, dot), f);
        }
        Path csv = root.resolve(VAL_SOLUTION);
        Path gt = find(GROUND_TRUTH);
        Map<String, String> wnidOf = new LinkedHashMap<>(); // image stem -> wnid
        Map<String, Integer> lineOf = new HashMap<>(); // image stem -> line of the label file
        String labelFile;
        Classes cls;
        if (Files.isRegularFile(csv)) {
            labelFile = VAL_SOLUTION;
            readCsv(csv, wnidOf, lineOf);
            cls = classes(wnidOf.values());
        } else if (gt != null) {
            Path meta = find(META);
            if (meta == null) {
                throw new IllegalArgumentException(gt + " holds the devkit's ILSVRC2012_IDs, which are not sorted-wnid"
                        + " labels; expected the devkit's " + META + " beside it (in " + root + " or "
                        + root.resolve("ILSVRC2012_devkit_t12/data") + ") to map them to WordNet ids");
            }
            labelFile = GROUND_TRUTH;
            List<String> byId = ImageNetClasses.readDevkitMeta(meta).wnids();
            for (TextLines.Line line : TextLines.read(gt)) {
                long id = TextLines.positive(line.text());
                if (id < 1 || id > ImageNetClasses.COUNT) {
                    throw TextLines.error(gt, line, "an ILSVRC2012_ID between 1 and " + ImageNetClasses.COUNT
                            + " (line n = image ILSVRC2012_val_n)");
                }
                String stem = String.format(Locale.ROOT, "ILSVRC2012_val_%08d", line.number());
                wnidOf.put(stem, byId.get((int) id - 1));
                lineOf.put(stem, line.number());
            }
            cls = classes(null);
        } else {
            throw new IllegalArgumentException(splitDir + ": flat validation images need labels; expected "
                    + csv + " (Kaggle), or " + GROUND_TRUTH + " and " + META + " of the devkit in " + root + " or "
                    + root.resolve("ILSVRC2012_devkit_t12/data") + ", or class folders (valprep.sh)");
        }
        List<DatasetListing.Entry> entries = new ArrayList<>();
        for (Map.Entry<String, String> e : wnidOf.entrySet()) {
            String file = stems.getOrDefault(e.getKey(), e.getKey() + ".JPEG");
            Path labels = labelFile.equals(VAL_SOLUTION) ? csv : gt;
            entries.add(new DatasetListing.Entry(prefix + file, cls.label(e.getValue(), labels + " line " + lineOf.get(e.getKey()))));
        }
        entries.sort((a, b) -> ImageFiles.CODE_POINT_ORDER.compare(a.path(), b.path()));
        List<ImageProblems.Problem> problems = new ArrayList<>();
        for (Map.Entry<String, String> s : stems.entrySet()) {
            if (!wnidOf.containsKey(s.getKey())) {
                problems.add(new ImageProblems.Problem(prefix + s.getValue(), "no label in " + labelFile));
            }
        }
        return cls.listing(entries, problems);
    }

    private static void readCsv(Path csv, Map<String, String> wnidOf, Map<String, Integer> lineOf) throws IOException {
        List<TextLines.Line> lines = TextLines.read(csv);
        if (lines.isEmpty() || !lines.getFirst().text().equals(CSV_HEADER)) {
            if (lines.isEmpty()) {
                throw new IllegalArgumentException(csv + ": empty; expected the header '" + CSV_HEADER + "' and one row per image");
            }
            throw TextLines.error(csv, lines.getFirst(), "the header '" + CSV_HEADER + "'");
        }
        for (TextLines.Line line : lines.subList(1, lines.size())) {
            String t = line.text();
            int comma = t.indexOf(',');
            String[] pred = comma < 1 ? null : t.substring(comma + 1).strip().split("\\s+");
            if (pred == null || !ImageNetClasses.isWnid(pred[0]) || t.substring(0, comma).contains(" ")) {
                throw TextLines.error(csv, line, "'<ImageId>,<wnid> <x_min> <y_min> <x_max> <y_max> ...'");
            }
            if (wnidOf.put(t.substring(0, comma), pred[0]) != null) {
                throw TextLines.error(csv, line, "each ImageId once (" + t.substring(0, comma) + " is repeated)");
            }
            lineOf.put(t.substring(0, comma), line.number());
        }
    }

    /** The class list and names: the wnids, sorted, from the best source present. */
    private Classes classes(Collection<String> fromLabels) throws IOException {
        Path mapping = root.resolve(SYNSET_MAPPING);
        Map<String, String> words = null;
        List<String> wnids = null;
        String source = null;
        if (Files.isRegularFile(mapping)) {
            ImageNetClasses.Synsets s = ImageNetClasses.readSynsetMapping(mapping);
            wnids = s.wnids();
            words = s.words();
            source = mapping.toString();
        } else {
            Path meta = find(META);
            for (String sp : List.of("train", "val")) {
                Path d = splitFolder(root, sp);
                List<String> w = d == null ? List.of() : ImageFiles.subfolders(d).stream().filter(ImageNetClasses::isWnid).toList();
                if (w.size() == ImageNetClasses.COUNT) {
                    wnids = w;
                    source = "the class folders of " + d;
                    break;
                }
            }
            if (meta != null) {
                ImageNetClasses.Synsets s = ImageNetClasses.readDevkitMeta(meta);
                words = s.words();
                if (wnids == null) {
                    wnids = s.wnids();
                    source = meta.toString();
                }
            }
            if (wnids == null && fromLabels != null) {
                wnids = List.copyOf(new TreeSet<>(fromLabels));
                source = "the labels of " + root.resolve(VAL_SOLUTION);
            }
        }
        if (wnids == null || new TreeSet<>(wnids).size() != ImageNetClasses.COUNT) {
            throw new IllegalArgumentException(root + ": cannot tell the " + ImageNetClasses.COUNT + " ImageNet-1K classes"
                    + (wnids == null ? "" : ": " + source + " holds " + new TreeSet<>(wnids).size() + " distinct WordNet ids")
                    + "; expected " + mapping + ", or all " + ImageNetClasses.COUNT + " class folders in train/, or the devkit's "
                    + META + " (for a subset of ImageNet use folder:PATH)");
        }
        List<String> sorted = new ArrayList<>(wnids);
        sorted.sort(ImageFiles.CODE_POINT_ORDER);
        List<String> classNames;
        if (names == Names.OPENAI) {
            classNames = ImageNetClasses.openAiNames();
        } else {
            if (words == null) {
                throw new IllegalArgumentException(root + ": names=wordnet needs " + mapping + " or the devkit's " + META);
            }
            Map<String, String> w = words;
            classNames = sorted.stream().map(id -> w.getOrDefault(id, id)).toList();
        }
        return new Classes(sorted, classNames);
    }

    /** The sorted wnids and the names of the labels. */
    private final class Classes {
        final List<String> wnids;
        final List<String> classNames;
        final Map<String, Integer> index = new HashMap<>();

        Classes(List<String> wnids, List<String> classNames) {
            this.wnids = wnids;
            this.classNames = classNames;
            for (int i = 0; i < wnids.size(); i++) {
                index.put(wnids.get(i), i);
            }
        }

        int label(String wnid, String where) {
            Integer l = index.get(wnid);
            if (l == null) {
                throw new IllegalArgumentException(where + ": WordNet id " + wnid + " is not one of the "
                        + ImageNetClasses.COUNT + " ImageNet-1K classes");
            }
            return l;
        }

        DatasetListing listing(List<DatasetListing.Entry> entries, List<ImageProblems.Problem> problems) {
            return new DatasetListing(kind(), split, Map.of("names", names.name().toLowerCase(Locale.ROOT)),
                    classNames, wnids, entries, problems);
        }
    }

    private Path find(String name) {
        for (String d : DEVKIT_DIRS) {
            Path p = d.isEmpty() ? root.resolve(name) : root.resolve(d).resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static Path splitFolder(Path root, String split) {
        for (Path p : List.of(root.resolve(KAGGLE_DIR).resolve(split), root.resolve(split))) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }
}
