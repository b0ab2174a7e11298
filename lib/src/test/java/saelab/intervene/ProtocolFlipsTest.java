package saelab.intervene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * {@link ProtocolFlips}: the transitions of a classification control run summed into one from → to matrix with the
 * class names of the file, and a bad file refused in one sentence naming the file, row and field.
 */
class ProtocolFlipsTest {

    @TempDir
    Path dir;

    @Test
    void sumsTheEditedClassesTransitionsIntoOneMatrix() throws Exception {
        Files.writeString(dir.resolve("transitions.csv"), """
                class,name,from,to,count
                0,blue,0,0,59
                0,blue,0,2,3
                0,blue,1,1,6
                1,green,1,0,2
                1,green,1,1,53
                1,green,3,3,5
                """);
        ProtocolFlips f = ProtocolFlips.read(dir);
        assertEquals(List.of(0, 1, 2, 3), f.ids());
        assertEquals(List.of("blue", "green", "class 2", "class 3"), f.names());
        assertArrayEquals(new long[] {59, 0, 3, 0}, f.counts()[0]);
        assertArrayEquals(new long[] {2, 59, 0, 0}, f.counts()[1]);
        assertEquals(5, f.flips());
        assertEquals(128, f.images());
        Table t = f.table("flips");
        assertEquals(List.of("from (clean top-1)", "to blue", "to green", "to class 2", "to class 3", "flipped"), t.columnNames());
        assertEquals(3, t.intColumn("flipped").get(0));
        assertEquals(2, t.intColumn("flipped").get(1));
        assertEquals(3, t.intColumn("to class 2").get(0));
    }

    @Test
    void aBadFileIsOneSentenceNamingTheFileRowAndField() throws Exception {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> ProtocolFlips.read(dir));
        assertEquals(dir + " has no transitions.csv; expected the folder of a control classify or zeroshot run (a segmentation run records"
                + " no transitions)", missing.getMessage());
        Path csv = dir.resolve("transitions.csv");
        Files.writeString(csv, "class,name,from,count\n0,blue,0,3\n");
        assertEquals(csv + " has no column 'to'; expected the columns class,name,from,to,count",
                assertThrows(IllegalArgumentException.class, () -> ProtocolFlips.read(dir)).getMessage());
        Files.writeString(csv, "class,name,from,to,count\n0,blue,0,0,3\n0,blue,x,0,1\n");
        assertEquals(csv + ": row 2, field 'from' is 'x'; expected a class id in 0..100000",
                assertThrows(IllegalArgumentException.class, () -> ProtocolFlips.read(dir)).getMessage());
        // a huge id would make the matrix unbounded
        Files.writeString(csv, "class,name,from,to,count\n0,blue,0,2000000000,3\n");
        assertEquals(csv + ": row 1, field 'to' is '2000000000'; expected a class id in 0..100000",
                assertThrows(IllegalArgumentException.class, () -> ProtocolFlips.read(dir)).getMessage());
        Files.writeString(csv, "class,name,from,to,count\n0,blue,0,0,-4\n");
        assertEquals(csv + ": row 1, field 'count' is '-4'; expected a non-negative integer count",
                assertThrows(IllegalArgumentException.class, () -> ProtocolFlips.read(dir)).getMessage());
        StringBuilder many = new StringBuilder("class,name,from,to,count\n");
        for (int i = 0; i <= ProtocolFlips.MAX_CLASSES; i++) {
            many.append("0,blue,").append(i).append(",0,1\n");
        }
        Files.writeString(csv, many);
        assertEquals(csv + " names more than 2048 classes; expected the transitions of one head",
                assertThrows(IllegalArgumentException.class, () -> ProtocolFlips.read(dir)).getMessage());
    }
}
