package saelab.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixed toy-world criteria read per-class.csv as the protocol writes it and fail when any rule is broken. */
class ToyControlCriteriaTest {

    @TempDir
    Path tmp;

    private static final String HEADER = "class,name,latent,condition,draws,target_rate,off_target_rate,real_minus_control,"
            + "real_minus_control_lower,real_minus_control_upper\n";

    /** Six colours: real target rate, random target rates, real off-target rate and the two lower bounds of each. */
    private Path folder(String name, double real, double random, double off, double[] lowerLatent, double[] lowerDirection) throws Exception {
        StringBuilder b = new StringBuilder(HEADER);
        List<String> colours = List.of("red", "green", "blue", "yellow", "purple", "orange");
        for (int c = 0; c < colours.size(); c++) {
            String n = colours.get(c);
            b.append(c + 1).append(',').append(n).append(",7,real,1,").append(real).append(',').append(off).append(",,,\n");
            b.append(c + 1).append(',').append(n).append(",9,random-latent,3,").append(random).append(",0.01,0.3,")
                    .append(Double.isNaN(lowerLatent[c]) ? "" : String.valueOf(lowerLatent[c])).append(",0.5\n");
            b.append(c + 1).append(',').append(n).append(",,random-direction,3,").append(random).append(",0.01,0.3,").append(lowerDirection[c])
                    .append(",0.5\n");
            b.append(c + 1).append(',').append(n).append(",,class-mean,1,0.9,0.2,-0.1,-0.2,0.1\n");
        }
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("per-class.csv"), b.toString());
        return dir;
    }

    private static double[] all(double v) {
        return new double[] {v, v, v, v, v, v};
    }

    @Test
    void aClearEffectPassesEveryCriterion() throws Exception {
        ToyControlCriteria.Outcome o = ToyControlCriteria.evaluate(folder("pass", 0.6, 0.1, 0.02, all(0.2), all(0.2)));
        assertTrue(o.passed(), o.describe());
        assertEquals(6, o.colours().size());
        assertTrue(o.describe().contains("6 of 6"), o.describe());
    }

    @Test
    void eachRuleFailsOnItsOwn() throws Exception {
        // two colours whose interval against the random latent reaches 0 (one undefined): 4 of 6 still pass (need 4)
        double[] two = {0.2, 0.2, 0.2, 0.2, -0.01, Double.NaN};
        assertTrue(ToyControlCriteria.evaluate(folder("four", 0.6, 0.1, 0.02, two, all(0.2))).passed());
        double[] three = {0.2, 0.2, 0.2, -0.1, -0.01, Double.NaN};
        ToyControlCriteria.Outcome fewer = ToyControlCriteria.evaluate(folder("three", 0.6, 0.1, 0.02, three, all(0.2)));
        assertFalse(fewer.passed());
        assertFalse(fewer.criteria().get(0).passed(), fewer.describe());
        assertTrue(fewer.criteria().get(1).passed() && fewer.criteria().get(2).passed(), fewer.describe());

        ToyControlCriteria.Outcome weak = ToyControlCriteria.evaluate(folder("weak", 0.29, 0.1, 0.02, all(0.2), all(0.2)));
        assertFalse(weak.criteria().get(1).passed(), weak.describe()); // 0.29 < 3 x 0.1
        assertTrue(weak.criteria().get(0).passed() && weak.criteria().get(2).passed());

        ToyControlCriteria.Outcome broad = ToyControlCriteria.evaluate(folder("broad", 0.6, 0.1, 0.06, all(0.2), all(0.2)));
        assertFalse(broad.criteria().get(2).passed(), broad.describe());
        assertTrue(broad.criteria().get(0).passed() && broad.criteria().get(1).passed());
    }

    @Test
    void undefinedRatesAreLeftOutOfTheMeansNotReadAsNumbers() throws Exception {
        Path dir = folder("undefined", 0.6, 0.1, 0.02, all(0.2), all(0.2));
        String csv = Files.readString(dir.resolve("per-class.csv"));
        // red covers every patch of its images (no off-target rate); orange is in no image (no target rate)
        csv = csv.replace("1,red,7,real,1,0.6,0.02,", "1,red,7,real,1,0.6,,").replace("6,orange,7,real,1,0.6,0.02,", "6,orange,7,real,1,,,");
        Files.writeString(dir.resolve("per-class.csv"), csv);
        ToyControlCriteria.Outcome o = ToyControlCriteria.evaluate(dir);
        assertEquals(5, o.colours().size(), o.describe());
        assertTrue(o.passed(), o.describe());
        assertTrue(o.describe().contains("5 of 5") && o.describe().contains("measured 0.0200"), o.describe());
    }

    @Test
    void aFolderWithoutTheTableOrTheControlsIsOneSentence() throws Exception {
        assertEquals(tmp + " has no per-class.csv; expected the folder of a control segment run",
                assertThrows(IllegalArgumentException.class, () -> ToyControlCriteria.evaluate(tmp)).getMessage());
        Path dir = tmp.resolve("no-controls");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("per-class.csv"), HEADER + "1,red,7,real,1,0.5,0.01,,,\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ToyControlCriteria.evaluate(dir)).getMessage()
                .endsWith("lacks the real, random-latent or random-direction rows of class 'red'; the criteria need both random controls"));
    }
}
