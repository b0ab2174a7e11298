package saelab.cli;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Turns the exceptions a user can cause (bad paths, unreadable or unwritable files, a full disk, sizes
 * that overflow, values that do not parse, bad input files) into one sentence for
 * {@code saelab <command>: error: <sentence>}; everything else is a bug. The sentences name the file,
 * and for sizes the options the user gave, since the JDK's exceptions name neither plainly.
 */
final class ErrorSentences {

    private ErrorSentences() {}

    /**
     * The sentence for {@code ex}, or null when it is not a user mistake but a bug (a null pointer, an index
     * out of range, an exception without a message, ...).
     *
     * @param parsed the parsed command line, used to name the options behind an overflow or a division by zero
     */
    static String sentence(Throwable ex, CommandLine.ParseResult parsed) {
        String s = translate(ex, parsed);
        return s == null ? null : oneLine(s);
    }

    private static String translate(Throwable ex, CommandLine.ParseResult parsed) {
        if (ex instanceof UncheckedIOException u && u.getCause() != null) {
            String inner = translate(u.getCause(), parsed);
            return inner != null ? inner : u.getMessage();
        }
        if (ex instanceof FileSystemException f) {
            return fileSystem(f);
        }
        if (ex instanceof EOFException) {
            return ex.getMessage() == null ? "a file ended before its declared size (truncated?)" : ex.getMessage();
        }
        if (ex instanceof IOException io) {
            return io.getMessage() == null ? null : plainIo(io.getMessage());
        }
        if (ex instanceof InvalidPathException p) {
            return "'" + p.getInput() + "' is not a valid path: " + p.getReason();
        }
        if (ex instanceof ArithmeticException a) {
            return arithmetic(a, parsed);
        }
        if (ex instanceof NumberFormatException n) {
            return numberFormat(n, parsed);
        }
        if (ex instanceof IllegalArgumentException || ex instanceof IllegalStateException) {
            return ex.getMessage();
        }
        return null;
    }

    /** The java.nio exceptions: each names the file, the reason is the operating system's. */
    private static String fileSystem(FileSystemException f) {
        String file = f.getFile();
        String other = f.getOtherFile() == null ? "" : " (and " + f.getOtherFile() + ")";
        if (file == null) {
            return f.getReason() == null ? null : plainIo(f.getReason());
        }
        if (f instanceof NoSuchFileException) {
            return file + " does not exist" + other + missingParent(file);
        }
        if (f instanceof NotDirectoryException) {
            return file + " is a file, not a folder; expected a folder";
        }
        if (f instanceof DirectoryNotEmptyException) {
            return file + " is a folder that is not empty";
        }
        if (f instanceof FileAlreadyExistsException) {
            // Files.createDirectories reports a file in the way of a folder to create like this
            return Files.isRegularFile(Path.of(file)) && f.getOtherFile() == null
                    ? "cannot create a folder at or under " + file + ": it is a file, not a folder"
                    : file + " already exists" + other;
        }
        if (f instanceof AccessDeniedException) {
            Path p = Path.of(file);
            return Files.exists(p) && !Files.isReadable(p)
                    ? "cannot read " + file + ": permission denied"
                    : "cannot write " + file + ": permission denied (the file or its folder is read-only)";
        }
        String reason = f.getReason() == null ? "" : f.getReason().toLowerCase(Locale.ROOT);
        if (reason.contains("is a directory")) {
            return file + " is a folder; expected a file";
        }
        if (reason.contains("not a directory")) {
            Path blocker = fileAncestor(Path.of(file));
            return "cannot use " + file + ": " + (blocker != null ? blocker + " is a file, not a folder" : "a part of the path is a file, not a folder");
        }
        if (reason.contains("no space left")) {
            return "cannot write " + file + ": the disk is full (no space left on device)";
        }
        if (reason.contains("read-only file system")) {
            return "cannot write " + file + ": the file system is read-only";
        }
        return file + other + ": " + (f.getReason() == null ? f.getClass().getSimpleName() : f.getReason());
    }

    /** Messages of plain IOExceptions that name no file: spelled out where the operating system's words are terse. */
    private static String plainIo(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        if (m.contains("no space left")) {
            return "cannot write: the disk is full (" + message + ")";
        }
        return message;
    }

    /** When a missing path's folder is missing too, say which one (a typo in a folder name). */
    private static String missingParent(String file) {
        try {
            Path p = Path.of(file).toAbsolutePath().getParent();
            Path lowest = null;
            while (p != null && !Files.exists(p)) {
                lowest = p;
                p = p.getParent();
            }
            return lowest == null ? "" : " (its folder " + lowest + " does not exist either)";
        } catch (InvalidPathException e) {
            return "";
        }
    }

    /** The nearest ancestor of {@code path} that is a regular file, or null. */
    private static Path fileAncestor(Path path) {
        for (Path p = path.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static String arithmetic(ArithmeticException a, CommandLine.ParseResult parsed) {
        String m = a.getMessage() == null ? "" : a.getMessage();
        List<String> given = numericOptions(parsed, false);
        if (m.contains("by zero")) {
            List<String> zeros = numericOptions(parsed, true);
            return "a size is zero where it divides (" + m + ")" + (zeros.isEmpty() ? "" : "; given " + String.join(", ", zeros))
                    + "; expected sizes above 0";
        }
        return "the sizes overflow (" + (m.isEmpty() ? "arithmetic overflow" : m) + ")"
                + (given.isEmpty() ? "" : "; given " + String.join(", ", given)) + "; use smaller sizes";
    }

    private static String numberFormat(NumberFormatException n, CommandLine.ParseResult parsed) {
        String m = n.getMessage() == null ? "" : n.getMessage();
        int q = m.indexOf('"');
        String bad = q >= 0 && m.lastIndexOf('"') > q ? m.substring(q + 1, m.lastIndexOf('"')) : null;
        if (bad != null && parsed != null) {
            for (OptionSpec o : innermost(parsed).matchedOptions()) {
                for (String v : o.stringValues()) {
                    if (v.contains(bad)) {
                        return o.longestName() + " " + v + ": '" + bad + "' is not a number";
                    }
                }
            }
        }
        return bad != null ? "'" + bad + "' is not a number" : "expected a number (" + m + ")";
    }

    /** The options of the subcommand that ran with numeric values, as {@code --name value}; only zeros if asked. */
    private static List<String> numericOptions(CommandLine.ParseResult parsed, boolean zerosOnly) {
        List<String> out = new ArrayList<>();
        if (parsed == null) {
            return out;
        }
        for (ArgSpec a : innermost(parsed).matchedArgs()) {
            if (!(a instanceof OptionSpec o) || !(a.getValue() instanceof Number n)) {
                continue;
            }
            if (!zerosOnly || n.doubleValue() == 0) {
                out.add(o.longestName() + " " + n);
            }
        }
        return out;
    }

    private static CommandLine.ParseResult innermost(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult p = parsed;
        while (p.hasSubcommand()) {
            p = p.subcommand();
        }
        return p;
    }

    /** Messages of several lines (lists of problems, JSON parser locations) as one line. */
    static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
