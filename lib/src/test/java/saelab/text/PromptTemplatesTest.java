package saelab.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import saelab.data.ImageNetClasses;

/** The bundled zero-shot prompt material and its expansion. */
class PromptTemplatesTest {

    @Test
    void openAiTemplatesAndClassNames() {
        List<String> t = PromptTemplates.openAi80();
        assertEquals(80, t.size());
        assertEquals("a bad photo of a {}.", t.getFirst());
        assertEquals("a tattoo of the {}.", t.getLast());
        assertTrue(t.stream().allMatch(s -> s.contains("{}")));
        assertEquals(80, new HashSet<>(t).size(), "no template twice");
        assertEquals(List.of("itap of a {}.", "a bad photo of the {}.", "a origami {}.", "a photo of the large {}.",
                "a {} in a video game.", "art of the {}.", "a photo of the small {}."), PromptTemplates.simple7());
        List<String> names = ImageNetClasses.openAiNames();
        assertEquals(1000, names.size());
        assertEquals("tench", names.get(0));
        assertEquals("goldfish", names.get(1));
        assertEquals("toilet paper", names.get(999));
        assertTrue(names.stream().noneMatch(s -> s.startsWith("#") || s.isBlank()));
    }

    @Test
    void expandIsClassMajorAndFillsBothPlaceholders() {
        List<String> p = PromptTemplates.expand(List.of("cat", "dog"), List.of("a photo of a {}.", "{c} and {c}", "art of the {}."));
        assertEquals(List.of("a photo of a cat.", "cat and cat", "art of the cat.", "a photo of a dog.", "dog and dog", "art of the dog."), p);
        assertEquals(80_000, PromptTemplates.expand(ImageNetClasses.openAiNames(), PromptTemplates.openAi80()).size());
        assertEquals("a $1 {c} $1 {c}", PromptTemplates.fill("a {} {c}", "$1 {c}"), "the name is inserted literally, once per placeholder");
        String m = assertThrows(IllegalArgumentException.class, () -> PromptTemplates.expand(List.of("cat"), List.of("{}", "no slot"))).getMessage();
        assertEquals("template 1 'no slot' has no placeholder; expected {} or {c} where the class name goes", m);
    }

    @Test
    void everyPromptTokenizesWithinTheContext() {
        ClipTokenizer tok = ClipGolden.openClip();
        int longest = 0;
        for (String s : PromptTemplates.expand(ImageNetClasses.openAiNames(), PromptTemplates.simple7())) {
            int[] ids = tok.encode(s, Integer.MAX_VALUE);
            longest = Math.max(longest, ids.length);
        }
        assertTrue(longest > 8 && longest < 77, "longest prompt has " + longest + " ids");
    }
}
