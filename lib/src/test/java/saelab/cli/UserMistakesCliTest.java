package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import saelab.hub.HubSettings;
import saelab.io.Npy;

/**
 * The common user mistakes, through the CLI, each for several commands: every one prints exactly one line
 * {@code saelab <full command name>: error: <sentence>} naming the file or option, with no stack trace, and
 * exits with code 2.
 */
class UserMistakesCliTest {

    @TempDir
    static Path dir;

    /** A model folder with a preprocessing config (the reference fixture). */
    private static final String MODEL = saelab.image.Golden.path("preprocess", "siglip").toString();

    /** A small valid float32 matrix [20, 4]. */
    private static Path npy;
    /** A plain text file. */
    private static Path file;
    /** An empty folder. */
    private static Path folder;
    /** A path under which nothing can be written: its parent is a file. */
    private static Path underFile;

    @BeforeEach
    void files() throws IOException {
        npy = dir.resolve("x.npy");
        if (!Files.exists(npy)) {
            Npy.writeFloatMatrix(npy, 20, 4, new float[80]);
        }
        file = dir.resolve("notes.txt");
        Files.writeString(file, "not what any command reads");
        folder = Files.createDirectories(dir.resolve("folder"));
        underFile = file.resolve("out");
        Path images = Files.createDirectories(dir.resolve("images"));
        Files.copy(saelab.image.Golden.imageFile(0), images.resolve("a.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The run failed as a user mistake: exit code 2 and one line on standard error that starts with
     * {@code saelab COMMAND: error: }, has no stack trace, and contains every text of {@code named}.
     */
    static void assertOneLineError(CliRun.Result r, String command, String... named) {
        String err = r.err();
        assertEquals(2, r.code(), "exit code; stderr: " + err + "\nstdout: " + r.out());
        List<String> lines = err.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "exactly one line on stderr, got:\n" + err);
        String line = lines.get(0);
        assertFalse(line.contains("at saelab.") || line.contains("Exception"), "no stack trace or exception name: " + line);
        assertTrue(line.startsWith("saelab " + command + ": error: "), "should start with 'saelab " + command + ": error: ': " + line);
        assertTrue(line.length() > ("saelab " + command + ": error: ").length() + 10, "a sentence follows: " + line);
        for (String n : named) {
            assertTrue(line.contains(n), "should name " + n + ": " + line);
        }
    }

    private static Arguments mistake(String command, List<String> args, String... named) {
        return Arguments.of(command, args, named);
    }

    private static String[] argv(List<String> args) {
        return args.toArray(String[]::new);
    }

    // ---- a missing input path -------------------------------------------------------------------

    static Stream<Arguments> missingInputs() {
        String m = dir.resolve("missing").toString();
        String npyPath = dir.resolve("x.npy").toString();
        String out = dir.resolve("out-missing").toString();
        return Stream.of(
                mistake("cache info", List.of("cache", "info", m), m, "does not exist"),
                mistake("cache verify", List.of("cache", "verify", m), m, "does not exist"),
                mistake("eval", List.of("eval", "--input", npyPath, "--sae", m + ".safetensors", "--out", out), m + ".safetensors", "does not exist"),
                mistake("eval", List.of("eval", "--input", m + ".npy", "--sae", m + ".safetensors", "--out", out), "missing", "does not exist"),
                mistake("train", List.of("train", "--input", m + ".npy", "--d-sae", "8", "--steps", "1", "--out", out), m + ".npy", "does not exist"),
                mistake("analyze", List.of("analyze", "--sae", m + ".safetensors", "--cache", m, "--out", out), "missing", "does not exist"),
                mistake("sae import", List.of("sae", "import", m + ".pt", "--out", out + ".safetensors"), m + ".pt", "does not exist"),
                mistake("dataset info", List.of("dataset", "info", m + ".json"), m + ".json", "does not exist"),
                mistake("preprocess", List.of("preprocess", "--model", MODEL, "--image", m + ".png", "--out", out + ".safetensors"),
                        m + ".png", "does not exist"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("missingInputs")
    void aMissingInputIsNamed(String command, List<String> args, String[] named) {
        assertOneLineError(CliRun.run(argv(args)), command, named);
    }

    // ---- a folder where a file was expected -----------------------------------------------------

    static Stream<Arguments> foldersForFiles() {
        String f = dir.resolve("folder").toString();
        String npyPath = dir.resolve("x.npy").toString();
        String out = dir.resolve("out-folder").toString();
        return Stream.of(
                mistake("eval", List.of("eval", "--input", npyPath, "--sae", f, "--out", out), f, "folder"),
                mistake("analyze", List.of("analyze", "--sae", f, "--cache", f, "--out", out), f, "folder"),
                mistake("train", List.of("train", "--input", f, "--d-sae", "8", "--steps", "1", "--out", out), f, "folder"),
                mistake("eval", List.of("eval", "--input", f, "--sae", f, "--out", out), f, "folder"),
                mistake("dataset info", List.of("dataset", "info", f), f, "folder"),
                mistake("preprocess", List.of("preprocess", "--model", MODEL, "--image", f, "--out", out + ".safetensors"), f, "folder"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("foldersForFiles")
    void aFolderWhereAFileWasExpectedIsNamed(String command, List<String> args, String[] named) {
        assertOneLineError(CliRun.run(argv(args)), command, named);
    }

    // ---- a file where a folder was expected -----------------------------------------------------

    static Stream<Arguments> filesForFolders() {
        String f = dir.resolve("notes.txt").toString();
        String npyPath = dir.resolve("x.npy").toString();
        String out = dir.resolve("out-file").toString();
        return Stream.of(
                mistake("cache info", List.of("cache", "info", f), f, "folder"),
                mistake("cache verify", List.of("cache", "verify", f), f, "folder"),
                mistake("bench loader", List.of("bench", "loader", "--cache", f), f, "folder"),
                mistake("train", List.of("train", "--cache", f, "--d-sae", "8", "--steps", "1", "--out", out), f, "folder"),
                mistake("show-latent", List.of("show-latent", "--analysis", f, "--latent", "0", "--out", out + ".png"), f, "folder"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("filesForFolders")
    void aFileWhereAFolderWasExpectedIsNamed(String command, List<String> args, String[] named) {
        assertOneLineError(CliRun.run(argv(args)), command, named);
    }

    // ---- an unreadable file ---------------------------------------------------------------------

    @Test
    void anUnreadableFileIsNamed() throws IOException {
        Path locked = dir.resolve("locked.npy");
        Npy.writeFloatMatrix(locked, 20, 4, new float[80]);
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            assumeFalse(Files.isReadable(locked), "running as root: every file is readable");
            String out = dir.resolve("out-locked").toString();
            assertOneLineError(CliRun.run("train", "--input", locked.toString(), "--d-sae", "8", "--steps", "1", "--out", out),
                    "train", locked.toString(), "permission");
            assertOneLineError(CliRun.run("eval", "--input", npy.toString(), "--sae", locked.toString(), "--out", out),
                    "eval", locked.toString(), "permission");
            assertOneLineError(CliRun.run("dataset", "info", locked.toString()), "dataset info", locked.toString(), "permission");
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rw-------"));
        }
    }

    // ---- an unwritable output -------------------------------------------------------------------

    static Stream<Arguments> unwritableOutputs() {
        Path f = dir.resolve("notes.txt");
        String npyPath = dir.resolve("x.npy").toString();
        String under = f.resolve("out").toString();
        // each names the file that is in the way of the output folder
        return Stream.of(
                mistake("cache synth", List.of("cache", "synth", "--images", "2", "--tokens", "3", "--d", "4", "--out", under),
                        f.toString(), "cannot", "not a folder"),
                mistake("train", List.of("train", "--input", npyPath, "--d-sae", "8", "--steps", "1", "--batch", "4", "--out", under),
                        f.toString(), "cannot", "not a folder"),
                mistake("toy world", List.of("toy", "world", "--images", "2", "--out", under), f.toString(), "cannot", "not a folder"),
                mistake("dataset manifest", List.of("dataset", "manifest", "folder:" + dir.resolve("images"), "--out", under + ".json"),
                        f.toString(), "cannot", "not a folder"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("unwritableOutputs")
    void anUnwritableOutputIsNamed(String command, List<String> args, String[] named) {
        assertOneLineError(CliRun.run(argv(args)), command, named);
    }

    /**
     * Commands that read their inputs and print progress before they write: an output under a regular file is
     * refused before any work, as one line naming the file in the way (nothing is printed or computed first).
     */
    @Test
    void anOutputUnderAFileIsRefusedBeforeTheWorkStarts() throws IOException {
        Path sae = trainedSae();
        Path cache = dir.resolve("synth-4");
        if (!Files.isDirectory(cache)) {
            assertEquals(0, CliRun.run("cache", "synth", "--images", "2", "--tokens", "5", "--d", "4", "--out", cache.toString()).code());
        }
        String f = file.toString();
        String under = underFile.toString();
        assertOneLineError(CliRun.run("eval", "--input", npy.toString(), "--sae", sae.toString(), "--out", under), "eval", f, "not a folder");
        assertOneLineError(CliRun.run("eval", "--cache", cache.toString(), "--sae", sae.toString(), "--out", under), "eval", f, "not a folder");
        assertOneLineError(CliRun.run("analyze", "--sae", sae.toString(), "--cache", cache.toString(), "--out", under), "analyze", f,
                "not a folder");
        assertOneLineError(CliRun.run("train", "--cache", cache.toString(), "--d-sae", "8", "--steps", "2", "--batch", "4", "--out", under),
                "train", f, "not a folder");
        Path model = CliFixtures.captureModel(dir.resolve("capture-model"));
        assertOneLineError(CliRun.run("capture", "--model", model.toString(), "--dataset", "folder:" + dir.resolve("images"), "--layers", "0",
                "--out", under), "capture", f, "not a folder");
    }

    /** An SAE checkpoint with d_model 4 (trained for two steps on the zero matrix), made once per class. */
    private static Path trainedSae() {
        Path out = dir.resolve("sae-4");
        if (!Files.exists(out.resolve("sae.safetensors"))) {
            CliRun.Result r = CliRun.run("train", "--input", npy.toString(), "--d-sae", "8", "--steps", "2", "--batch", "4",
                    "--warmup", "1", "--out", out.toString());
            assertEquals(0, r.code(), r.err());
        }
        return out.resolve("sae.safetensors");
    }

    @Test
    void anOutputUnderAReadOnlyFolderIsNamed() throws IOException {
        Path ro = Files.createDirectories(dir.resolve("read-only"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(ro), "running as root: every folder is writable");
            Path out = ro.resolve("synth");
            assertOneLineError(CliRun.run("cache", "synth", "--images", "2", "--tokens", "3", "--d", "4", "--out", out.toString()),
                    "cache synth", ro.toString(), "cannot");
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    // ---- an offline hub without the model -------------------------------------------------------

    @Test
    void anOfflineHubWithoutTheModelSaysHowToFetchIt() throws IOException {
        Path emptyCache = Files.createDirectories(dir.resolve("empty-hub"));
        assertOneLineError(CliRun.run("hub", "download", "--offline", "--cache", emptyCache.toString(), "nobody/no-such-model"),
                "hub download", "nobody/no-such-model", "not in the cache", "saelab hub download nobody/no-such-model@main");
        String old = System.getProperty(HubSettings.OFFLINE_PROPERTY);
        System.setProperty(HubSettings.OFFLINE_PROPERTY, "true");
        try {
            String out = dir.resolve("offline-out.safetensors").toString();
            assertOneLineError(CliRun.run("forward", "--model", "nobody/no-such-model", "--inputs", npy.toString(), "--out", out),
                    "forward", "model nobody/no-such-model", "not in the cache", "saelab hub download nobody/no-such-model@main");
            assertOneLineError(CliRun.run("capture", "--model", "nobody/no-such-model", "--dataset", "folder:" + dir.resolve("images"),
                    "--layers", "0", "--out", dir.resolve("offline-capture").toString()), "capture", "model nobody/no-such-model", "not in the cache", "saelab hub download nobody/no-such-model@main");
        } finally {
            if (old == null) {
                System.clearProperty(HubSettings.OFFLINE_PROPERTY);
            } else {
                System.setProperty(HubSettings.OFFLINE_PROPERTY, old);
            }
        }
    }

    // ---- sizes that overflow or divide by zero --------------------------------------------------

    static Stream<Arguments> badSizes() {
        String npyPath = dir.resolve("x.npy").toString();
        String out = dir.resolve("out-sizes").toString();
        return Stream.of(
                mistake("cache synth", List.of("cache", "synth", "--images", "2000000000", "--tokens", "2000000000", "--d", "768",
                        "--out", out + "-synth"), "overflow"),
                mistake("bench train", List.of("bench", "train", "--batch", "0"), "batch"),
                mistake("train", List.of("train", "--input", npyPath, "--expansion", "0", "--steps", "1", "--out", out), "--expansion"),
                mistake("train", List.of("train", "--input", npyPath, "--d-sae", "8", "--steps", "1", "--batch", "0", "--out", out), "batch"),
                mistake("train", List.of("train", "--input", npyPath, "--d-sae", "8", "--tokens", "0", "--out", out), "--tokens"),
                mistake("cache synth", List.of("cache", "synth", "--images", "2", "--tokens", "0", "--d", "4", "--out", out + "-zero"),
                        "tokens", "0"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badSizes")
    void sizesThatOverflowOrAreZeroAreNamed(String command, List<String> args, String[] named) {
        assertOneLineError(CliRun.run(argv(args)), command, named);
    }

    // ---- bad option values ----------------------------------------------------------------------

    static Stream<Arguments> badValues() {
        String npyPath = dir.resolve("x.npy").toString();
        String out = dir.resolve("out-values").toString();
        return Stream.of(
                mistake("train", List.of("train", "--input", npyPath, "--d-sae", "8", "--steps", "abc", "--out", out), "--steps", "abc"),
                mistake("bench train", List.of("bench", "train", "--steps", "abc"), "--steps", "abc"),
                mistake("cache synth", List.of("cache", "synth", "--images", "many", "--out", out), "--images", "many"),
                mistake("train", List.of("train", "--input", npyPath, "--d-sae", "8", "--steps", "1", "--lr", "fast", "--out", out),
                        "--lr", "fast"),
                mistake("cache synth", List.of("cache", "synth", "--images", "2", "--out"), "--out"),
                mistake("train", List.of("train", "--input", npyPath, "--d-sae", "8", "--steps", "1", "--no-such-option", "--out", out),
                        "--no-such-option"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badValues")
    void badOptionValuesAreNamed(String command, List<String> args, String[] named) {
        assertOneLineError(CliRun.run(argv(args)), command, named);
    }

    @Test
    void anUnknownCommandIsOneLine() {
        CliRun.Result r = CliRun.run("no-such-command");
        assertEquals(2, r.code());
        assertEquals(1, r.err().lines().filter(l -> !l.isBlank()).count(), r.err());
        assertTrue(r.err().startsWith("saelab: error: ") && r.err().contains("no-such-command"), r.err());
    }

    // ---- a genuine bug --------------------------------------------------------------------------

    /** A command with a bug in it. */
    @picocli.CommandLine.Command(name = "buggy")
    static final class Buggy implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() {
            Object nothing = null;
            return nothing.hashCode();
        }
    }

    @Test
    void aBugKeepsItsStackTraceAndSaysItIsABug() {
        CliRun.Result r = CliRun.capture(() -> Main.configure(new picocli.CommandLine(new Buggy())).execute());
        assertEquals(Main.BUG, r.code(), r.err());
        assertTrue(r.err().contains("at saelab.cli.UserMistakesCliTest$Buggy.call"), r.err());
        String last = r.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("buggy: error: internal error, a bug in saelab (java.lang.NullPointerException"), last);
    }
}
