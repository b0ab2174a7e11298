package saelab.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.format.Mat5File;
import us.hebi.matlab.mat.types.Struct;

/**
 * The 1000 classes of ImageNet-1K (ILSVRC 2012). Labels follow the sorted order of the WordNet ids
 * ({@code n01440764} = 0 ... {@code n15075141} = 999), as torchvision's {@code ImageFolder}/{@code ImageNet}
 * and nearly every model do. Readable names are the OpenAI-curated ones shipped with CLIP and open_clip
 * ({@code open_clip/zero_shot_metadata.py}, {@code IMAGENET_CLASSNAMES}, MIT licence), copied in the
 * resource {@code saelab/data/imagenet_classnames_openai_1000.txt}, in the same sorted-wnid order.
 *
 * <p>The devkit's {@code ILSVRC2012_validation_ground_truth.txt} holds <em>ILSVRC2012_IDs</em> (1..1000)
 * in the devkit's own synset order, not sorted-wnid indices (its first line, 490, is a sea snake,
 * {@code n01751748}, sorted index 65); {@code meta.mat} maps them to wnids, as torchvision's
 * {@code parse_devkit_archive} does. It is read here with MFL (MATLAB MAT-file library, Apache-2.0).
 */
public final class ImageNetClasses {

    /** Number of classes. */
    public static final int COUNT = 1000;

    /** The resource with the OpenAI names. */
    public static final String OPENAI_NAMES_RESOURCE = "/saelab/data/imagenet_classnames_openai_1000.txt";

    private static final Pattern WNID = Pattern.compile("n\\d{8}");

    /**
     * A synset list read from a file: the wnids (as listed) and their WordNet words.
     *
     * @param wnids  the WordNet ids
     * @param words  wnid → words (e.g. {@code "tench, Tinca tinca"})
     */
    public record Synsets(List<String> wnids, Map<String, String> words) {}

    private ImageNetClasses() {}

    /** Whether a name is a WordNet noun id ({@code n} and 8 digits). */
    public static boolean isWnid(String s) {
        return WNID.matcher(s).matches();
    }

    /** The 1000 OpenAI class names, index = sorted-wnid label. */
    public static List<String> openAiNames() {
        return TextLines.bundledNames(OPENAI_NAMES_RESOURCE, COUNT);
    }

    /**
     * Reads Kaggle's {@code LOC_synset_mapping.txt}: one line per class, {@code "<wnid> <words>"}.
     *
     * @throws IllegalArgumentException naming the file and line of a bad or repeated line
     */
    public static Synsets readSynsetMapping(Path file) throws IOException {
        List<String> wnids = new ArrayList<>();
        Map<String, String> words = new HashMap<>();
        for (TextLines.Line line : TextLines.read(file)) {
            String[] parts = TextLines.splitFirst(line.text());
            String wnid = parts == null ? line.text() : parts[0];
            if (!isWnid(wnid)) {
                throw TextLines.error(file, line, "'<wnid> <words>' with a WordNet id such as n01440764");
            }
            if (words.put(wnid, parts == null ? "" : parts[1]) != null) {
                throw TextLines.error(file, line, "each WordNet id once (" + wnid + " is repeated)");
            }
            wnids.add(wnid);
        }
        return new Synsets(List.copyOf(wnids), Map.copyOf(words));
    }

    /**
     * Reads the devkit's {@code meta.mat}: the ILSVRC2012_ID → wnid map of the 1000 leaf synsets
     * ({@code ILSVRC2012_ID} 1..1000, {@code num_children} 0), and their WordNet words.
     *
     * @return the wnids in ILSVRC2012_ID order (index = id - 1) and their words
     * @throws IllegalArgumentException when the file is not such a MAT file
     */
    public static Synsets readDevkitMeta(Path file) throws IOException {
        String expected = "the ImageNet 2012 devkit's meta.mat (MATLAB v5: a struct array 'synsets' with fields"
                + " ILSVRC2012_ID, WNID, words, num_children)";
        TreeMap<Integer, String> byId = new TreeMap<>();
        Map<String, String> words = new HashMap<>();
        try (Mat5File mat = Mat5.readFromFile(file.toFile())) {
            Struct s = mat.getStruct("synsets");
            List<String> fields = s.getFieldNames();
            for (String f : List.of("ILSVRC2012_ID", "WNID")) {
                if (!fields.contains(f)) {
                    throw new IllegalArgumentException(file + ": field 'synsets." + f + "' missing; expected " + expected);
                }
            }
            for (int i = 0; i < s.getNumElements(); i++) {
                int id = (int) s.getMatrix("ILSVRC2012_ID", i).getDouble(0);
                boolean leaf = !fields.contains("num_children") || s.getMatrix("num_children", i).getDouble(0) == 0;
                if (id < 1 || id > COUNT || !leaf) {
                    continue;
                }
                String wnid = s.getChar("WNID", i).getString().strip();
                if (!isWnid(wnid) || byId.put(id, wnid) != null) {
                    throw new IllegalArgumentException(file + ": field 'synsets(" + (i + 1) + ").WNID': expected a distinct"
                            + " WordNet id for ILSVRC2012_ID " + id + ", got '" + wnid + "'");
                }
                words.put(wnid, fields.contains("words") ? s.getChar("words", i).getString().strip() : "");
            }
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(file.toString())) {
                throw e; // ours, already naming the file and field
            }
            throw new IllegalArgumentException(file + ": cannot read it as " + expected + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": cannot read it as " + expected + ": " + e.getMessage(), e);
        }
        if (byId.size() != COUNT || byId.firstKey() != 1 || byId.lastKey() != COUNT) {
            throw new IllegalArgumentException(file + ": field 'synsets': expected the " + COUNT
                    + " leaf synsets with ILSVRC2012_ID 1.." + COUNT + ", found " + byId.size());
        }
        return new Synsets(List.copyOf(byId.values()), Map.copyOf(words));
    }
}
