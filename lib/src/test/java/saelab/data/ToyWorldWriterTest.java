package saelab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Json;

/** The written layouts open with the dataset readers; reruns are no-ops; a changed config rewrites. */
class ToyWorldWriterTest {

    @TempDir
    Path tmp;

    private static final int N = 60;

    @Test
    void writtenLayoutsOpenWithTheReaders() throws IOException {
        ToyWorld world = ToyWorld.withSeed(3);
        Path dir = tmp.resolve("toy");
        assertEquals(ToyWorldWriter.Outcome.WRITTEN, ToyWorldWriter.write(dir, world, N));

        TreeSet<String> expected = new TreeSet<>();
        for (int i = 0; i < N; i++) {
            expected.add(world.scene(i).className());
        }
        DatasetListing folder = Datasets.open("folder:" + dir.resolve("images"), null).list();
        assertEquals(N, folder.entries().size());
        assertEquals(List.copyOf(expected), folder.classes());
        for (DatasetListing.Entry e : folder.entries()) {
            int i = Integer.parseInt(e.path().substring(e.path().lastIndexOf('/') + 1, e.path().length() - 4));
            assertEquals(world.scene(i).className(), folder.classes().get(e.label()));
        }

        DatasetListing ade = Datasets.open("ade20k:" + dir, "train").list();
        assertEquals(N, ade.entries().size());
        assertEquals(Files.readAllLines(dir.resolve("ADEChallengeData2016/classes.txt")), ToyWorld.classNames());
        assertEquals(ToyWorld.classNames(), ade.classes(), "the ADE20K reader takes the names from classes.txt");
        DatasetListing.Entry e7 = ade.entries().get(7);
        assertTrue(e7.path().endsWith("toy_000007.png"), e7.path());
        ToyWorldScene s7 = world.scene(7);
        LabelMap map = LabelMap.read(dir.resolve(e7.annotation()));
        assertArrayEquals(s7.classMask(), map.values());
        // the PNG holds the exact pixels
        var img = javax.imageio.ImageIO.read(dir.resolve(e7.path()).toFile());
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                assertEquals(s7.pixel(x, y), img.getRGB(x, y) & 0xFFFFFF);
            }
        }

        List<String> lines = Files.readAllLines(dir.resolve("captions.jsonl"));
        assertEquals(N, lines.size());
        JsonNode r = Json.mapper().readTree(lines.get(7));
        assertEquals(7, r.get("index").asInt());
        assertEquals(s7.caption(), r.get("caption").asText());
        assertEquals(s7.objects().size(), r.get("labels").get("count").asInt());
        assertEquals(s7.objects().size(), r.get("objects").size());
        assertTrue(Files.isRegularFile(dir.resolve(r.get("file").asText())));
        JsonNode info = Json.mapper().readTree(dir.resolve("world.json").toFile());
        assertEquals(N, info.get("images").asInt());
        assertEquals(ToyWorldWriter.configHash(world, N), info.get("config_sha256").asText());
        assertEquals(3, info.get("config").get("seed").asLong());
    }

    @Test
    void rerunIsANoOpAndAChangedConfigRewrites() throws IOException {
        Path dir = tmp.resolve("toy");
        ToyWorldWriter.write(dir, ToyWorld.withSeed(1), 20);
        Path info = dir.resolve("world.json");
        FileTime before = FileTime.fromMillis(1000);
        Files.setLastModifiedTime(info, before);
        assertEquals(ToyWorldWriter.Outcome.UNCHANGED, ToyWorldWriter.write(dir, ToyWorld.withSeed(1), 20));
        assertEquals(before, Files.getLastModifiedTime(info));

        assertEquals(ToyWorldWriter.Outcome.WRITTEN, ToyWorldWriter.write(dir, ToyWorld.withSeed(2), 10));
        assertEquals(10, Files.readAllLines(dir.resolve("captions.jsonl")).size());
        assertEquals(10, Datasets.open("folder:" + dir.resolve("images"), null).list().entries().size());
        assertEquals(10, Datasets.open("ade20k:" + dir, null).list().entries().size());
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(dir), s.toList(), "no staging or old folders are left behind");
        }
    }

    @Test
    void refusesAForeignFolder() throws IOException {
        Path dir = tmp.resolve("mine");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("notes.txt"), "keep");
        var e = assertThrows(IllegalArgumentException.class, () -> ToyWorldWriter.write(dir, ToyWorld.withSeed(1), 5));
        assertTrue(e.getMessage().contains("world.json"), e.getMessage());
        assertTrue(Files.exists(dir.resolve("notes.txt")));
        assertThrows(IllegalArgumentException.class, () -> ToyWorldWriter.write(tmp.resolve("x"), ToyWorld.withSeed(1), 0));
        assertFalse(Files.exists(tmp.resolve("x")));
    }
}
