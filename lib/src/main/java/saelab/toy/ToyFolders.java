package saelab.toy;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whole-folder replacement for the trained model: everything is written into a staging folder beside the
 * target, then swapped in by renames (old folder aside, staging to the target, old folder deleted), so the
 * target is always either the previous complete model or the new complete one. The same scheme as
 * {@link saelab.data.ToyWorldWriter}, whose helpers are private.
 */
final class ToyFolders {

    private ToyFolders() {}

    /** A fresh, empty staging folder beside {@code target} (a hidden name with a random tag). */
    static Path stage(Path target) throws IOException {
        Path parent = target.getParent();
        Files.createDirectories(parent);
        String tag = Long.toHexString(ThreadLocalRandom.current().nextLong());
        return Files.createDirectory(parent.resolve("." + target.getFileName() + ".tmp-" + tag));
    }

    /** Replaces {@code target} (absent, or a folder) by {@code staging}. */
    static void swap(Path staging, Path target) throws IOException {
        Path old = target.resolveSibling("." + target.getFileName() + ".old-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        boolean hadOld = Files.exists(target);
        if (hadOld) {
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        if (hadOld) {
            deleteTree(old);
        }
    }

    /** Deletes {@code root} and everything under it, if it exists. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Whether {@code dir} is a folder with at least one entry. */
    static boolean nonEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }
}
