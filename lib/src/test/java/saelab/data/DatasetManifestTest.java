package saelab.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static saelab.data.TestData.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Sha256;

/** Manifest files (round trip, validation), checksums and slices. */
class DatasetManifestTest {

    @TempDir
    Path tmp;

    private Path folder() {
        Path root = tmp.resolve("ds");
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 4; i++) {
                image(root.resolve("class" + c + "/img" + i + ".png"), c * 10 + i);
            }
        }
        return root;
    }

    private static DatasetManifest build(Path root, ManifestOptions o) throws IOException {
        return ImageFolderDataset.open(root, null, ImageFolderDataset.Labels.AUTO).manifest(o);
    }

    @Test
    void roundTripsAsJsonAndGzip() throws IOException {
        DatasetManifest m = build(folder(), ManifestOptions.DEFAULT.withSha256(true));
        for (String name : List.of("m.json", "m.json.gz")) {
            Path f = tmp.resolve(name);
            DatasetManifestFiles.write(f, m);
            assertEquals(m, DatasetManifestFiles.read(f), name);
        }
        byte[] gz = Files.readAllBytes(tmp.resolve("m.json.gz"));
        assertEquals(0x1f, gz[0] & 0xff);
        String json = Files.readString(tmp.resolve("m.json"));
        assertTrue(json.contains("\"format\" : \"saelab-dataset/1\""), json);
        // one compact example per line; no null fields written
        assertTrue(json.lines().anyMatch(l -> l.startsWith("{\"path\":\"class0/img0.png\",\"bytes\":")), json);
        assertTrue(!json.contains("\"annotation\""), json);
        assertTrue(json.contains("\"class_ids\""), json);
        // no temporary file left behind
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().contains(".tmp-")).toList());
        }
    }

    @Test
    void checksumIsStableAndChangesWhenAFileChanges() throws IOException {
        Path root = folder();
        DatasetManifest a = build(root, ManifestOptions.DEFAULT);
        DatasetManifest b = build(root, ManifestOptions.DEFAULT.withThreads(1));
        assertEquals(a.checksum(), b.checksum());
        assertEquals(a.examples(), b.examples());
        // per-file checksums do not enter the list checksum
        DatasetManifest withSha = build(root, ManifestOptions.DEFAULT.withSha256(true));
        assertEquals(a.checksum(), withSha.checksum());
        assertEquals(Sha256.of(root.resolve("class1/img2.png")), withSha.example(6).sha256());
        assertNull(a.example(6).sha256());
        // a touched file (same bytes) keeps the checksum
        Files.setLastModifiedTime(root.resolve("class1/img2.png"), FileTime.fromMillis(0));
        assertEquals(a.checksum(), build(root, ManifestOptions.DEFAULT).checksum());
        // a file of another size, an added file, a removed file: each changes it
        Files.write(root.resolve("class1/img2.png"), new byte[] {1, 2, 3});
        String changed = build(root, ManifestOptions.DEFAULT).checksum();
        assertNotEquals(a.checksum(), changed);
        image(root.resolve("class2/img9.png"), 99);
        String added = build(root, ManifestOptions.DEFAULT).checksum();
        assertNotEquals(changed, added);
        Files.delete(root.resolve("class0/img0.png"));
        assertNotEquals(added, build(root, ManifestOptions.DEFAULT).checksum());
    }

    @Test
    void checksumFollowsTheDocumentedRule() {
        List<DatasetManifest.Example> ex = List.of(new DatasetManifest.Example("a/b.png", 12, 3),
                new DatasetManifest.Example("c.jpg", 0, -1, null, new DatasetManifest.FileRef("c.png", 7, null)));
        String text = "a/b.png\t12\t3\nc.jpg\t0\t-1\tc.png\t7\n";
        assertEquals(Sha256.of(text.getBytes(StandardCharsets.UTF_8)), DatasetManifest.checksum(ex));
        // a relabelled or reordered list differs
        assertNotEquals(DatasetManifest.checksum(ex), DatasetManifest.checksum(List.of(ex.get(1), ex.get(0))));
        assertNotEquals(DatasetManifest.checksum(ex), DatasetManifest.checksum(List.of(
                new DatasetManifest.Example("a/b.png", 12, 4), ex.get(1))));
    }

    @Test
    void slicesCoverTheListExactlyOnceWithSizesWithinOne() throws IOException {
        DatasetManifest full = build(folder(), ManifestOptions.DEFAULT);
        for (int n = 1; n <= 15; n++) {
            List<DatasetManifest.Example> joined = new ArrayList<>();
            int min = Integer.MAX_VALUE;
            int max = 0;
            for (int i = 0; i < n; i++) {
                DatasetManifest s = full.slice(i, n);
                s.validate();
                assertEquals(joined.size(), s.slice().first(), "part " + i + " of " + n + " starts where the last ended");
                assertEquals(full.checksum(), s.slice().fullChecksum());
                assertEquals(12, s.slice().total());
                assertEquals(DatasetManifest.checksum(s.examples()), s.checksum());
                for (int k = 0; k < s.size(); k++) {
                    assertEquals(joined.size() + k, s.datasetIndex(k));
                }
                joined.addAll(s.examples());
                min = Math.min(min, s.size());
                max = Math.max(max, s.size());
            }
            assertEquals(full.examples(), joined, "parts of " + n);
            assertTrue(max - min <= 1, "sizes of " + n + " parts: " + min + ".." + max);
        }
        assertEquals(full.checksum(), full.slice(0, 1).checksum());
        // the documented rule, on a list too large to build
        assertEquals(List.of(427_055L, 854_111L), List.of(DatasetManifest.sliceRange(1_281_167, 1, 3)[0],
                DatasetManifest.sliceRange(1_281_167, 1, 3)[1]));
        assertThrows(IllegalArgumentException.class, () -> full.slice(3, 3));
        assertThrows(IllegalArgumentException.class, () -> full.slice(-1, 3));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> full.slice(0, 2).slice(0, 2));
        assertTrue(twice.getMessage().contains("already part 0 of 2"), twice.getMessage());
    }

    @Test
    void sliceRoundTripsAndKeepsItsPosition() throws IOException {
        DatasetManifest s = build(folder(), ManifestOptions.DEFAULT).slice(2, 5);
        Path f = tmp.resolve("part.json");
        DatasetManifestFiles.write(f, s);
        DatasetManifest back = DatasetManifestFiles.read(f);
        assertEquals(s, back);
        assertEquals(new DatasetManifest.Slice(2, 5, 4, 12, back.slice().fullChecksum()), back.slice());
        assertEquals(4, back.datasetIndex(0));
    }

    @Test
    void editedOrBrokenFilesAreRejectedNamingTheFileAndField() throws IOException {
        DatasetManifest m = build(folder(), ManifestOptions.DEFAULT);
        Path f = tmp.resolve("m.json");
        DatasetManifestFiles.write(f, m);
        String json = Files.readString(f);

        Path relabelled = tmp.resolve("relabelled.json");
        Files.writeString(relabelled, json.replaceFirst("\"label\":0", "\"label\":1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetManifestFiles.read(relabelled));
        assertTrue(e.getMessage().contains(relabelled.toString()) && e.getMessage().contains("'checksum'"), e.getMessage());

        Path badLabel = tmp.resolve("bad-label.json");
        Files.writeString(badLabel, json.replaceFirst("\"label\":0", "\"label\":7"));
        e = assertThrows(IllegalArgumentException.class, () -> DatasetManifestFiles.read(badLabel));
        assertTrue(e.getMessage().contains("'examples[0].label'") && e.getMessage().contains("below 3"), e.getMessage());

        Path truncated = tmp.resolve("truncated.json");
        Files.writeString(truncated, json.substring(0, json.length() / 2));
        e = assertThrows(IllegalArgumentException.class, () -> DatasetManifestFiles.read(truncated));
        assertTrue(e.getMessage().contains(truncated.toString()) && e.getMessage().contains("line"), e.getMessage());

        Path unknown = tmp.resolve("unknown.json");
        Files.writeString(unknown, json.replaceFirst("\"kind\"", "\"colour\" : 1,\n  \"kind\""));
        e = assertThrows(IllegalArgumentException.class, () -> DatasetManifestFiles.read(unknown));
        assertTrue(e.getMessage().contains("colour"), e.getMessage());

        Path escaping = tmp.resolve("escaping.json");
        DatasetManifest bad = m.withExamples(List.of(new DatasetManifest.Example("../x.png", 1, 0)));
        e = assertThrows(IllegalArgumentException.class, () -> DatasetManifestFiles.write(escaping, bad));
        assertTrue(e.getMessage().contains("'examples[0].path'"), e.getMessage());
        assertTrue(!Files.exists(escaping));

        assertThrows(NoSuchFileException.class, () -> DatasetManifestFiles.read(tmp.resolve("absent.json")));
    }
}
