package saelab.toy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import saelab.data.ToyWorld;
import saelab.intervene.VlmQuestionFile;
import saelab.io.Json;

/**
 * Writes a question file of the VLM control protocol ({@link VlmQuestionFile}) for a toy world written to disk
 * ({@code saelab toy world}, the demo's world steps): for each scene of the folder, its questions of the chosen types
 * ({@link ToyQuestions}: only questions with exactly one right answer), with the scene's image as its path in the
 * folder's ADE20K layout (from {@code captions.jsonl}), so the file's image root is the world folder. The world's config
 * is read from {@code world.json}, and every scene's caption is checked against the folder's, so a folder written by
 * another generator is refused rather than asked the wrong questions.
 */
public final class ToyQuestionFile {

    private ToyQuestionFile() {}

    /**
     * Writes the questions of the first {@code maxImages} scenes of the world folder to {@code out} (JSON lines).
     *
     * @param types the question types asked (those with a one-word answer: colour, shape, count, texture)
     * @param seed  the question seed ({@link ToyQuestions#of})
     * @return the rows written
     * @throws IllegalArgumentException one sentence for a folder without a readable {@code world.json} or
     *                                  {@code captions.jsonl}, or whose scenes are not the config's
     */
    public static List<VlmQuestionFile.Row> write(Path worldFolder, Set<ToyQuestionType> types, long seed, int maxImages, Path out)
            throws IOException {
        return write(worldFolder, types, seed, 0, maxImages, out);
    }

    /**
     * Writes the questions of scenes {@code first} .. {@code first + maxImages − 1} of the world folder (as many as it
     * has) to {@code out} (JSON lines): a later range is a fresh sample of the same world for a confirmatory run.
     *
     * @throws IllegalArgumentException as {@link #write(Path, Set, long, int, Path)}, and for a negative {@code first}
     */
    public static List<VlmQuestionFile.Row> write(Path worldFolder, Set<ToyQuestionType> types, long seed, int first, int maxImages, Path out)
            throws IOException {
        if (first < 0) {
            throw new IllegalArgumentException("the first scene is " + first + "; expected 0 or more");
        }
        if (types.contains(ToyQuestionType.CAPTION)) {
            throw new IllegalArgumentException("caption questions have no one-word answer to edit; expected colour, shape, count or texture");
        }
        ToyWorld world = config(worldFolder);
        Path captions = worldFolder.resolve("captions.jsonl");
        if (!Files.isRegularFile(captions)) {
            throw new IllegalArgumentException(worldFolder + " has no captions.jsonl; expected a toy world folder (saelab toy world)");
        }
        List<String> lines = Files.readAllLines(captions, StandardCharsets.UTF_8);
        List<VlmQuestionFile.Row> rows = new ArrayList<>();
        int n = (int) Math.min((long) first + maxImages, lines.size());
        for (int i = first; i < n; i++) {
            JsonNode rec;
            try {
                rec = Json.mapper().readTree(lines.get(i));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                rec = null;
            }
            String image = rec == null ? "" : rec.path("ade_image").asText("");
            if (rec == null || rec.path("index").asInt(-1) != i || image.isBlank()
                    || !world.scene(i).caption().equals(rec.path("caption").asText())) {
                throw new IllegalArgumentException(captions + " line " + (i + 1) + " is not scene " + i + " of the world in world.json (index,"
                        + " ade_image and caption expected to match); expected a folder written by saelab toy world");
            }
            for (ToyQuestion q : ToyQuestions.of(world.scene(i), seed)) {
                if (types.contains(q.type())) {
                    rows.add(new VlmQuestionFile.Row(image, q.question(), q.answer()));
                }
            }
        }
        VlmQuestionFile.write(out, rows);
        return List.copyOf(rows);
    }

    /** The world's config from {@code world.json}. */
    static ToyWorld config(Path worldFolder) throws IOException {
        Path info = worldFolder.resolve("world.json");
        if (!Files.isRegularFile(info)) {
            throw new IllegalArgumentException(worldFolder + " has no world.json; expected a toy world folder (saelab toy world)");
        }
        JsonNode c;
        try {
            c = Json.mapper().readTree(info.toFile()).path("config");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(info + " is not valid JSON; expected the world.json of saelab toy world");
        }
        for (String f : List.of("image_size", "min_objects", "max_objects", "seed")) {
            if (!c.path(f).isIntegralNumber()) {
                throw new IllegalArgumentException(info + " has no integer config." + f + "; expected the world.json of saelab toy world");
            }
        }
        return new ToyWorld(c.get("image_size").asInt(), c.get("min_objects").asInt(), c.get("max_objects").asInt(), c.get("seed").asLong());
    }
}
