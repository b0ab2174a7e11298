package saelab.web;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/** Class names a person types into the zero-shot dashboard, checked: 2 to 64 distinct names of 1 to 64 printable characters. */
final class TypedClasses {

    static final int MAX_CLASSES = 64;
    static final int MAX_LENGTH = 64;
    /** Separates names in the address ({@code ?classes=red|green|blue}). */
    static final String SEPARATOR = "|";

    private TypedClasses() {}

    /** Names from the address form, or null when the parameter is absent (the run's own classes). */
    static List<String> parse(String param) {
        if (param == null || param.isBlank()) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (String n : param.split("\\|", -1)) {
            names.add(n.strip());
        }
        return check(names);
    }

    /** Checks names (null stays null). */
    static List<String> check(List<String> names) {
        if (names == null) {
            return null;
        }
        if (names.size() < 2 || names.size() > MAX_CLASSES) {
            throw new IllegalArgumentException("field 'classes' lists " + names.size() + " names; expected 2 to " + MAX_CLASSES);
        }
        HashSet<String> seen = new HashSet<>();
        for (String n : names) {
            if (n == null || n.isEmpty() || n.length() > MAX_LENGTH || !n.matches("[\\p{L}\\p{N} ,.'()&/+-]+")) {
                throw new IllegalArgumentException("field 'classes' holds '" + Params.printable(String.valueOf(n)) + "'; expected names of 1 to "
                        + MAX_LENGTH + " letters, digits, spaces and simple punctuation");
            }
            if (!seen.add(n)) {
                throw new IllegalArgumentException("field 'classes' holds '" + Params.printable(n) + "' twice; expected distinct names");
            }
        }
        return List.copyOf(names);
    }
}
