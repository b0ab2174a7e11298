package saelab.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    /** Names in {@code folder} that look like leftover temporary files of AtomicFiles. */
    private static List<String> hiddenFiles(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }

    @Test
    void writeStringStoresUtf8Text() throws IOException {
        Path target = dir.resolve("note.txt");
        AtomicFiles.writeString(target, "grüße, λ = 1\n");
        assertEquals("grüße, λ = 1\n", Files.readString(target, StandardCharsets.UTF_8));
        assertEquals(List.of(), hiddenFiles(dir));
    }

    @Test
    void writeBytesStoresExactBytes() throws IOException {
        byte[] bytes = {0, 1, 2, (byte) 0xFF, 42, 0};
        Path target = dir.resolve("blob.bin");
        AtomicFiles.writeBytes(target, bytes);
        assertArrayEquals(bytes, Files.readAllBytes(target));
    }

    @Test
    void writeBytesOfNothingGivesAnEmptyFile() throws IOException {
        Path target = dir.resolve("empty.dat");
        AtomicFiles.writeBytes(target, new byte[0]);
        assertTrue(Files.isRegularFile(target));
        assertEquals(0, Files.size(target));
    }

    @Test
    void createsMissingParentFolders() throws IOException {
        Path target = dir.resolve("a").resolve("b").resolve("c.txt");
        AtomicFiles.writeString(target, "deep");
        assertEquals("deep", Files.readString(target));
    }

    @Test
    void replacesAnExistingFileCompletely() throws IOException {
        Path target = dir.resolve("data.csv");
        AtomicFiles.writeString(target, "a much longer first version of the file\n");
        AtomicFiles.writeString(target, "short\n");
        assertEquals("short\n", Files.readString(target));
        assertEquals(List.of(), hiddenFiles(dir));
    }

    @Test
    void streamBodyOutputIsWritten() throws IOException {
        Path target = dir.resolve("stream.txt");
        AtomicFiles.write(target, out -> {
            out.write("one ".getBytes(StandardCharsets.US_ASCII));
            out.write("two".getBytes(StandardCharsets.US_ASCII));
        });
        assertEquals("one two", Files.readString(target));
    }

    @Test
    void failingStreamBodyKeepsTheOldFileAndCleansUp() throws IOException {
        Path target = dir.resolve("keep.txt");
        Files.writeString(target, "old content");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write("half of the new con".getBytes(StandardCharsets.US_ASCII));
            throw new IOException("disk on fire");
        }));
        assertEquals("disk on fire", e.getMessage());
        assertEquals("old content", Files.readString(target));
        assertEquals(List.of(), hiddenFiles(dir));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "only the target should remain");
        }
    }

    @Test
    void failingPathBodyWithUncheckedExceptionKeepsTheOldFileAndCleansUp() throws IOException {
        Path target = dir.resolve("keep.png");
        Files.writeString(target, "old image");
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.writeVia(target, temp -> {
            Files.writeString(temp, "partial");
            throw new UncheckedIOException(new IOException("encoder crashed"));
        }));
        assertEquals("old image", Files.readString(target));
        assertEquals(List.of(), hiddenFiles(dir));
    }

    @Test
    void failingBodyWithoutAnOldFileLeavesNothing() throws IOException {
        Path target = dir.resolve("new.txt");
        assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            throw new IOException("nope");
        }));
        assertFalse(Files.exists(target));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void writeViaHandsTheBodyAHiddenTempFileWithTheTargetsExtension() throws IOException {
        Path target = dir.resolve("figure.png");
        List<Path> seen = new ArrayList<>();
        AtomicFiles.writeVia(target, temp -> {
            seen.add(temp);
            assertTrue(Files.exists(temp), "the temp file should already exist for the body");
            Files.writeString(temp, "pixels");
        });
        assertEquals(1, seen.size());
        Path temp = seen.get(0);
        String name = temp.getFileName().toString();
        assertTrue(name.startsWith("."), name);
        assertTrue(name.endsWith(".png"), name);
        assertTrue(name.contains("figure.png"), name);
        assertEquals(dir.toAbsolutePath(), temp.toAbsolutePath().getParent());
        assertFalse(Files.exists(temp), "the temp file is renamed away");
        assertEquals("pixels", Files.readString(target));
    }

    @Test
    void writeViaTempOfAnExtensionlessTargetHasNoExtraSuffix() throws IOException {
        Path target = dir.resolve("Makefile");
        List<Path> seen = new ArrayList<>();
        AtomicFiles.writeVia(target, temp -> {
            seen.add(temp);
            Files.writeString(temp, "all:");
        });
        String name = seen.get(0).getFileName().toString();
        assertTrue(name.startsWith(".Makefile.tmp-"), name);
        assertFalse(name.substring(".Makefile.tmp-".length()).contains("."), name);
        assertEquals("all:", Files.readString(target));
    }

    @Test
    void twoTempNamesForTheSameTargetDiffer() throws IOException {
        Path target = dir.resolve("x.csv");
        List<Path> seen = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            AtomicFiles.writeVia(target, temp -> {
                seen.add(temp);
                Files.writeString(temp, "v");
            });
        }
        assertFalse(seen.get(0).equals(seen.get(1)));
    }
}
