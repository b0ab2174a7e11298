package saelab.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sequence layout against the {@code input_ids} the model fixtures were run with. Those ids are random (the
 * fixture models have a 1,000-id vocabulary and no tokenizer file, and their READMEs name no text), so only the
 * layout is checked: each row rebuilt from its text ids by {@link TokenSequences} (start token, ids, end token,
 * padding; truncation of a longer row keeps the end token last) must equal the stored row.
 */
class TokenLayoutGoldenTest {

    /** {@code input_ids} [rows, ctx] of a fixture's {@code inputs.safetensors} (I64). */
    static long[][] inputIds(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) b.getLong(0);
        JsonNode t = new ObjectMapper().readTree(Arrays.copyOfRange(bytes, 8, 8 + n)).get("input_ids");
        assertEquals("I64", t.get("dtype").asText());
        int rows = t.get("shape").get(0).asInt();
        int ctx = t.get("shape").get(1).asInt();
        long start = 8L + n + t.get("data_offsets").get(0).asLong();
        long[][] out = new long[rows][ctx];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < ctx; c++) {
                out[r][c] = b.getLong((int) (start + 8L * (r * ctx + c)));
            }
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({
        // fixture, start id (-1: none), end id, pad of each row (-1: the row is full)
        "clip,    998, 999, 999 0 -1",
        "bioclip, 998, 999, 0 0 -1",
        "siglip,  -1,  1,   1 1 -1",
    })
    void rowsAreRebuiltFromTheirTextIds(String fixture, int start, int end, String pads) throws IOException {
        long[][] rows = inputIds(Golden.path(fixture, "inputs.safetensors"));
        String[] pad = pads.trim().split(" ");
        for (int r = 0; r < rows.length; r++) {
            long[] row = rows[r];
            int ctx = row.length;
            int first = start >= 0 ? 1 : 0;
            int endAt = first;
            while (row[endAt] != end) {
                endAt++;
            }
            int[] text = Arrays.stream(Arrays.copyOfRange(row, first, endAt)).mapToInt(v -> (int) v).toArray();
            int padId = Integer.parseInt(pad[r]);
            long[] rebuilt = new long[ctx];
            TokenSequences.padInto(TokenSequences.wrap(start, text, end, ctx), rebuilt, 0, ctx, Math.max(padId, 0));
            assertArrayEquals(row, rebuilt, fixture + " row " + r);
            if (padId < 0) {
                assertEquals(ctx - 1, endAt, fixture + " row " + r + " fills the context");
                // the same text with more ids is cut to the same row: the end token stays last
                int[] longer = Arrays.copyOf(text, text.length + 5);
                assertArrayEquals(row, Arrays.stream(TokenSequences.wrap(start, longer, end, ctx)).asLongStream().toArray());
            }
        }
    }
}
