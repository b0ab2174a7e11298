package saelab.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Crash-safe file output: content goes to a temporary file beside the target, is forced to disk,
 * and is then renamed over the target in one atomic step, so a reader sees either the old file
 * or the complete new one, never a half-written file under the final name.
 */
public final class AtomicFiles {

    private AtomicFiles() {}

    /** Writes the bytes a body produces on an output stream to {@code target}, atomically. */
    public interface StreamBody {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Produces a file at a given (temporary) path; used for libraries that only write to paths. */
    public interface PathBody {
        void writeTo(Path tempFile) throws IOException;
    }

    /** Writes {@code text} as UTF-8 to {@code target} atomically. */
    public static void writeString(Path target, String text) throws IOException {
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code bytes} to {@code target} atomically. */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Streams content into {@code target} atomically. */
    public static void write(Path target, StreamBody body) throws IOException {
        writeVia(target, temp -> {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(ch)) {
                body.writeTo(out);
                out.flush();
            }
        });
    }

    /**
     * Lets {@code body} write a file at a temporary path (same folder, same extension as the
     * target, so libraries that pick a format from the extension behave), then forces it to disk
     * and renames it to {@code target}. The temporary file is removed if the body fails.
     */
    public static void writeVia(Path target, PathBody body) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String name = target.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot > 0 ? name.substring(dot) : "";
        Path temp = dir.resolve("." + name + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ext);
        Files.createFile(temp);
        boolean done = false;
        try {
            body.writeTo(temp);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + target + " atomically: the file system of " + dir
                        + " does not support atomic renames", e);
            }
            forceDirectory(dir);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** Forces a directory entry change (a rename) to disk where the platform allows it. */
    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms (Windows) cannot open a directory for fsync; the rename itself is still atomic.
        }
    }
}
