package saelab.lm.moondream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** moondream2 config.json: the fixture's sizes, the reference defaults, and one sentence per violated constraint. */
class MoondreamConfigTest {

    @TempDir
    Path tmp;

    @Test
    void theFixtureConfigReads() throws IOException {
        MoondreamConfig c = MoondreamConfig.read(MoondreamFixture.dir().resolve("config.json"));
        assertEquals(new MoondreamVisionConfig(12, 2, 27, 24, 2, 64, 54, 3, 4, 4, 64), c.vision());
        assertEquals(new MoondreamTextConfig(64, 128, 2, 128, 2048, 1, 1, 730, null), c.text());
        assertEquals(27, c.vision().gridSide());
        assertEquals(38, c.vision().cropWindowPixels());
        assertEquals(8, c.vision().marginPixels());
    }

    @Test
    void absentFieldsTakeTheReferenceDefaults() throws IOException {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, "{}");
        MoondreamConfig c = MoondreamConfig.read(f);
        assertEquals(MoondreamVisionConfig.DEFAULTS, c.vision());
        assertEquals(MoondreamTextConfig.DEFAULTS, c.text());
        assertNull(c.text().groupSize());
    }

    /** The fixture config with {@code section.field} set to {@code value} (JSON text). */
    private Path withField(String section, String field, String value) throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = (ObjectNode) om.readTree(MoondreamFixture.dir().resolve("config.json").toFile());
        ((ObjectNode) root.get(section)).set(field, om.readTree(value));
        Path f = tmp.resolve("config.json");
        Files.writeString(f, om.writeValueAsString(root));
        return f;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "vision|crop_size|56|27x27 patch grid",
            "vision|enc_patch_size|3|27x27 patch grid",
            "vision|enc_n_layers|2|the crop grid side",
            "vision|enc_dim|13|multiple of enc_n_heads",
            "vision|enc_n_heads|0|positive integer",
            "vision|in_channels|4|RGB",
            "vision|overlap_margin|14|keeps a window",
            "vision|overlap_margin|-1|keeps a window",
            "vision|proj_out_dim|32|text.dim",
            "vision|max_crops|0|positive integer",
            "vision|enc_dim|\"12\"|an integer",
            "vision|enc_layers|27|not a moondream vision config field",
            "text|n_heads|2|heads of width 64",
            "text|n_kv_heads|3|divisor of n_heads",
            "text|max_context|4096|2048",
            "text|group_size|128|int4",
            "text|n_layer|2|not a moondream text config field"})
    void aConfigTheReferenceCannotRunIsOneSentence(String section, String field, String value, String expected) throws IOException {
        Path f = withField(section, field, value);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MoondreamConfig.read(f));
        String m = e.getMessage();
        assertTrue(m.startsWith(f.toString() + ": field '" + section + "."), m);
        assertTrue(m.contains(expected), m);
        assertEquals(1, m.split("\\. ").length, "one sentence: " + m);
    }

    @Test
    void aSectionThatIsNotAnObjectIsNamed() throws IOException {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, "{\"vision\": [1, 2]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MoondreamConfig.read(f));
        assertTrue(e.getMessage().contains("field 'vision' is [1,2]; expected an object"), e.getMessage());
    }
}
