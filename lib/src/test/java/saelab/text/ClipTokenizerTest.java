package saelab.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import saelab.data.ImageNetClasses;

/** Behaviour of the CLIP tokenizer beyond the reference cases: truncation, padding, the cache, threads. */
class ClipTokenizerTest {

    private final ClipTokenizer tok = ClipGolden.openClip();

    @Test
    void truncationKeepsStartAndEnd() {
        assertArrayEquals(new int[] {49406, 320, 49407}, tok.encode("a photo of a cat", 3));
        assertArrayEquals(new int[] {49406, 49407}, tok.encode("a photo of a cat", 2));
        assertArrayEquals(new int[] {49406, 49407}, tok.encode(""));
        assertThrows(IllegalArgumentException.class, () -> tok.encode("a", 1));
        assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.openClipBundled(1));
    }

    @Test
    void batchRowsArePaddedToTheContext() {
        long[] b = tok.encodeBatch(List.of("a cat", "car"), 5, Padding.PAD_TOKEN);
        assertArrayEquals(new long[] {49406, 320, 2368, 49407, 49407, 49406, 1615, 49407, 49407, 49407}, b);
        b = tok.encodeBatch(List.of("a cat", "car"), 5, Padding.ZERO);
        assertArrayEquals(new long[] {49406, 320, 2368, 49407, 0, 49406, 1615, 49407, 0, 0}, b);
        assertEquals(0, tok.encodeBatch(List.of()).length);
    }

    @Test
    void theCacheGivesTheSameIdsAsAFreshTokenizer() {
        BpeEncoder fresh = new BpeEncoder(BpeVocabulary.openClip(Golden.bpeGz()));
        IntList first = new IntList(4);
        fresh.encode("photographers", first);
        assertEquals(1, fresh.cacheSize());
        IntList second = new IntList(4);
        fresh.encode("photographers", second);
        assertEquals(1, fresh.cacheSize());
        assertArrayEquals(first.toArray(), second.toArray());
        assertArrayEquals(tok.textIds("photographers"), first.toArray());
    }

    @Test
    void threadsShareOneTokenizer() throws Exception {
        List<String> prompts = PromptTemplates.expand(ImageNetClasses.openAiNames().subList(0, 200), PromptTemplates.simple7());
        List<int[]> expected = prompts.stream().map(tok::encode).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<int[]>>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> prompts.stream().map(tok::encode).toList()));
            }
            for (Future<List<int[]>> r : results) {
                List<int[]> got = r.get();
                for (int i = 0; i < prompts.size(); i++) {
                    assertEquals(Arrays.toString(expected.get(i)), Arrays.toString(got.get(i)), prompts.get(i));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
