package saelab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package arrows of the library's design that have been broken before: the low packages (io, then store,
 * data, image, text) use nothing above them, and {@code saelab.toy} (which trains backbones) draws no charts: it
 * uses neither {@code saelab.plot} nor XChart. Read from the sources' imports and qualified names (comments left out).
 */
class PackageArrowsTest {

    private static final Path MAIN = Path.of("src/main/java/saelab");
    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\n]*", Pattern.DOTALL);

    /** Package → the saelab packages and library prefixes its main sources must not name. */
    private static final Map<String, List<String>> FORBIDDEN = Map.of(
            "io", List.of("saelab.store", "saelab.data", "saelab.image", "saelab.text", "saelab.model"),
            "store", List.of("saelab.model", "saelab.capture", "saelab.sae", "saelab.analysis"),
            "text", List.of("saelab.model", "saelab.data", "saelab.store"),
            "image", List.of("saelab.model", "saelab.store"),
            "data", List.of("saelab.model", "saelab.text"),
            "toy", List.of("saelab.plot", "saelab.notebook", "org.knowm.xchart"));

    @Test
    void lowPackagesAndToyUseNothingAboveThem() throws IOException {
        List<String> broken = new ArrayList<>();
        for (var e : FORBIDDEN.entrySet()) {
            try (Stream<Path> files = Files.list(MAIN.resolve(e.getKey()))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    String src = COMMENTS.matcher(Files.readString(f)).replaceAll(" "); // Javadoc may name higher packages
                    for (String bad : e.getValue()) {
                        Matcher m = Pattern.compile("\\b" + Pattern.quote(bad) + "\\.").matcher(src);
                        if (m.find()) {
                            broken.add(MAIN.relativize(f) + " names " + bad);
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), broken);
    }
}
