package saelab.plot;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's notebook/figure table must list every registered figure and table with its notebook. */
class ReadmeListsRegistryTest {

    @Test
    void everyRegisteredFigureHasItsRowInTheReadme() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        String readme = Files.readString(root.resolve("README.md"));
        FigureRegistry registry = FigureRegistry.load(root.resolve("data-manifests/figures.json"));
        for (FigureSpec spec : registry.all()) {
            boolean listed = readme.lines().anyMatch(line -> line.contains("`" + spec.id() + "`")
                    && line.contains("`notebooks/" + spec.notebook() + "`"));
            assertTrue(listed, "README.md has no table row for '" + spec.id() + "' (" + spec.notebook()
                    + "); regenerate the table with ./saelab figures --markdown");
        }
    }
}
