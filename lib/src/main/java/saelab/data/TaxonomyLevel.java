package saelab.data;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A level of the iNaturalist taxonomy, with the field of an iNat2021 category that holds it (the
 * category fields of {@code train_mini.json} / {@code val.json}: {@code kingdom}, {@code phylum},
 * {@code class}, {@code order}, {@code family}, {@code genus}, {@code name} (the species' binomial)).
 */
public enum TaxonomyLevel {
    KINGDOM("kingdom"),
    PHYLUM("phylum"),
    CLASS("class"),
    ORDER("order"),
    FAMILY("family"),
    GENUS("genus"),
    SPECIES("name");

    private final String field;

    TaxonomyLevel(String field) {
        this.field = field;
    }

    /** The category field that holds this level's name. */
    public String field() {
        return field;
    }

    /** The lower-case name, as used in dataset specs ({@code level=genus}). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a level name (any case). */
    public static TaxonomyLevel parse(String s) {
        for (TaxonomyLevel l : values()) {
            if (l.id().equalsIgnoreCase(s)) {
                return l;
            }
        }
        throw new IllegalArgumentException("level: expected one of " + ids() + ", got '" + s + "'");
    }

    /** All level names, from the top. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(TaxonomyLevel::id).toList();
    }
}
