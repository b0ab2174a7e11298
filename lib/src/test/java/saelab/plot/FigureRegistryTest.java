package saelab.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FigureRegistryTest {

    @TempDir
    Path dir;

    private static final String FIG_A = """
            {"id": "loss-curve", "kind": "figure", "section": "3 Training", "notebook": "01-train.ipynb",
             "title": "Loss against steps", "outputs": ["png", "pdf", "csv"]}""";
    private static final String TABLE_B = """
            {"id": "sizes", "kind": "table", "section": "2 Data", "notebook": "00-walkthrough.ipynb",
             "title": "Dataset sizes", "outputs": ["csv", "html"]}""";
    private static final String FIG_C = """
            {"id": "w00-readout-2", "kind": "figure", "section": "Walkthrough", "notebook": "00-walkthrough.ipynb",
             "title": "Readout", "outputs": ["csv", "svg", "pdf", "png"]}""";

    private Path registry(String... entries) throws IOException {
        return write("{\"format\": \"saelab-figures/1\", \"figures\": [" + String.join(",\n", entries) + "]}");
    }

    private Path write(String json) throws IOException {
        Path file = dir.resolve("figures.json");
        Files.writeString(file, json);
        return file;
    }

    /** Loads a registry that must be rejected; checks the message names the file and the field. */
    private String rejected(Path file, String field) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FigureRegistry.load(file));
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()), "message should name the file: " + m);
        if (field != null) {
            assertTrue(m.contains("field '" + field + "'"), "message should name field " + field + ": " + m);
        }
        return m;
    }

    private static String entry(String id, String kind, String outputs) {
        return "{\"id\": \"" + id + "\", \"kind\": \"" + kind + "\", \"section\": \"S\", \"notebook\": \"n.ipynb\","
                + " \"title\": \"T\", \"outputs\": " + outputs + "}";
    }

    @Test
    void validFileLoadsInOrder() throws IOException {
        Path file = registry(FIG_A, TABLE_B, FIG_C);
        FigureRegistry r = FigureRegistry.load(file);
        assertEquals(file, r.file());
        assertEquals(List.of("loss-curve", "sizes", "w00-readout-2"), r.all().stream().map(FigureSpec::id).toList());
        FigureSpec a = r.get("loss-curve");
        assertEquals("figure", a.kind());
        assertTrue(a.isFigure());
        assertEquals("3 Training", a.section());
        assertEquals("01-train.ipynb", a.notebook());
        assertEquals("Loss against steps", a.title());
        assertEquals(List.of("png", "pdf", "csv"), a.outputs());
        assertFalse(r.get("sizes").isFigure());
    }

    @Test
    void allIsACopy() throws IOException {
        FigureRegistry r = FigureRegistry.load(registry(FIG_A));
        assertThrows(UnsupportedOperationException.class, () -> r.all().clear());
        assertEquals(1, r.all().size());
    }

    @Test
    void findAndByNotebook() throws IOException {
        FigureRegistry r = FigureRegistry.load(registry(FIG_A, TABLE_B, FIG_C));
        assertTrue(r.find("sizes").isPresent());
        assertEquals("Dataset sizes", r.find("sizes").orElseThrow().title());
        assertTrue(r.find("nope").isEmpty());
        assertEquals(List.of("sizes", "w00-readout-2"),
                r.byNotebook("00-walkthrough.ipynb").stream().map(FigureSpec::id).toList());
        assertEquals(List.of("loss-curve"), r.byNotebook("01-train.ipynb").stream().map(FigureSpec::id).toList());
        assertEquals(List.of(), r.byNotebook("99-missing.ipynb"));
    }

    @Test
    void getOfAnUnknownIdListsTheKnownIds() throws IOException {
        Path file = registry(FIG_A, TABLE_B);
        FigureRegistry r = FigureRegistry.load(file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.get("loss-curv"));
        String m = e.getMessage();
        assertTrue(m.contains("'loss-curv'"), m);
        assertTrue(m.contains(file.toString()), m);
        assertTrue(m.contains("loss-curve, sizes"), m);
    }

    @Test
    void filesAreIdDotExtensionInTheGivenFolder() throws IOException {
        FigureSpec spec = FigureRegistry.load(registry(FIG_A)).get("loss-curve");
        Path out = dir.resolve("figures").resolve("demo");
        assertEquals(List.of(out.resolve("loss-curve.png"), out.resolve("loss-curve.pdf"), out.resolve("loss-curve.csv")),
                spec.files(out));
    }

    @Test
    void emptyFigureListIsValid() throws IOException {
        assertEquals(List.of(), FigureRegistry.load(registry()).all());
    }

    @Test
    void wrongFormatTagIsRejected() throws IOException {
        Path file = write("{\"format\": \"saelab-figures/2\", \"figures\": []}");
        String m = rejected(file, "format");
        assertTrue(m.contains("saelab-figures/2"), m);
        assertTrue(m.contains("saelab-figures/1"), m);
    }

    @Test
    void missingFormatTagIsRejected() throws IOException {
        rejected(write("{\"figures\": []}"), "format");
    }

    @Test
    void missingFigureListIsRejected() throws IOException {
        rejected(write("{\"format\": \"saelab-figures/1\"}"), "figures");
    }

    @Test
    void invalidJsonAtTheTopIsRejectedWithItsLine() throws IOException {
        Path file = write("{\"format\": \"saelab-figures/1\"\n\n \"figures\": []}");
        String m = rejected(file, null);
        assertTrue(m.contains("not valid"), m);
        assertTrue(m.contains("line 3"), m);
    }

    @Test
    void invalidJsonInsideAnEntryIsRejectedWithWhereItIs() throws IOException {
        Path file = write("{\"format\": \"saelab-figures/1\",\n \"figures\": [\n {\"id\": \"a\",, }\n]}");
        String m = rejected(file, null);
        assertTrue(m.contains("not valid"), m);
        // reported by its JSON path (figures, entry 0) rather than by line
        assertTrue(m.contains("figures") && m.contains("[0]"), m);
    }

    @Test
    void emptyFileIsRejected() throws IOException {
        rejected(write(""), null);
    }

    @Test
    void unknownFieldIsRejectedAndNamed() throws IOException {
        Path file = registry("{\"id\": \"a\", \"kind\": \"figure\", \"section\": \"S\", \"notebook\": \"n.ipynb\","
                + " \"title\": \"T\", \"outputs\": [\"png\", \"pdf\", \"csv\"], \"colour\": \"red\"}");
        String m = rejected(file, null);
        assertTrue(m.contains("colour"), m);
    }

    @Test
    void wrongTypeOfFieldIsRejectedAndNamed() throws IOException {
        Path file = registry("{\"id\": \"a\", \"kind\": \"figure\", \"section\": \"S\", \"notebook\": \"n.ipynb\","
                + " \"title\": \"T\", \"outputs\": {\"png\": true}}");
        String m = rejected(file, null);
        assertTrue(m.contains("outputs"), m);
    }

    @Test
    void badIdPatternIsRejected() throws IOException {
        for (String id : List.of("Loss-Curve", "loss_curve", "loss--curve", "-loss", "loss-", "a b", "")) {
            String m = rejected(registry(entry(id, "figure", "[\"png\", \"pdf\", \"csv\"]")), "id");
            assertTrue(m.contains("figures[0]"), m);
        }
    }

    @Test
    void missingIdIsRejected() throws IOException {
        rejected(registry("{\"kind\": \"table\", \"section\": \"S\", \"notebook\": \"n.ipynb\", \"title\": \"T\","
                + " \"outputs\": [\"csv\"]}"), "id");
    }

    @Test
    void kindOtherThanFigureOrTableIsRejected() throws IOException {
        String m = rejected(registry(entry("plot-a", "chart", "[\"png\", \"pdf\", \"csv\"]")), "kind");
        assertTrue(m.contains("'chart'"), m);
    }

    @Test
    void blankSectionAndTitleAndBadNotebookAreRejected() throws IOException {
        rejected(registry("{\"id\": \"a\", \"kind\": \"table\", \"section\": \" \", \"notebook\": \"n.ipynb\","
                + " \"title\": \"T\", \"outputs\": [\"csv\"]}"), "section");
        rejected(registry("{\"id\": \"a\", \"kind\": \"table\", \"section\": \"S\", \"notebook\": \"n.ipynb\","
                + " \"title\": \"\", \"outputs\": [\"csv\"]}"), "title");
        rejected(registry("{\"id\": \"a\", \"kind\": \"table\", \"section\": \"S\", \"notebook\": \"sub/n.ipynb\","
                + " \"title\": \"T\", \"outputs\": [\"csv\"]}"), "notebook");
        rejected(registry("{\"id\": \"a\", \"kind\": \"table\", \"section\": \"S\", \"notebook\": \"n.py\","
                + " \"title\": \"T\", \"outputs\": [\"csv\"]}"), "notebook");
    }

    @Test
    void figureWithoutPdfIsRejected() throws IOException {
        String m = rejected(registry(FIG_A, entry("no-pdf", "figure", "[\"png\", \"csv\"]")), "outputs");
        assertTrue(m.contains("figures[1]"), m);
        assertTrue(m.contains("pdf"), m);
    }

    @Test
    void figureWithoutCsvIsRejected() throws IOException {
        rejected(registry(entry("no-csv", "figure", "[\"png\", \"pdf\", \"svg\"]")), "outputs");
    }

    @Test
    void tableWithoutCsvIsRejected() throws IOException {
        rejected(registry(entry("html-only", "table", "[\"html\"]")), "outputs");
    }

    @Test
    void emptyOutputsAreRejected() throws IOException {
        rejected(registry(entry("none", "table", "[]")), "outputs");
    }

    @Test
    void repeatedExtensionIsRejected() throws IOException {
        rejected(registry(entry("twice", "figure", "[\"png\", \"pdf\", \"csv\", \"png\"]")), "outputs");
    }

    @Test
    void duplicateIdIsRejected() throws IOException {
        String m = rejected(registry(FIG_A, TABLE_B, FIG_A), "id");
        assertTrue(m.contains("figures[2]"), m);
        assertTrue(m.contains("'loss-curve'"), m);
        assertTrue(m.contains("twice"), m);
    }

    @Test
    void unknownExtensionIsRejected() throws IOException {
        String m = rejected(registry(entry("gif-plot", "figure", "[\"png\", \"pdf\", \"csv\", \"gif\"]")), "outputs");
        assertTrue(m.contains("'gif'"), m);
    }

    @Test
    void figureExtensionOnATableIsRejected() throws IOException {
        String m = rejected(registry(entry("tab", "table", "[\"csv\", \"png\"]")), "outputs");
        assertTrue(m.contains("'png'"), m);
    }

    @Test
    void nullEntryIsRejected() throws IOException {
        String m = rejected(registry(FIG_A, "null"), null);
        assertTrue(m.contains("figures[1]"), m);
    }

    @Test
    void missingFileIsAnUncheckedIoError() {
        Path file = dir.resolve("absent.json");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> FigureRegistry.load(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void missingOutputsListsAbsentAndEmptyFiles() throws IOException {
        FigureRegistry r = FigureRegistry.load(registry(FIG_A, TABLE_B));
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("loss-curve.png"), "png bytes");
        Files.createFile(out.resolve("loss-curve.pdf")); // empty: counts as missing
        // loss-curve.csv absent
        Files.writeString(out.resolve("sizes.csv"), "a,b\n1,2\n");
        Files.createDirectories(out.resolve("sizes.html")); // a folder, not a file
        assertEquals(List.of(out.resolve("loss-curve.pdf"), out.resolve("loss-curve.csv"), out.resolve("sizes.html")),
                r.missingOutputs(out, "demo"));
    }

    @Test
    void missingOutputsIsEmptyWhenEverythingIsThere() throws IOException {
        FigureRegistry r = FigureRegistry.load(registry(FIG_A, TABLE_B));
        Path out = Files.createDirectories(dir.resolve("out"));
        for (FigureSpec s : r.all()) {
            for (Path p : s.files(out)) {
                Files.writeString(p, "x");
            }
        }
        assertEquals(List.of(), r.missingOutputs(out, "demo"));
        assertEquals(5, r.missingOutputs(dir.resolve("nowhere"), "demo").size());
    }

    @Test
    void theRealRegistryLoadsAndNamesExistingNotebooks() {
        Path file = Path.of("..", "data-manifests", "figures.json");
        FigureRegistry r = FigureRegistry.load(file);
        assertFalse(r.all().isEmpty(), "the registry lists no figures");
        Path notebooks = Path.of("..", "notebooks");
        Set<String> ids = new HashSet<>();
        for (FigureSpec s : r.all()) {
            assertTrue(ids.add(s.id()));
            assertTrue(Files.isRegularFile(notebooks.resolve(s.notebook())),
                    "figure '" + s.id() + "' names notebook " + s.notebook() + ", which is not in notebooks/");
        }
    }

    private static final String PER_RUN = """
            {"id": "dose-{run}", "kind": "figure", "section": "5", "notebook": "05.ipynb", "title": "Dose per run",
             "outputs": ["png", "pdf", "csv"], "runs": {"demo": ["clip-classify", "clip-zeroshot"]}}""";

    /** A per-run id whose prefix another id starts with would take that entry's files for a run: refused, both named. */
    @Test
    void aPerRunPrefixThatAnotherIdStartsWithIsRejected() throws IOException {
        String m = rejected(registry(PER_RUN, entry("dose-response", "figure", "[\"png\", \"pdf\", \"csv\"]")), null);
        assertTrue(m.contains("'dose-{run}'") && m.contains("'dose-response'"), m);
        FigureRegistry.load(registry(PER_RUN, entry("doses", "figure", "[\"png\", \"pdf\", \"csv\"]"))); // another prefix: fine
    }

    @Test
    void aPerRunEntryServesEveryRunNameAndOnlyThose() throws IOException {
        FigureRegistry r = FigureRegistry.load(registry(FIG_A, PER_RUN));
        FigureSpec spec = r.get("dose-dinov2-cub-classify");
        assertEquals("dose-dinov2-cub-classify", spec.id());
        assertEquals("Dose per run", spec.title());
        assertFalse(spec.perRun());
        assertThrows(IllegalArgumentException.class, () -> r.get("dose-"), "a run name is needed");
        assertThrows(IllegalArgumentException.class, () -> r.get("dose-Bad_Name"));
        assertEquals(spec, r.get("dose-dinov2-cub-classify"));
    }

    @Test
    void theOutputCheckExpandsAPerRunEntryByTheProfilesRunsOrWhatIsThere() throws IOException {
        FigureRegistry r = FigureRegistry.load(registry(PER_RUN));
        Path out = Files.createDirectories(dir.resolve("out"));
        assertEquals(6, r.missingOutputs(out, "demo").size(), "two demo runs, three files each");
        assertEquals(3, r.missingOutputs(out, "paper").size(), "no run listed for paper: at least one is expected");
        for (String ext : List.of("png", "pdf", "csv")) {
            Files.writeString(out.resolve("dose-clip-in1k-classify." + ext), "x");
        }
        assertEquals(List.of(), r.missingOutputs(out, "paper"));
        assertEquals(6, r.missingOutputs(out, "demo").size(), "the demo's own runs are still missing");
        Files.delete(out.resolve("dose-clip-in1k-classify.pdf"));
        assertEquals(List.of(out.resolve("dose-clip-in1k-classify.pdf")), r.missingOutputs(out, "paper"));
    }

    @Test
    void runsOnAnOrdinaryEntryOrAnEmptyRunListIsRejected() throws IOException {
        rejected(registry(entry("plain", "table", "[\"csv\"]").replace("}", ", \"runs\": {\"demo\": [\"a\"]}}")), "runs");
        rejected(registry(PER_RUN.replace("[\"clip-classify\", \"clip-zeroshot\"]", "[]")), "runs.demo");
    }

    @Test
    void anEntryOfSomeProfilesIsExpectedOnlyFromThose() throws IOException {
        String demoOnly = entry("style", "table", "[\"csv\"]").replace("}", ", \"profiles\": [\"demo\"]}");
        FigureRegistry r = FigureRegistry.load(registry(demoOnly, TABLE_B));
        Path out = Files.createDirectories(dir.resolve("out"));
        assertEquals(List.of(out.resolve("style.csv"), out.resolve("sizes.csv"), out.resolve("sizes.html")), r.missingOutputs(out, "demo"));
        assertEquals(List.of(out.resolve("sizes.csv"), out.resolve("sizes.html")), r.missingOutputs(out, "paper"));
        assertTrue(r.get("style").producedBy("demo") && !r.get("style").producedBy("paper"));
        rejected(registry(entry("style", "table", "[\"csv\"]").replace("}", ", \"profiles\": []}")), "profiles");
    }
}
