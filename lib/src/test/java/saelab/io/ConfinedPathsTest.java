package saelab.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names read from files stay inside their folder: {@link ConfinedPaths#resolve} also refuses links that lead
 * out (files other people send), {@link ConfinedPaths#resolveLexically} follows them (the user's own dataset
 * trees), and both refuse absolute names and {@code ..} escapes with a sentence naming the source and field.
 */
class ConfinedPathsTest {

    @TempDir
    Path tmp;

    @Test
    void absoluteNamesAndEscapesAreRefusedByBothModes() throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("cache"));
        for (String bad : List.of("/etc/passwd", "../outside.bin", "a/../../outside.bin", "", "a\\b", "a\nb")) {
            for (boolean lexical : new boolean[] {false, true}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
                    if (lexical) {
                        ConfinedPaths.resolveLexically(folder, bad, "manifest.json", "shards[0].file");
                    } else {
                        ConfinedPaths.resolve(folder, bad, "manifest.json", "shards[0].file");
                    }
                }, bad);
                assertTrue(e.getMessage().startsWith("manifest.json: field 'shards[0].file': expected a file inside "), e.getMessage());
            }
        }
    }

    @Test
    void namesThatStayInsideResolve() throws IOException {
        Path folder = Files.createDirectories(tmp.resolve("cache"));
        assertEquals(folder.toAbsolutePath().resolve("a/b.bin"), ConfinedPaths.resolve(folder, "a/./c/../b.bin", "m", "f"));
        assertEquals(folder.resolve("a/b.bin"), ConfinedPaths.resolveLexically(folder, "a/b.bin", "m", "f"));
    }

    @Test
    void aLinkLeadingOutIsRefusedUnlessTheTreeIsTheUsersOwn() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("other-disk/train"));
        Files.writeString(outside.resolve("cat.jpg"), "pixels");
        Path root = Files.createDirectories(tmp.resolve("imagenet"));
        Files.createSymbolicLink(root.resolve("train"), outside);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfinedPaths.resolve(root, "train/cat.jpg", "index.json", "images[0].path"));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        Path followed = ConfinedPaths.resolveLexically(root, "train/cat.jpg", "dataset manifest", "examples[0].path");
        assertEquals("pixels", Files.readString(followed));
    }
}
