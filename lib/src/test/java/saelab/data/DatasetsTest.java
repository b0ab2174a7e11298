package saelab.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code KIND[,OPTION=VALUE...]:PATH} specs. */
class DatasetsTest {

    @TempDir
    Path tmp;

    @Test
    void parsesKindOptionsAndPath() {
        Datasets.Spec s = Datasets.parse("inat2021,level=Genus:/data/inat:2021");
        assertEquals("inat2021", s.kind());
        assertEquals(Map.of("level", "Genus"), s.options());
        assertEquals(Path.of("/data/inat:2021"), s.path());
        assertEquals(Path.of("rel/x"), Datasets.parse("FOLDER:rel/x").path());
    }

    @Test
    void badSpecsNameWhatIsAccepted() {
        for (String[] c : new String[][] {
                {"/data/x", "KIND[,OPTION=VALUE...]:PATH"},
                {"imagenet:", "KIND[,OPTION=VALUE...]:PATH"},
                {"coco:/x", "unknown kind 'coco'"},
                {"imagenet,level=genus:/x", "option 'level=genus' is not one of [names]"},
                {"cub200,x=1:/x", "cub200 takes no options"},
                {"folder,labels:/x", "option 'labels' is not"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.parse(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void opensEachKindAndNamesMissingPaths() throws IOException {
        Path f = tmp.resolve("f");
        TestData.image(f.resolve("a/1.png"), 1);
        assertInstanceOf(ImageFolderDataset.class, Datasets.open("folder:" + f, null));
        assertEquals("none", Datasets.open("folder,labels=none:" + f, null).list().options().get("labels"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.open("folder,labels=maybe:" + f, null));
        assertTrue(e.getMessage().contains("auto, classes or none"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> Datasets.open("imagenet:" + tmp.resolve("absent"), "train"));
        assertTrue(e.getMessage().contains(tmp.resolve("absent") + ": folder not found"), e.getMessage());

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        for (String kind : new String[] {"imagenet", "inat2021", "ade20k", "cub200"}) {
            e = assertThrows(IllegalArgumentException.class, () -> Datasets.open(kind + ":" + empty, null), kind);
            assertTrue(e.getMessage().contains(empty.toString()), kind + " -> " + e.getMessage());
        }
        e = assertThrows(IllegalArgumentException.class, () -> Datasets.open("inat2021,level=tribe:" + empty, "val"));
        assertTrue(e.getMessage().contains("genus"), e.getMessage());
    }
}
