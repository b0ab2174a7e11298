package saelab.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * iNaturalist 2021 (Van Horn et al., "Benchmarking Representation Learning for Natural World Image
 * Collections", CVPR 2021) as distributed: {@code <root>/train_mini.json}, {@code train.json} or
 * {@code val.json} beside the image trees ({@code train_mini/...}); each image's {@code file_name} is
 * relative to the root.
 *
 * <p>Order: the order of the annotation file's {@code images} array. Labels at a chosen
 * {@link TaxonomyLevel} (species by default):
 * <ul>
 *   <li>species: label = position of the category in the categories sorted by id (= the id in iNat2021,
 *       whose ids are 0..9999), class name = the category's {@code name} (binomial), class id = its id;</li>
 *   <li>a higher level: the distinct taxa of that level numbered by first appearance in category-id order
 *       (torchvision's {@code INaturalist} numbers them the same way). A taxon is its whole lineage from the
 *       kingdom down, so a name shared by two lineages gives two classes; class id = the lineage joined by
 *       {@code /}, class name = the level's name, followed by the parent lineage in brackets when the name
 *       is shared.</li>
 * </ul>
 * An image without annotation is a problem under the policy.
 */
public final class INat2021Dataset extends DatasetReader {

    /** The splits and their annotation files ({@code <split>.json}). */
    public static final List<String> SPLITS = List.of("train_mini", "train", "val");

    private final TaxonomyLevel level;
    private final Path annotations;

    private INat2021Dataset(Path root, String split, TaxonomyLevel level, Path annotations) {
        super("inat2021", root, split);
        this.level = level;
        this.annotations = annotations;
    }

    /**
     * Opens a split.
     *
     * @param root  the folder with the annotation files and image trees
     * @param split {@code train_mini}, {@code train} or {@code val} ({@code train-mini} is accepted)
     * @param level the taxonomy level of the labels
     * @throws IllegalArgumentException for another split or a missing annotation file
     */
    public static INat2021Dataset open(Path root, String split, TaxonomyLevel level) {
        String s = split == null ? "" : split.toLowerCase(Locale.ROOT).replace('-', '_');
        if (!SPLITS.contains(s)) {
            throw new IllegalArgumentException("inat2021: split must be one of " + SPLITS + ", got '" + split + "'");
        }
        Path json = root.resolve(s + ".json");
        if (!Files.isRegularFile(json)) {
            throw new IllegalArgumentException(root + ": no " + s + ".json; expected the iNat2021 annotation file "
                    + json + " beside the image folder " + root.resolve(s) + "/");
        }
        return new INat2021Dataset(root, s, level, json);
    }

    @Override
    public DatasetListing list() throws IOException {
        INatAnnotations a = INatAnnotations.read(annotations);
        Map<Long, Integer> labelOfCategory = new HashMap<>();
        List<String> names = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        if (level == TaxonomyLevel.SPECIES) {
            for (INatAnnotations.Category c : a.categories) {
                labelOfCategory.put(c.id(), names.size());
                names.add(INatAnnotations.text(c.fields(), "name", at(c)));
                ids.add(Long.toString(c.id()));
            }
        } else {
            Map<String, Integer> byLineage = new LinkedHashMap<>();
            Map<String, Integer> lineagesOfName = new HashMap<>();
            List<String> parents = new ArrayList<>();
            for (INatAnnotations.Category c : a.categories) {
                StringBuilder lineage = new StringBuilder();
                String parent = "";
                String name = null;
                for (TaxonomyLevel l : TaxonomyLevel.values()) {
                    name = INatAnnotations.text(c.fields(), l.field(), at(c));
                    if (name.contains("/")) {
                        throw new IllegalArgumentException(at(c) + ": field '" + l.field() + "': expected a name without '/', got '"
                                + name + "'");
                    }
                    if (l == level) {
                        break;
                    }
                    parent = lineage.append(lineage.isEmpty() ? "" : "/").append(name).toString();
                }
                String key = parent.isEmpty() ? name : parent + "/" + name;
                Integer label = byLineage.get(key);
                if (label == null) {
                    label = names.size();
                    byLineage.put(key, label);
                    names.add(name);
                    ids.add(key);
                    parents.add(parent);
                    lineagesOfName.merge(name, 1, Integer::sum);
                }
                labelOfCategory.put(c.id(), label);
            }
            for (int i = 0; i < names.size(); i++) {
                if (lineagesOfName.get(names.get(i)) > 1) {
                    names.set(i, names.get(i) + " (" + parents.get(i) + ")");
                }
            }
        }
        List<DatasetListing.Entry> entries = new ArrayList<>(a.images.size());
        List<ImageProblems.Problem> problems = new ArrayList<>();
        for (INatAnnotations.Image im : a.images) {
            String p = im.fileName();
            if (!staysInside(p)) {
                throw new IllegalArgumentException(annotations + " line " + im.line() + ": images: field 'file_name': expected a"
                        + " path relative to " + root + ", got '" + p + "'");
            }
            Long cat = a.categoryOf.get(im.id());
            if (cat == null) {
                problems.add(new ImageProblems.Problem(p, "no annotation in " + annotations.getFileName()
                        + " (image id " + im.id() + ")"));
                continue;
            }
            entries.add(new DatasetListing.Entry(p, labelOfCategory.get(cat)));
        }
        return new DatasetListing(kind(), split, Map.of("level", level.id()), names, ids, entries, problems);
    }

    private String at(INatAnnotations.Category c) {
        return annotations + " line " + c.line() + ": categories (id " + c.id() + ")";
    }
}
