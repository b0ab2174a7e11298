package saelab.demo;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.data.ToyWorld;
import saelab.data.ToyWorldWriter;
import saelab.io.FileTrees;
import saelab.io.Json;
import saelab.io.Sha256;
import saelab.manifest.DataManifest;

/**
 * Step {@code world}: writes the toy world ({@link ToyWorldWriter}) into {@code toy/} of the step folder, and lists
 * the files of its ADE20K layouts and metadata with sizes and SHA-256 in {@code files.json} (the file list of the
 * world's data manifest; the copies of the ADE20K images in the other views, {@link ToyWorldWriter#isImageCopy}, hold
 * the same bytes and are not listed).
 */
final class WorldStep {

    /** Code-format version: bump when the step writes different output for the same parameters. */
    static final int VERSION = 1;
    static final String NAME = "world";
    /** The held-out world's step name. */
    static final String HELD_OUT = "world-heldout";
    /** The world's folder inside the step folder. */
    static final String DIR = "toy";
    /** The file list inside the step folder. */
    static final String FILES = "files.json";

    private WorldStep() {}

    /** A world step named {@code name}: {@code images} scenes of {@code world} (the plan runner's factory). */
    static Step of(String name, ToyWorld world, int images) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("world", world);
        params.put("images", images);
        params.put("generator", ToyWorldWriter.GENERATOR);
        return new Step(name, VERSION, params, List.of(), (out, log) -> {
            Path dir = out.resolve(DIR);
            ToyWorldWriter.write(dir, world, images);
            List<DataManifest.FileEntry> files = listFiles(dir);
            Json.write(out.resolve(FILES), files);
            long bytes = files.stream().mapToLong(DataManifest.FileEntry::bytes).sum();
            log.printf("wrote %d toy-world scenes of %dx%d (%d files listed, %.1f MB)%n", images, world.imageSize(),
                    world.imageSize(), files.size(), bytes / 1e6);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("images", images);
            summary.put("seed", world.seed());
            summary.put("image_size", world.imageSize());
            summary.put("label_classes", ToyWorld.labelCount());
            summary.put("files", files.size());
            summary.put("bytes", bytes);
            return summary;
        });
    }

    /** The world folder of a finished world step. */
    static Path worldDir(StepOutcome world) {
        return world.dir().resolve(DIR);
    }

    /** The listed files of a finished world step. */
    static List<DataManifest.FileEntry> files(StepOutcome world) throws IOException {
        return Json.mapper().readValue(world.dir().resolve(FILES).toFile(), new TypeReference<List<DataManifest.FileEntry>>() { });
    }

    /** Every file under {@code dir} except the image copies of the views, sorted by path, with size and SHA-256 (hashed in parallel). */
    static List<DataManifest.FileEntry> listFiles(Path dir) throws IOException {
        List<String> paths = FileTrees.regularFiles(dir).stream().filter(p -> !ToyWorldWriter.isImageCopy(p)).toList();
        return paths.parallelStream().map(rel -> {
            Path p = dir.resolve(rel);
            try {
                return new DataManifest.FileEntry(rel, Files.size(p), Sha256.of(p));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + p, e);
            }
        }).toList();
    }
}
