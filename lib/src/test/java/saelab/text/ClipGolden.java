package saelab.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The CLIP tokenizer fixtures: the 33 cases of {@code clip_tokenizer_cases.json}, and Hugging Face's
 * {@code vocab.json} / {@code merges.txt} built from open_clip's BPE file the way the fixture generator built them.
 */
final class ClipGolden {

    /** One case: the text and the ids of each reference. */
    record Case(String text, int[] bpeIds, int[] openClip77, int[] hfIds, int[] hfIds77) {}

    private static ClipTokenizer openClip;

    private ClipGolden() {}

    /** One open_clip tokenizer of the fixture vocabulary, shared by the test classes (loading takes a while). */
    static synchronized ClipTokenizer openClip() {
        if (openClip == null) {
            openClip = ClipTokenizer.openClip(Golden.bpeGz(), 77);
        }
        return openClip;
    }

    static List<Case> cases() throws IOException {
        JsonNode root = new ObjectMapper().readTree(Golden.path("clip_tokenizer", "clip_tokenizer_cases.json").toFile());
        List<Case> out = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            out.add(new Case(c.get("text").asText(), ints(c.get("bpe_ids")), ints(c.get("open_clip_tokenize_77")),
                    ints(c.get("hf_slow_input_ids")), ints(c.get("hf_slow_input_ids_trunc77"))));
        }
        return out;
    }

    private static int[] ints(JsonNode a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asInt();
        }
        return v;
    }

    /**
     * Writes {@code vocab.json} and {@code merges.txt} into {@code dir}: the open_clip vocabulary with the special
     * tokens spelled as Hugging Face spells them, and the header plus the 48,894 merges.
     */
    static void writeHuggingFaceFiles(Path dir) throws IOException {
        String text;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(Golden.bpeGz()))) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String[] lines = text.split("\n", -1);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int k = 0; k < 256; k++) {
            vocab.put(String.valueOf(ByteUnicode.charOf(ByteUnicode.byteAt(k))), vocab.size());
        }
        for (int k = 0; k < 256; k++) {
            vocab.put(ByteUnicode.charOf(ByteUnicode.byteAt(k)) + "</w>", vocab.size());
        }
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        for (int i = 1; i <= BpeVocabulary.MERGES; i++) {
            String[] p = lines[i].split(" ");
            vocab.put(p[0] + p[1], vocab.size());
            merges.append(lines[i]).append('\n');
        }
        vocab.put("<|startoftext|>", vocab.size());
        vocab.put("<|endoftext|>", vocab.size());
        new ObjectMapper().writeValue(dir.resolve("vocab.json").toFile(), vocab);
        Files.writeString(dir.resolve("merges.txt"), merges, StandardCharsets.UTF_8);
    }
}
