package saelab.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A read-only memory map of a whole file as a {@link MemorySegment}, so files over 2 GiB are
 * addressed with long offsets (a {@code MappedByteBuffer} stops at 2 GiB). The mapping lives until
 * {@link #close()}; it is shared, so several threads may read it at once.
 *
 * @param path    the mapped file
 * @param segment its bytes
 */
public record MappedFile(Path path, MemorySegment segment, Arena arena) implements AutoCloseable {

    /** Maps {@code path}; a missing file or one shorter than {@code expectedBytes} (when >= 0) is an error naming the file. */
    public static MappedFile open(Path path, long expectedBytes) throws IOException {
        if (Files.isDirectory(path)) { // mapping a folder fails with "No such device", naming no file
            throw new FileSystemException(path.toString(), null, "Is a directory");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (expectedBytes >= 0 && size != expectedBytes) {
                throw new IOException(path + ": expected " + expectedBytes + " bytes, found " + size
                        + (size < expectedBytes ? " (truncated)" : " (too long)"));
            }
            MemorySegment seg = size == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return new MappedFile(path, seg, arena);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new NoSuchFileException(path.toString(), null, "file is missing");
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Size of the file in bytes. */
    public long size() {
        return segment.byteSize();
    }

    @Override
    public void close() {
        arena.close();
    }
}
