package saelab.heads;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import saelab.data.ImageNetClasses;

/**
 * The class names of a zero-shot head: {@code imagenet} (the 1000 OpenAI-curated ImageNet names, in label
 * order) or a UTF-8 text file with one name per line (blank lines and lines starting with {@code #} are
 * skipped; the order of the lines is the order of the logits).
 */
public final class ClassNames {

    /** Largest class-name file read (bytes): 16 MiB, far above ImageNet-21K's names. */
    static final long MAX_BYTES = 16L << 20;

    private ClassNames() {}

    /**
     * The names {@code spec} stands for.
     *
     * @throws IllegalArgumentException naming the file and line of a repeated name, or a missing, oversized, empty
     *                                  or non-UTF-8 file
     */
    public static List<String> read(String spec) throws IOException {
        if ("imagenet".equals(spec)) {
            return ImageNetClasses.openAiNames();
        }
        Path file = Path.of(spec);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + (Files.exists(file) ? " is not a file" : " does not exist")
                    + "; expected 'imagenet' or a text file with one class name per line");
        }
        if (Files.size(file) > MAX_BYTES) {
            throw new IllegalArgumentException(file + " holds " + Files.size(file) + " bytes; a class-name file may hold at most " + MAX_BYTES);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + " is not UTF-8 text; expected one class name per line", e);
        }
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String name = lines[i].strip();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": class name '" + name + "' is repeated; each class once");
            }
            names.add(name);
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no class names; expected one name per line");
        }
        return List.copyOf(names);
    }
}
