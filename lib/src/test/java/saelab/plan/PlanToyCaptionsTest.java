package saelab.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.data.ToyWorldCaption;
import saelab.toy.ToyBackboneSpec;

/**
 * A toy model source's optional {@code captions} field: absent it is the default (and the spec's canonical JSON, the
 * content of every key made from it, is what it was before the field existed); {@code colour-shape} is read and written
 * into the JSON; an unknown value, or a caption kind on a backbone that reads no captions, is one sentence naming the
 * file and the field.
 */
class PlanToyCaptionsTest {

    @TempDir
    Path tmp;

    private Path plan(String kind, String extra) throws Exception {
        Path f = tmp.resolve("p.json");
        Files.writeString(f, """
                {"format": "saelab-plan/1", "name": "t", "sources": {"m": {"type": "model", "toy": {"kind": "%s", "width": 32,
                 "layers": 2, "heads": 4, "train_images": 64, "held_out_images": 16, "steps": 5, "batch": 16, "lr": 0.003,
                 "seed": 0%s}}}, "steps": []}""".formatted(kind, extra));
        return f;
    }

    private static ToyBackboneSpec spec(Plan p) {
        return ((PlanSource.ModelSource) p.sources().get("m")).toy();
    }

    @Test
    void absentCaptionsAreTheDefaultAndLeaveTheCanonicalJsonAsItWas() throws Exception {
        ToyBackboneSpec s = spec(PlanReader.read(plan("clip", ""), Map.of()));
        assertEquals(ToyWorldCaption.Attributes.DEFAULT, s.captions());
        assertEquals(java.util.List.of("kind", "width", "layers", "heads", "train_images", "held_out_images", "steps", "batch", "lr",
                "seed"), java.util.List.copyOf(s.toJson().keySet()));
        assertEquals(s, spec(PlanReader.read(plan("clip", ", \"captions\": \"colour-texture-shape\""), Map.of())));
        assertFalse(s.toJson().containsKey("captions"));
    }

    @Test
    void conceptCaptionsAreReadAndWritten() throws Exception {
        ToyBackboneSpec s = spec(PlanReader.read(plan("clip", ", \"captions\": \"colour-shape\""), Map.of()));
        assertEquals(ToyWorldCaption.Attributes.COLOUR_SHAPE, s.captions());
        assertEquals("colour-shape", s.toJson().get("captions"));
        assertEquals(s.withCaptions(ToyWorldCaption.Attributes.DEFAULT).toJson(), spec(PlanReader.read(plan("clip", ""), Map.of())).toJson());
    }

    @Test
    void aBadCaptionKindIsOneSentence() throws Exception {
        Path f = plan("clip", ", \"captions\": \"texture\"");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PlanReader.read(f, Map.of()));
        assertEquals("plan " + f + ": $.sources.m.toy.captions is 'texture'; expected colour-texture-shape (the default) or"
                + " colour-shape", e.getMessage());
        Path g = plan("clip", ", \"captions\": 3");
        e = assertThrows(IllegalArgumentException.class, () -> PlanReader.read(g, Map.of()));
        assertEquals("plan " + g + ": $.sources.m.toy.captions is number 3; expected a string", e.getMessage());
        Path h = plan("dinov2", ", \"captions\": \"colour-shape\"");
        e = assertThrows(IllegalArgumentException.class, () -> PlanReader.read(h, Map.of()));
        assertEquals("plan " + h + ": $.sources.m.toy is not valid: toy backbone spec: field 'captions' is 'colour-shape' for a"
                + " dinov2 backbone, which reads no captions; expected it only on a clip backbone", e.getMessage());
    }
}
