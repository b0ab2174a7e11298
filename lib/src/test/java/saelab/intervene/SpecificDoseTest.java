package saelab.intervene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SpecificDose}: the dose where the real edit beats the stronger random control by most (the class-mean control
 * does not count), ties to the smaller magnitude, and a bad file refused in one sentence.
 */
class SpecificDoseTest {

    @TempDir
    Path dir;

    private static final String HEADER = "condition,dose,target_rate,target_lower,target_upper,off_target_rate,off_target_lower,off_target_upper\n";

    @Test
    void picksTheDoseWithTheLargestMarginOverTheStrongerRandomControl() throws Exception {
        // margins: -5: 0.90 - 0.59 = 0.31; -2: 0.72 - 0.36 = 0.36; 0: 0.10 - 0.08 = 0.02; 5: 0.21 - 0.53 < 0
        Files.writeString(dir.resolve("dose-response-macro.csv"), HEADER + """
                real,-5.0,0.90,,,,,
                real,-2.0,0.72,,,,,
                real,0.0,0.10,,,,,
                real,5.0,0.21,,,,,
                random-latent,-5.0,0.57,,,,,
                random-latent,-2.0,0.27,,,,,
                random-latent,0.0,0.004,,,,,
                random-latent,5.0,0.53,,,,,
                random-direction,-5.0,0.59,,,,,
                random-direction,-2.0,0.36,,,,,
                random-direction,0.0,0.08,,,,,
                random-direction,5.0,0.50,,,,,
                class-mean,-2.0,0.0,,,,,
                class-mean,-5.0,0.0,,,,,
                """);
        SpecificDose d = SpecificDose.of(dir);
        assertEquals(-2.0, d.dose());
        assertEquals(0.72, d.realRate());
        assertEquals(0.36, d.margin(), 1e-12);
    }

    @Test
    void tiesGoToTheSmallerMagnitudeThenTheNegativeDose() throws Exception {
        Files.writeString(dir.resolve("dose-response-macro.csv"), HEADER + """
                real,2.0,0.5,,,,,
                random-latent,2.0,0.25,,,,,
                random-direction,2.0,0.25,,,,,
                real,-1.0,0.5,,,,,
                random-latent,-1.0,0.25,,,,,
                random-direction,-1.0,0.25,,,,,
                real,1.0,0.5,,,,,
                random-latent,1.0,0.25,,,,,
                random-direction,1.0,0.25,,,,,
                """);
        assertEquals(-1.0, SpecificDose.of(dir).dose());
    }

    @Test
    void aBadFileIsOneSentence() throws Exception {
        assertEquals(dir + " has no dose-response-macro.csv; the control run ran without doses",
                assertThrows(IllegalArgumentException.class, () -> SpecificDose.of(dir)).getMessage());
        Path csv = dir.resolve("dose-response-macro.csv");
        Files.writeString(csv, "condition,dose\nreal,1\n");
        assertEquals(csv + " has no column 'target_rate'; expected the dose-response-macro.csv of saelab control",
                assertThrows(IllegalArgumentException.class, () -> SpecificDose.of(dir)).getMessage());
        Files.writeString(csv, HEADER + "real,minus two,0.5,,,,,\n");
        assertEquals(csv + ": row 1, field 'dose' is 'minus two'; expected a finite number",
                assertThrows(IllegalArgumentException.class, () -> SpecificDose.of(dir)).getMessage());
        Files.writeString(csv, HEADER + "real,1,0.5,,,,,\nrandom-latent,1,0.2,,,,,\n");
        assertEquals(csv + " has no dose with rows for real, random-latent and random-direction; the rule compares the real edit with"
                + " both random controls", assertThrows(IllegalArgumentException.class, () -> SpecificDose.of(dir)).getMessage());
    }
}
