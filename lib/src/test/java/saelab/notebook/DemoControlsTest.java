package saelab.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The Wilson score interval of the toy VLM's accuracy table: the textbook formula at 95%, the edges included. */
class DemoControlsTest {

    /** Wilson (1927): (p + z²/2n ± z √(p(1-p)/n + z²/4n²)) / (1 + z²/n), z the 97.5% normal quantile. */
    private static String textbook(int n, int right) {
        double z = 1.959963984540054;
        double p = (double) right / n;
        double centre = (p + z * z / (2.0 * n)) / (1 + z * z / n);
        double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / (1 + z * z / n);
        return String.format(Locale.ROOT, "[%.3f, %.3f]", centre - half, centre + half);
    }

    @Test
    void theIntervalIsWilsonsScoreIntervalAt95Percent() {
        assertEquals("[0.237, 0.763]", DemoControls.wilson(10, 5));
        for (int[] c : new int[][] {{491, 314}, {480, 320}, {512, 12}, {20, 0}, {20, 20}, {1, 1}}) {
            assertEquals(textbook(c[0], c[1]), DemoControls.wilson(c[0], c[1]), c[0] + " / " + c[1]);
        }
        assertEquals("[0.000, 0.161]", DemoControls.wilson(20, 0));
    }
}
