package saelab.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;

/** The layer an SAE checkpoint records, for each provenance a checkpoint can carry, and how a requested layer is checked. */
class RecordedLayerTest {

    @TempDir
    Path tmp;

    private Path sae(String name, Map<String, Object> provenance) throws IOException {
        SaeConfig cfg = SaeConfig.inference(SaeKind.RELU, 2, 3, 0, "raw");
        Path f = tmp.resolve(name + ".safetensors");
        SaeCheckpoint.write(f, cfg, new SaeCheckpoint.Arrays(new float[6], new float[3], new float[6], new float[2], null), provenance);
        return f;
    }

    @Test
    void readsEveryRecordedForm() throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path trained = sae("trained", Map.of("input", "cache /data/c, layer x (saelab-cache/1), layer 10, patches, seed 7"));
        RecordedLayer r = RecordedLayer.of(trained).orElseThrow();
        assertEquals(10, r.layer());
        assertEquals("provenance.input", r.field());
        assertEquals(4, RecordedLayer.of(sae("direct", Map.of("layer", 4))).orElseThrow().layer());
        assertEquals(6, RecordedLayer.of(sae("lens5", Map.of("source_config",
                json.readTree("{\"hook_layer\": 6, \"hook_name\": \"blocks.9.hook_resid_post\"}")))).orElseThrow().layer());
        RecordedLayer hook = RecordedLayer.of(sae("lens6", Map.of("source_config",
                json.readTree("{\"metadata\": {\"hook_name\": \"blocks.11.hook_resid_post\"}}")))).orElseThrow();
        assertEquals(11, hook.layer());
        assertEquals("provenance.source_config.metadata.hook_name", hook.field());
        assertEquals(3, RecordedLayer.of(sae("lens", Map.of("source_config",
                json.readTree("{\"hook_name\": \"blocks.3.hook_resid_post\"}")))).orElseThrow().layer());
        assertTrue(RecordedLayer.of(sae("matrix", Map.of("input", "matrix x.npy [100, 2]"))).isEmpty());
        assertTrue(RecordedLayer.of(sae("none", Map.of())).isEmpty());
    }

    @Test
    void resolveChecksTheRequestAgainstTheRecord() throws IOException {
        Path trained = sae("trained", Map.of("input", "cache /data/c (saelab-cache/1), layer 1, patches, seed 0"));
        assertEquals(1, RecordedLayer.resolve(trained, null, "--layer").layer());
        assertEquals("provenance.input", RecordedLayer.resolve(trained, 1, "--layer").field());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RecordedLayer.resolve(trained, 2, "--layer"));
        String m = e.getMessage();
        assertTrue(m.contains(trained.toString()) && m.contains("'provenance.input'") && m.contains("layer 1") && m.contains("--layer is 2"), m);
        Path none = sae("none", Map.of());
        assertEquals(new RecordedLayer(5, "--layer", "5"), RecordedLayer.resolve(none, 5, "--layer"));
        e = assertThrows(IllegalArgumentException.class, () -> RecordedLayer.resolve(none, null, "--layer"));
        assertTrue(e.getMessage().contains(none.toString()) && e.getMessage().contains("pass --layer"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RecordedLayer.resolve(none, -1, "--layer"));
    }
}
