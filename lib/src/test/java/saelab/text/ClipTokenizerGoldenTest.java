package saelab.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The 33 reference cases of {@code golden/clip_tokenizer}, for both references, every id identical. */
class ClipTokenizerGoldenTest {

    @TempDir
    static Path hfDir;

    private static List<ClipGolden.Case> cases;
    private static ClipTokenizer openClip;
    private static ClipTokenizer huggingFace;

    @BeforeAll
    static void load() throws IOException {
        cases = ClipGolden.cases();
        openClip = ClipGolden.openClip();
        ClipGolden.writeHuggingFaceFiles(hfDir);
        huggingFace = ClipTokenizer.huggingFace(hfDir.resolve("vocab.json"), hfDir.resolve("merges.txt"), 77);
    }

    @Test
    void thereAre33Cases() {
        assertEquals(33, cases.size());
    }

    @Test
    void openClipBpeIdsMatchEveryCase() {
        List<String> bad = new ArrayList<>();
        for (ClipGolden.Case c : cases) {
            int[] got = openClip.textIds(c.text());
            if (!Arrays.equals(c.bpeIds(), got)) {
                bad.add(describe(c.text(), c.bpeIds(), got));
            }
        }
        assertEquals(List.of(), bad);
    }

    @Test
    void openClipTokenizeMatchesEveryCaseWithZeroPadding() {
        List<String> texts = cases.stream().map(ClipGolden.Case::text).toList();
        long[] batch = openClip.encodeBatch(texts, 77, Padding.ZERO);
        for (int i = 0; i < cases.size(); i++) {
            long[] row = Arrays.copyOfRange(batch, i * 77, (i + 1) * 77);
            assertArrayEquals(Arrays.stream(cases.get(i).openClip77()).asLongStream().toArray(), row, cases.get(i).text());
        }
        assertArrayEquals(batch, openClip.encodeBatch(texts), "open_clip's default padding is zeros");
    }

    @Test
    void huggingFaceIdsMatchEveryCaseWithAndWithoutTruncation() {
        List<String> bad = new ArrayList<>();
        for (ClipGolden.Case c : cases) {
            int[] full = huggingFace.encode(c.text(), Integer.MAX_VALUE);
            int[] trunc = huggingFace.encode(c.text());
            if (!Arrays.equals(c.hfIds(), full)) {
                bad.add("untruncated " + describe(c.text(), c.hfIds(), full));
            }
            if (!Arrays.equals(c.hfIds77(), trunc)) {
                bad.add("truncated " + describe(c.text(), c.hfIds77(), trunc));
            }
        }
        assertEquals(List.of(), bad);
    }

    @Test
    void huggingFacePadsWithTheEndToken() {
        long[] row = huggingFace.encodeBatch(List.of("a photo of a cat"));
        long[] expected = new long[77];
        Arrays.fill(expected, 49407);
        System.arraycopy(new long[] {49406, 320, 1125, 539, 320, 2368, 49407}, 0, expected, 0, 7);
        assertArrayEquals(expected, row);
    }

    @Test
    void specTestVectors() {
        assertArrayEquals(new int[] {49406, 320, 1125, 539, 320, 2368, 49407}, openClip.encode("a photo of a cat"));
        assertArrayEquals(new int[] {49406, 320, 1125, 539, 320, 2368, 256, 49407}, openClip.encode("A PHOTO of  a Cat!"));
        assertArrayEquals(new int[] {49406, 3306, 267, 1002, 256, 49407}, openClip.encode("Hello, world!"));
        assertArrayEquals(new int[] {49406, 1615, 49407}, openClip.encode("car"));
        int[] dog = openClip.encode("a photo of a dog");
        assertEquals(1929, dog[dog.length - 2]);
    }

    private static String describe(String text, int[] expected, int[] got) {
        return "'" + text + "': expected " + Arrays.toString(expected) + " got " + Arrays.toString(got);
    }
}
