package saelab.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one tree deletion and folder replacement: links are not followed, paths outside the parent are refused. */
class FileTreesTest {

    @TempDir
    Path tmp;

    @Test
    void deleteTreeRemovesLinksButNotWhatTheyPointTo() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("keep.txt"), "keep");
        Path tree = Files.createDirectories(tmp.resolve("tree/sub"));
        Files.writeString(tree.resolve("a.txt"), "a");
        Files.createSymbolicLink(tree.resolve("to-outside"), outside);
        Files.createSymbolicLink(tree.resolve("to-file"), outside.resolve("keep.txt"));
        FileTrees.deleteTree(tmp.resolve("tree"));
        assertFalse(Files.exists(tmp.resolve("tree")));
        assertEquals("keep", Files.readString(outside.resolve("keep.txt")));

        Path link = Files.createSymbolicLink(tmp.resolve("link-root"), outside);
        FileTrees.deleteTree(link);
        assertFalse(Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isRegularFile(outside.resolve("keep.txt")));
        FileTrees.deleteTree(tmp.resolve("absent")); // nothing to do
    }

    @Test
    void deleteTreeUnderAParentRefusesThePathsOutsideIt() throws IOException {
        Path parent = Files.createDirectories(tmp.resolve("work"));
        Path sibling = Files.createDirectories(tmp.resolve("other"));
        for (Path bad : List.of(sibling, parent, parent.resolve("../other"), tmp)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FileTrees.deleteTree(bad, parent));
            assertTrue(e.getMessage().contains("outside " + parent), e.getMessage());
        }
        assertTrue(Files.isDirectory(sibling));
        Path inside = Files.createDirectories(parent.resolve("x/y"));
        FileTrees.deleteTree(parent.resolve("x"), parent);
        assertFalse(Files.exists(inside));
        assertTrue(Files.isDirectory(parent));
    }

    @Test
    void replaceSwapsAFolderAndLeavesNoHiddenFolder() throws IOException {
        Path target = tmp.resolve("out");
        Path first = FileTrees.stageBeside(target);
        assertTrue(FileTrees.isLeftover(first), first.toString());
        Files.writeString(first.resolve("v"), "1");
        FileTrees.replace(first, target);
        Path second = FileTrees.stageBeside(target);
        Files.writeString(second.resolve("v"), "2");
        FileTrees.replace(second, target);
        assertEquals("2", Files.readString(target.resolve("v")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(target), s.toList());
        }
        assertFalse(FileTrees.isLeftover(target));
        assertTrue(FileTrees.nonEmpty(target));
        assertFalse(FileTrees.nonEmpty(tmp.resolve("absent")));
    }

    @Test
    void regularFilesAreRelativeSortedAndSkipFolders() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("d/b"));
        Files.writeString(d.resolve("z.txt"), "");
        Files.writeString(tmp.resolve("d/a.txt"), "");
        assertEquals(List.of("a.txt", "b/z.txt"), FileTrees.regularFiles(tmp.resolve("d")));
        assertEquals(List.of(), FileTrees.regularFiles(tmp.resolve("none")));
    }
}
