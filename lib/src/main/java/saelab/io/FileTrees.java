package saelab.io;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Whole folders: deleting a tree, and replacing a folder by one built beside it. A folder is built in a hidden
 * staging folder {@code .<name>.staging-<random>} beside its target, then swapped in by renames (the old
 * folder to {@code .<name>.old-<random>}, the staging folder to the target, the old one deleted), so the target
 * is always either the previous complete folder or the new complete one; a killed run leaves only hidden
 * folders that {@link #isLeftover} recognises. The JDK has no recursive delete; this is the usual
 * {@link Files#walkFileTree} one, written once.
 */
public final class FileTrees {

    private FileTrees() {}

    /**
     * Deletes {@code tree} and everything under it; nothing when it does not exist. Symbolic links are deleted
     * themselves and never followed, so nothing outside the tree is touched (a link named as {@code tree} is
     * removed, not its target).
     */
    public static void deleteTree(Path tree) throws IOException {
        if (!Files.exists(tree, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        // walkFileTree without FOLLOW_LINKS reports a link as a file: it is deleted, its target is not visited
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
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

    /**
     * {@link #deleteTree(Path)} of a tree that must lie strictly inside {@code parent} (compared after making both
     * absolute and normal).
     *
     * @throws IllegalArgumentException when {@code tree} is {@code parent} itself or outside it; nothing is deleted
     */
    public static void deleteTree(Path tree, Path parent) throws IOException {
        Path t = tree.toAbsolutePath().normalize();
        Path p = parent.toAbsolutePath().normalize();
        if (t.equals(p) || !t.startsWith(p)) {
            throw new IllegalArgumentException(tree + ": refusing to delete a folder tree outside " + parent);
        }
        deleteTree(t);
    }

    /** A fresh, empty staging folder {@code .<name>.staging-<random>} beside {@code target} (its parent is created). */
    public static Path stageBeside(Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        return Files.createDirectory(parent.resolve("." + target.getFileName() + ".staging-" + randomTag()));
    }

    /**
     * Replaces {@code target} (absent, or a folder) by {@code staging}, a folder beside it (from {@link #stageBeside}):
     * the old folder is renamed aside, the staging folder renamed to the target, then the old one deleted.
     */
    public static void replace(Path staging, Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        boolean hadOld = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        Path old = parent.resolve("." + target.getFileName() + ".old-" + randomTag());
        if (hadOld) {
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        if (hadOld) {
            deleteTree(old, parent);
        }
    }

    /** Whether {@code p} is a folder left by an interrupted {@link #stageBeside} / {@link #replace}. */
    public static boolean isLeftover(Path p) {
        String n = p.getFileName() == null ? "" : p.getFileName().toString();
        return n.startsWith(".") && (n.contains(".staging-") || n.contains(".old-")) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }

    /** Whether {@code dir} is a folder with at least one entry. */
    public static boolean nonEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }

    /**
     * Every regular file under {@code dir} (a link to a file counts; linked folders are not entered), as
     * '/'-separated paths relative to it, sorted; empty when {@code dir} is not a folder.
     */
    public static List<String> regularFiles(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).forEach(p -> out.add(dir.relativize(p).toString().replace('\\', '/')));
        }
        out.sort(null);
        return out;
    }

    private static String randomTag() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong());
    }
}
