package saelab.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import saelab.io.Json;

/**
 * The parts of an iNat2021 annotation file ({@code train_mini.json}, {@code val.json}; COCO-like) that a
 * dataset manifest needs: {@code images[] {id, file_name}}, {@code annotations[] {image_id, category_id}}
 * and {@code categories[]}. The file (hundreds of MB for the full train set) is streamed with Jackson's
 * parser, one array element at a time; other top-level fields are skipped. Errors name the file and line.
 */
final class INatAnnotations {

    /** One image: its id, path relative to the dataset root, and the line of its entry. */
    record Image(long id, String fileName, int line) {}

    /** One category: its id, its fields (taxonomy levels and others) and the line of its entry. */
    record Category(long id, JsonNode fields, int line) {}

    final Path file;
    final List<Image> images = new ArrayList<>();
    final Map<Long, Long> categoryOf = new HashMap<>();
    final List<Category> categories = new ArrayList<>();

    private INatAnnotations(Path file) {
        this.file = file;
    }

    /**
     * Reads an annotation file.
     *
     * @throws IllegalArgumentException for malformed JSON, a missing array, an element without its fields,
     *                                  or an annotation naming an unknown image or category (file and line named)
     */
    static INatAnnotations read(Path file) throws IOException {
        INatAnnotations a = new INatAnnotations(file);
        ObjectMapper mapper = Json.mapper();
        boolean sawImages = false;
        boolean sawAnnotations = false;
        boolean sawCategories = false;
        List<long[]> annotations = new ArrayList<>(); // {image_id, category_id, line}
        try (JsonParser p = mapper.getFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException(file + ": expected a JSON object with images, annotations and categories");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "images", "annotations", "categories" -> {
                        if (t != JsonToken.START_ARRAY) {
                            throw new IllegalArgumentException(file + " line " + p.currentTokenLocation().getLineNr()
                                    + ": field '" + name + "': expected an array");
                        }
                        int i = 0;
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            int line = p.currentTokenLocation().getLineNr();
                            JsonNode n = mapper.readTree(p);
                            String at = file + " line " + line + ": " + name + "[" + i + "]";
                            switch (name) {
                                case "images" -> a.images.add(new Image(integer(n, "id", at), text(n, "file_name", at), line));
                                case "annotations" -> annotations.add(new long[] {integer(n, "image_id", at),
                                        integer(n, "category_id", at), line});
                                default -> a.categories.add(new Category(integer(n, "id", at), n, line));
                            }
                            i++;
                        }
                        sawImages |= name.equals("images");
                        sawAnnotations |= name.equals("annotations");
                        sawCategories |= name.equals("categories");
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + Json.describe(e), e);
        }
        requireSeen(file, "images", sawImages);
        requireSeen(file, "annotations", sawAnnotations);
        requireSeen(file, "categories", sawCategories);
        Map<Long, Image> imageById = new HashMap<>();
        for (Image im : a.images) {
            if (imageById.put(im.id(), im) != null) {
                throw new IllegalArgumentException(file + " line " + im.line() + ": images: id " + im.id() + " is repeated");
            }
        }
        Map<Long, Category> catById = new HashMap<>();
        for (Category c : a.categories) {
            if (catById.put(c.id(), c) != null) {
                throw new IllegalArgumentException(file + " line " + c.line() + ": categories: id " + c.id() + " is repeated");
            }
        }
        for (long[] an : annotations) {
            String at = file + " line " + an[2] + ": annotations: ";
            if (!imageById.containsKey(an[0])) {
                throw new IllegalArgumentException(at + "image_id " + an[0] + " is not an id of 'images'");
            }
            if (!catById.containsKey(an[1])) {
                throw new IllegalArgumentException(at + "category_id " + an[1] + " is not an id of 'categories'");
            }
            Long before = a.categoryOf.put(an[0], an[1]);
            if (before != null && before != an[1]) {
                throw new IllegalArgumentException(at + "image " + an[0] + " has two categories, " + before + " and " + an[1]);
            }
        }
        a.categories.sort((x, y) -> Long.compare(x.id(), y.id()));
        return a;
    }

    private static void requireSeen(Path file, String field, boolean seen) {
        if (!seen) {
            throw new IllegalArgumentException(file + ": field '" + field + "' missing; expected the iNat2021 annotation"
                    + " format (images, annotations, categories)");
        }
    }

    private static long integer(JsonNode n, String field, String at) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException(at + ": field '" + field + "': expected an integer, got " + v);
        }
        return v.asLong();
    }

    /** A non-empty string field. */
    static String text(JsonNode n, String field, String at) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException(at + ": field '" + field + "': expected a non-empty string, got " + v);
        }
        return v.asText();
    }
}
