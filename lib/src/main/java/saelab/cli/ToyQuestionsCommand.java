package saelab.cli;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.toy.ToyQuestionFile;
import saelab.toy.ToyQuestionType;

/** {@code saelab toy questions}: a question file of the VLM control protocol for a toy world folder. */
@Command(name = "questions", mixinStandardHelpOptions = true,
        description = {"Write the questions of a toy world folder (saelab toy world) with their ground-truth answers as a question file"
                + " for 'saelab control vlm' (JSON lines: image relative to the world folder, question, answer); only questions with"
                + " exactly one right answer."})
final class ToyQuestionsCommand implements Callable<Integer> {

    @Option(names = "--world", required = true, paramLabel = "DIR", description = "the toy world folder (with world.json and captions.jsonl)")
    Path world;

    @Option(names = "--types", split = ",", defaultValue = "colour", paramLabel = "TYPE",
            description = "question types: colour (of the shape), shape (of the colour), count, texture (default ${DEFAULT-VALUE})")
    List<String> types;

    @Option(names = "--images", defaultValue = "1000", description = "the first scenes asked about (default ${DEFAULT-VALUE})")
    int images;

    @Option(names = "--seed", defaultValue = "0", description = "the question seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the question file to write (.jsonl)")
    Path out;

    @Override
    public Integer call() throws Exception {
        CliPaths.requireFolder(world, "a toy world folder (saelab toy world)");
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl")) {
            throw new IllegalArgumentException("--out is " + out + "; expected a .jsonl file");
        }
        Set<ToyQuestionType> chosen = EnumSet.noneOf(ToyQuestionType.class);
        for (String t : types) {
            chosen.add(switch (t.strip().toLowerCase(Locale.ROOT)) {
                case "colour", "color" -> ToyQuestionType.COLOUR;
                case "shape" -> ToyQuestionType.SHAPE;
                case "count" -> ToyQuestionType.COUNT;
                case "texture" -> ToyQuestionType.TEXTURE;
                default -> throw new IllegalArgumentException("--types has '" + t + "'; expected colour, shape, count or texture");
            });
        }
        int n = ToyQuestionFile.write(world, chosen, seed, images, out).size();
        System.out.printf(Locale.ROOT, "wrote %d questions to %s (image root: %s)%n", n, out, world);
        return 0;
    }
}
