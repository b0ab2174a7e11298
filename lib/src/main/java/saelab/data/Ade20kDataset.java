package saelab.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ADE20K scene parsing as distributed for the MIT SceneParsing benchmark (Zhou et al., "Scene Parsing
 * through ADE20K Dataset", CVPR 2017): {@code ADEChallengeData2016/images/{training,validation}/*.jpg} and
 * {@code annotations/{training,validation}/*.png}, the annotation of {@code X.jpg} being {@code X.png}: an
 * 8-bit label map, 0 = other/background, 1..150 the classes of {@code objectInfo150}.
 *
 * <p>The root is {@code ADEChallengeData2016} or the folder that holds it. Splits: {@code train}
 * ({@code training}) and {@code val} ({@code validation}). Images are ordered by file name; they have no
 * image-level label (-1); the manifest's classes are the 151 names of the label values
 * ({@code background}, then the 150 classes of {@link #classNames()}), and each example carries its label
 * map as annotation. An image whose label map is missing is a problem under the policy. Per-patch labels:
 * {@link PatchLabels}.
 */
public final class Ade20kDataset extends DatasetReader {

    /** The folder name of the distribution. */
    public static final String DIR = "ADEChallengeData2016";
    /** The resource with the 150 class names. */
    public static final String NAMES_RESOURCE = "/saelab/data/ade20k_classes_150.txt";
    /** Number of classes, not counting label 0. */
    public static final int CLASSES = 150;
    /** The name given to label 0. */
    public static final String BACKGROUND = "background";

    private final Path base;
    private final String folder;

    private Ade20kDataset(Path root, Path base, String split, String folder) {
        super("ade20k", root, split);
        this.base = base;
        this.folder = folder;
    }

    /**
     * Opens a split.
     *
     * @param root  {@code ADEChallengeData2016} or its parent
     * @param split {@code train}/{@code training} or {@code val}/{@code validation}
     * @throws IllegalArgumentException for another split, or when the image or annotation folder is missing
     */
    public static Ade20kDataset open(Path root, String split) {
        String s = split == null ? "" : split.toLowerCase(Locale.ROOT);
        String folder = switch (s) {
            case "train", "training" -> "training";
            case "val", "validation" -> "validation";
            default -> throw new IllegalArgumentException("ade20k: split must be train or val, got '" + split + "'");
        };
        Path base = Files.isDirectory(root.resolve(DIR).resolve("images")) ? root.resolve(DIR) : root;
        for (String kind : List.of("images", "annotations")) {
            Path d = base.resolve(kind).resolve(folder);
            if (!Files.isDirectory(d)) {
                throw new IllegalArgumentException(root + ": no " + d + "/; expected the ADE20K SceneParsing layout "
                        + DIR + "/images/" + folder + "/*.jpg and " + DIR + "/annotations/" + folder + "/*.png");
            }
        }
        return new Ade20kDataset(root, base, s.startsWith("train") ? "train" : "val", folder);
    }

    /** The 150 class names, index = label value - 1 (label 0 is background and not listed). */
    public static List<String> classNames() {
        return TextLines.bundledNames(NAMES_RESOURCE, CLASSES);
    }

    /** The 151 names of the label values: {@value #BACKGROUND}, then {@link #classNames()}. */
    public static List<String> labelNames() {
        List<String> all = new ArrayList<>(CLASSES + 1);
        all.add(BACKGROUND);
        all.addAll(classNames());
        return List.copyOf(all);
    }

    /**
     * The label names of the layout at {@code base}: a {@code classes.txt} there (line k names label k,
     * label 0 first; written e.g. by the toy world) overrides the standard 151 names.
     */
    static List<String> labelNames(Path base) throws IOException {
        Path custom = base.resolve("classes.txt");
        if (!Files.isRegularFile(custom)) {
            return labelNames();
        }
        List<String> names = Files.readAllLines(custom).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (names.size() < 2 || names.size() > 256) {
            throw new IllegalArgumentException(custom + ": " + names.size() + " class names; expected 2 to 256 (label 0 first,"
                    + " uint8 label maps)");
        }
        return names;
    }

    @Override
    public DatasetListing list() throws IOException {
        Path images = base.resolve("images").resolve(folder);
        String imgPrefix = prefixOf(images);
        String annPrefix = prefixOf(base.resolve("annotations").resolve(folder));
        List<DatasetListing.Entry> entries = new ArrayList<>();
        for (String f : ImageFiles.imagesIn(images)) {
            int dot = f.lastIndexOf('.');
            entries.add(new DatasetListing.Entry(imgPrefix + f, -1, annPrefix + f.substring(0, dot) + ".png"));
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException(images + ": no image files; expected ADE_*.jpg");
        }
        List<String> names = labelNames(base);
        List<String> ids = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            ids.add(Integer.toString(i));
        }
        return new DatasetListing(kind(), split, Map.of(), names, ids, entries, List.of());
    }
}
