package saelab.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MappedFileTest {

    @TempDir
    Path dir;

    @Test
    void mapsTheWholeFile() throws IOException {
        Path f = dir.resolve("data.bin");
        byte[] bytes = new byte[1000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 7);
        }
        Files.write(f, bytes);
        try (MappedFile m = MappedFile.open(f, 1000)) {
            assertEquals(1000, m.size());
            assertEquals(f, m.path());
            for (int i = 0; i < bytes.length; i++) {
                assertEquals(bytes[i], m.segment().get(ValueLayout.JAVA_BYTE, i));
            }
        }
        // -1: any size
        try (MappedFile m = MappedFile.open(f, -1)) {
            assertEquals(1000, m.size());
        }
    }

    @Test
    void emptyFileMapsToAnEmptySegment() throws IOException {
        Path f = Files.createFile(dir.resolve("empty.bin"));
        try (MappedFile m = MappedFile.open(f, 0)) {
            assertEquals(0, m.size());
        }
    }

    @Test
    void missingFileIsAnErrorNamingIt() {
        Path f = dir.resolve("shard-000004.bin");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> MappedFile.open(f, 10));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void wrongSizeIsAnErrorNamingTheFileAndBothSizes() throws IOException {
        Path f = dir.resolve("shard-000002.bin");
        Files.write(f, new byte[90]);
        IOException shorter = assertThrows(IOException.class, () -> MappedFile.open(f, 100));
        assertTrue(shorter.getMessage().contains(f.toString()), shorter.getMessage());
        assertTrue(shorter.getMessage().contains("100") && shorter.getMessage().contains("90"), shorter.getMessage());
        assertTrue(shorter.getMessage().contains("truncated"), shorter.getMessage());

        IOException longer = assertThrows(IOException.class, () -> MappedFile.open(f, 80));
        assertTrue(longer.getMessage().contains(f.toString()), longer.getMessage());
        assertTrue(longer.getMessage().contains("too long"), longer.getMessage());
    }
}
