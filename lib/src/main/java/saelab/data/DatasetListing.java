package saelab.data;

import java.util.List;
import java.util.Map;

/**
 * What a dataset reader found in its layout, before the files are looked at: the examples in dataset
 * order with their labels, the classes, and the problems met while reading the layout (an image without
 * a label, ...). {@link ManifestBuilder} turns it into a {@link DatasetManifest}.
 *
 * @param kind     reader name (see {@link DatasetManifest#kind()})
 * @param split    split, or null
 * @param options  reader options, empty when none
 * @param classes  class names, index = label
 * @param classIds the dataset's own class ids, index = label
 * @param entries  the examples, in dataset order
 * @param problems images left out while reading the layout, with the reason
 */
public record DatasetListing(String kind, String split, Map<String, String> options, List<String> classes,
                             List<String> classIds, List<Entry> entries, List<ImageProblems.Problem> problems) {

    /**
     * One example as listed by the layout.
     *
     * @param path       image path relative to the dataset root, {@code /} separators
     * @param label      class label (0-based), or -1
     * @param annotation annotation file relative to the dataset root, or null
     */
    public record Entry(String path, int label, String annotation) {
        /** An entry without annotation file. */
        public Entry(String path, int label) {
            this(path, label, null);
        }
    }

    public DatasetListing {
        options = options == null ? Map.of() : Map.copyOf(options);
        classes = List.copyOf(classes);
        classIds = List.copyOf(classIds);
        entries = List.copyOf(entries);
        problems = problems == null ? List.of() : List.copyOf(problems);
        if (classes.size() != classIds.size()) {
            throw new IllegalArgumentException("classes and classIds differ in size: " + classes.size() + " and "
                    + classIds.size());
        }
    }
}
