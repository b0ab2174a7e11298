package saelab.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Opens a dataset from a spec {@code KIND[,OPTION=VALUE...]:PATH}, as given on the command line
 * ({@code --dataset}):
 * <ul>
 *   <li>{@code folder:/x} – {@link ImageFolderDataset}; option {@code labels=auto|classes|none}; the split, when
 *       given, is a subfolder;</li>
 *   <li>{@code imagenet:/x} – {@link ImageNetDataset}, splits {@code train}, {@code val}; option
 *       {@code names=openai|wordnet};</li>
 *   <li>{@code inat2021:/x} – {@link INat2021Dataset}, splits {@code train_mini}, {@code train}, {@code val};
 *       option {@code level=kingdom|phylum|class|order|family|genus|species};</li>
 *   <li>{@code ade20k:/x} – {@link Ade20kDataset}, splits {@code train}, {@code val};</li>
 *   <li>{@code cub200:/x} – {@link Cub200Dataset}, splits {@code train}, {@code test}, {@code all}.</li>
 * </ul>
 * Example: {@code inat2021,level=genus:/data/inat2021}. The path is everything after the first colon.
 */
public final class Datasets {

    /** The kinds and the options each accepts. */
    public static final Map<String, Set<String>> KINDS = kinds();

    /**
     * A parsed spec.
     *
     * @param kind    the reader
     * @param options reader options, in the order given
     * @param path    the dataset root
     */
    public record Spec(String kind, Map<String, String> options, Path path) {}

    private Datasets() {}

    private static Map<String, Set<String>> kinds() {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        m.put("folder", Set.of("labels"));
        m.put("imagenet", Set.of("names"));
        m.put("inat2021", Set.of("level"));
        m.put("ade20k", Set.of());
        m.put("cub200", Set.of());
        return Collections.unmodifiableMap(m);
    }

    /**
     * Parses {@code KIND[,OPTION=VALUE...]:PATH}.
     *
     * @throws IllegalArgumentException for a missing colon, an unknown kind or option, naming what is accepted
     */
    public static Spec parse(String spec) {
        int colon = spec == null ? -1 : spec.indexOf(':');
        if (colon < 1 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("dataset spec '" + spec + "': expected KIND[,OPTION=VALUE...]:PATH with KIND one of "
                    + KINDS.keySet() + ", e.g. imagenet:/data/imagenet");
        }
        String[] head = spec.substring(0, colon).split(",");
        String kind = head[0].strip().toLowerCase(Locale.ROOT);
        Set<String> allowed = KINDS.get(kind);
        if (allowed == null) {
            throw new IllegalArgumentException("dataset spec '" + spec + "': unknown kind '" + head[0] + "'; expected one of "
                    + KINDS.keySet());
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < head.length; i++) {
            int eq = head[i].indexOf('=');
            String key = eq < 0 ? head[i].strip() : head[i].substring(0, eq).strip().toLowerCase(Locale.ROOT);
            if (eq < 1 || !allowed.contains(key)) {
                throw new IllegalArgumentException("dataset spec '" + spec + "': option '" + head[i] + "' is not "
                        + (allowed.isEmpty() ? "accepted: " + kind + " takes no options" : "one of " + allowed + "=VALUE for " + kind));
            }
            options.put(key, head[i].substring(eq + 1).strip());
        }
        return new Spec(kind, options, Path.of(spec.substring(colon + 1)));
    }

    /**
     * Opens a dataset.
     *
     * @param spec  {@code KIND[,OPTION=VALUE...]:PATH}
     * @param split the split (see the class comment); null means the whole folder for {@code folder} and
     *              {@code all} for {@code cub200}, and the first split listed above for the other kinds
     * @throws IllegalArgumentException for a bad spec, a missing folder or a layout without its files,
     *                                  naming the path and the files expected
     */
    public static Dataset open(String spec, String split) {
        Spec s = parse(spec);
        if (!Files.isDirectory(s.path())) {
            throw new IllegalArgumentException(s.path() + ": folder not found (dataset spec '" + spec + "')");
        }
        Map<String, String> o = s.options();
        return switch (s.kind()) {
            case "folder" -> ImageFolderDataset.open(s.path(), split,
                    ImageFolderDataset.Labels.parse(o.getOrDefault("labels", "auto")));
            case "imagenet" -> ImageNetDataset.open(s.path(), split == null ? "train" : split,
                    ImageNetDataset.Names.parse(o.getOrDefault("names", "openai")));
            case "inat2021" -> INat2021Dataset.open(s.path(), split == null ? "train_mini" : split,
                    TaxonomyLevel.parse(o.getOrDefault("level", "species")));
            case "ade20k" -> Ade20kDataset.open(s.path(), split == null ? "train" : split);
            case "cub200" -> Cub200Dataset.open(s.path(), split);
            default -> throw new IllegalStateException("kind " + s.kind() + " is listed but has no reader");
        };
    }
}
