package saelab.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Resolves file names that come from files (cache manifests, saev metadata, dataset manifests, shard
 * indexes, registered ids) inside the folder they belong to, so that a file someone sent cannot make
 * saelab read, link or write a file elsewhere. A name is refused, with one sentence naming the file it
 * came from and the field, when it is absolute, when a {@code ..} segment leaves the folder, or when
 * it (or a folder on its way) is a symbolic link whose real path lies outside the folder (checked with
 * {@link Path#toRealPath} on what exists). Names are checked before anything is read or written.
 *
 * <p>The lexical rules are those of a POSIX relative path ({@code /} separators); a backslash, a NUL
 * or a line break is refused too, so a name means the same on every platform and in every text file
 * that records it.
 */
public final class ConfinedPaths {

    /** A plain name: one path segment, not starting with a dot (so never {@code .} or {@code ..}). */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

    private ConfinedPaths() {}

    /** Whether {@code name} is a plain file name: letters, digits, {@code . _ -}, not starting with a dot. */
    public static boolean isPlainName(String name) {
        return name != null && name.length() <= 255 && PLAIN.matcher(name).matches();
    }

    /**
     * Refuses a name that is not {@linkplain #isPlainName plain}.
     *
     * @param source the file (or option) the name came from, for the message
     * @param field  the field that holds it
     * @return the name
     */
    public static String requirePlainName(String name, Object source, String field) {
        if (!isPlainName(name)) {
            throw new IllegalArgumentException(source + ": field '" + field + "': expected a plain name (letters, digits, '.', '_',"
                    + " '-'; no '/' and not starting with '.'), got " + quoted(name));
        }
        return name;
    }

    /**
     * Why {@code relative} would not stay inside its folder, judged from its text alone, or null when
     * it stays: absolute, empty, a {@code ..} segment that climbs above the folder, a backslash, NUL or
     * line break.
     */
    public static String lexicalProblem(String relative) {
        if (relative == null || relative.isEmpty()) {
            return "an empty path";
        }
        if (relative.startsWith("/")) {
            return "an absolute path";
        }
        if (relative.indexOf('\\') >= 0 || relative.indexOf('\0') >= 0 || relative.indexOf('\n') >= 0 || relative.indexOf('\r') >= 0) {
            return "a path with a backslash, NUL or line break";
        }
        int depth = 0;
        for (String seg : relative.split("/", -1)) {
            if (seg.equals("..")) {
                if (--depth < 0) {
                    return "a path that leaves the folder with '..'";
                }
            } else if (!seg.isEmpty() && !seg.equals(".")) {
                depth++;
            }
        }
        return null;
    }

    /**
     * Resolves {@code relative}, read from field {@code field} of {@code source}, inside {@code folder}.
     *
     * @throws IllegalArgumentException naming {@code source}, the field and the folder when the name
     *                                  would lead outside the folder
     */
    public static Path resolve(Path folder, String relative, Object source, String field) {
        return resolve(folder, List.of(), relative, source, field);
    }

    /**
     * As {@link #resolve(Path, String, Object, String)}, but a symbolic link may also lead into one of
     * {@code alsoInside} (for example the part caches a merged cache links to). The name itself must
     * still be relative to {@code folder} and stay in it lexically.
     */
    public static Path resolve(Path folder, List<Path> alsoInside, String relative, Object source, String field) {
        String lexical = lexicalProblem(relative);
        if (lexical != null) {
            throw refused(folder, relative, source, field, lexical);
        }
        Path base = folder.toAbsolutePath().normalize();
        Path p;
        try {
            p = base.resolve(relative).normalize();
        } catch (InvalidPathException e) {
            throw refused(folder, relative, source, field, "not a valid path here");
        }
        if (!p.startsWith(base)) {
            throw refused(folder, relative, source, field, "a path that leaves the folder");
        }
        String link = linkProblem(base, p, alsoInside);
        if (link != null) {
            throw refused(folder, relative, source, field, link);
        }
        return p;
    }

    /**
     * As {@link #resolve(Path, String, Object, String)} judged from the text alone: symbolic links inside
     * {@code folder} are followed wherever they lead. For trees the user lays out on their own disks (a
     * dataset root whose class folders link to another disk is a common layout), where the name comes
     * from a file but the links do not.
     */
    public static Path resolveLexically(Path folder, String relative, Object source, String field) {
        String lexical = lexicalProblem(relative);
        if (lexical != null) {
            throw refused(folder, relative, source, field, lexical);
        }
        try {
            return folder.resolve(relative);
        } catch (InvalidPathException e) {
            throw refused(folder, relative, source, field, "not a valid path here");
        }
    }

    /**
     * Why the existing part of {@code p} (inside {@code base}) really lies outside {@code base} and
     * {@code alsoInside}, or null when it does not: the deepest existing path on the way is resolved
     * with {@link Path#toRealPath}; a symbolic link whose target is missing is refused too, since
     * writing through it would create a file wherever it points.
     */
    private static String linkProblem(Path base, Path p, List<Path> alsoInside) {
        try {
            if (!Files.exists(base)) {
                return null; // nothing exists yet, so nothing can lead outside
            }
            Path existing = p;
            while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
                existing = existing.getParent();
            }
            if (existing == null) {
                return null;
            }
            if (!Files.exists(existing)) {
                return "a symbolic link whose target does not exist";
            }
            Path real = existing.toRealPath();
            if (real.startsWith(base.toRealPath())) {
                return null;
            }
            for (Path other : alsoInside) {
                if (Files.isDirectory(other) && real.startsWith(other.toRealPath())) {
                    return null;
                }
            }
            return "a symbolic link that leads outside the folder";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve " + p + ": " + e.getMessage(), e);
        }
    }

    private static IllegalArgumentException refused(Path folder, String relative, Object source, String field, String why) {
        return new IllegalArgumentException(source + ": field '" + field + "': expected a file inside " + folder + ", got "
                + quoted(relative) + " (" + why + ")");
    }

    private static String quoted(String s) {
        return s == null ? "nothing" : "'" + s.replace("\n", "\\n").replace("\r", "\\r").replace("\0", "\\0") + "'";
    }
}
