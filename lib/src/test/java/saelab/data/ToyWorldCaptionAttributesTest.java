package saelab.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The caption option ({@link ToyWorldCaption.Attributes}): by default a caption names colour, texture and shape, exactly
 * as the world's scenes carry it; {@code colour-shape} leaves the texture (the toy world's style) out and groups objects
 * that differ only in texture; an unknown kind is one sentence.
 */
class ToyWorldCaptionAttributesTest {

    private static ToyWorldObject obj(ToyWorldShape s, ToyWorldColour c, ToyWorldTexture t) {
        return new ToyWorldObject(s, c, t, ToyWorldSize.MEDIUM, 32, 32, 9, 1, 0, 0, 0, 0);
    }

    private final ToyWorldObject redStripedCircle = obj(ToyWorldShape.CIRCLE, ToyWorldColour.RED, ToyWorldTexture.STRIPED);
    private final ToyWorldObject redPlainCircle = obj(ToyWorldShape.CIRCLE, ToyWorldColour.RED, ToyWorldTexture.PLAIN);
    private final ToyWorldObject greenDottedRing = obj(ToyWorldShape.RING, ToyWorldColour.GREEN, ToyWorldTexture.DOTTED);

    @Test
    void conceptCaptionsLeaveTheTextureOutAndGroupAcrossTextures() {
        ToyWorldCaption.Attributes concept = ToyWorldCaption.Attributes.COLOUR_SHAPE;
        assertEquals("two red circles and a green ring",
                ToyWorldCaption.of(List.of(redStripedCircle, greenDottedRing, redPlainCircle), concept));
        assertEquals("a green ring", ToyWorldCaption.of(List.of(greenDottedRing), concept));
        assertEquals("a red striped circle, a green dotted ring and a red circle",
                ToyWorldCaption.of(List.of(redStripedCircle, greenDottedRing, redPlainCircle)));
    }

    @Test
    void theDefaultIsTheWorldsOwnCaption() {
        ToyWorld world = ToyWorld.withSeed(3);
        boolean differs = false;
        for (int i = 0; i < 100; i++) {
            ToyWorldScene s = world.scene(i);
            assertEquals(s.caption(), ToyWorldCaption.of(s.objects(), ToyWorldCaption.Attributes.DEFAULT));
            String concept = ToyWorldCaption.of(s.objects(), ToyWorldCaption.Attributes.COLOUR_SHAPE);
            for (ToyWorldTexture t : ToyWorldTexture.values()) {
                if (t != ToyWorldTexture.PLAIN) {
                    assertFalse(concept.contains(t.word()), concept);
                }
            }
            differs |= !concept.equals(s.caption());
        }
        assertEquals(true, differs, "some of 100 scenes have a textured object");
        assertEquals(ToyWorldCaption.Attributes.COLOUR_TEXTURE_SHAPE, ToyWorldCaption.Attributes.DEFAULT);
    }

    @Test
    void anUnknownCaptionKindIsOneSentence() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ToyWorldCaption.Attributes.parse("texture"));
        assertEquals("captions 'texture' is not a caption kind; expected colour-texture-shape (the default) or colour-shape",
                e.getMessage());
        assertEquals(ToyWorldCaption.Attributes.COLOUR_SHAPE, ToyWorldCaption.Attributes.parse("colour-shape"));
    }
}
