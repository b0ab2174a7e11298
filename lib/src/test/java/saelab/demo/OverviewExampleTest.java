package saelab.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.heads.HeadKind;
import saelab.intervene.ConceptChoice;

/**
 * {@link OverviewExample}'s fixed rules on small synthetic inputs: only classes whose edited latent is the concept match's
 * choice are candidates, the best F1 wins with ties to the lower class id, and a run that cannot give an example says why
 * in one sentence before any model is loaded.
 */
class OverviewExampleTest {

    @TempDir
    Path tmp;

    /** A concepts folder of family colour: none, red (latent 5, F1 0.6), green (latent 7, F1 0.9), blue (latent 9, F1 0.9). */
    private Path concepts() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("concepts"));
        Files.writeString(dir.resolve("concepts.csv"), """
                family,unit,class,name,positives,prevalence,f1_all,best_f1_latent,best_f1
                colour,patch,0,none,90,0.9,0.9,0,0.95
                colour,patch,1,red,10,0.1,0.1,5,0.6
                colour,patch,2,green,10,0.1,0.1,7,0.9
                colour,patch,3,blue,10,0.1,0.1,9,0.9
                shape,patch,0,circle,10,0.1,0.1,11,0.99
                """);
        return dir;
    }

    private static Map<Integer, Object[]> edited(Object... classNameLatent) {
        Map<Integer, Object[]> out = new java.util.HashMap<>();
        for (int i = 0; i < classNameLatent.length; i += 3) {
            out.put((Integer) classNameLatent[i], new Object[] {classNameLatent[i + 1], classNameLatent[i + 2]});
        }
        return out;
    }

    @Test
    void onlyClassesEditedWithTheMatchedLatentAreCandidates() throws IOException {
        ConceptChoice c = ConceptChoice.read(concepts(), "colour", null, 16);
        // blue was edited with latent 8, not its matched latent 9; names are compared after trimming
        List<OverviewExample.Candidate> got = OverviewExample.candidates(edited(1, " red ", 5, 2, "green", 7, 3, "blue", 8), c);
        assertEquals(List.of(new OverviewExample.Candidate(1, "red", 5, 0.6), new OverviewExample.Candidate(2, "green", 7, 0.9)), got);
    }

    @Test
    void theBestF1WinsAndTiesGoToTheLowerClass() throws IOException {
        ConceptChoice c = ConceptChoice.read(concepts(), "colour", null, 16);
        assertEquals(2, OverviewExample.pick(OverviewExample.candidates(edited(1, "red", 5, 2, "green", 7), c), "edits").classId());
        // green and blue tie at F1 0.9: the lower class id, whatever the order of the candidates
        List<OverviewExample.Candidate> tie = List.of(new OverviewExample.Candidate(3, "blue", 9, 0.9),
                new OverviewExample.Candidate(2, "green", 7, 0.9), new OverviewExample.Candidate(1, "red", 5, 0.6));
        assertEquals(2, OverviewExample.pick(tie, "edits").classId());
    }

    @Test
    void noCandidateIsOneSentenceNamingTheEdits() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OverviewExample.pick(List.of(), "/run/edits"));
        assertTrue(e.getMessage().startsWith("/run/edits: no edited class's latent is the concept match's best-F1 latent"), e.getMessage());
    }

    /** A demo.json naming a segmentation control run, its analysis and concepts folders under {@code tmp}. */
    private DemoOutputs run(String index, Object... classNameLatent) throws IOException {
        Path control = Files.createDirectories(tmp.resolve("control/edits"));
        for (int i = 0; i < classNameLatent.length; i += 3) {
            Files.writeString(control.resolve("class-" + classNameLatent[i] + ".json"), """
                    {"class": %d, "name": "%s", "real": {"latents": [%d]}}""".formatted(classNameLatent[i], classNameLatent[i + 1],
                    classNameLatent[i + 2]));
        }
        if (index != null) {
            Files.writeString(tmp.resolve("control/index.json"), index);
        }
        Files.createDirectories(tmp.resolve("analysis"));
        Files.writeString(tmp.resolve("analysis/index.json"), "{\"d_sae\": 16}");
        concepts();
        Files.writeString(tmp.resolve(DemoPipeline.SUMMARY), """
                {"format": "%s", "steps": {
                  "analyze-dinov2-patch": {"kind": "analyze", "inputs": {}, "dir": "analysis"},
                  "concepts-dinov2-patch": {"kind": "concepts", "inputs": {}, "dir": "concepts"},
                  "control-dinov2-segment": {"kind": "control", "inputs": {"analysis": "analyze-dinov2-patch",
                                             "concepts": "concepts-dinov2-patch"}, "dir": "control"}}}""".formatted(DemoPipeline.FORMAT));
        return DemoOutputs.open(tmp);
    }

    @Test
    void aRunWithoutAnIndexOrAFamilyOrAMatchedEditSaysSoInOneSentence() throws IOException {
        DemoOutputs noIndex = run(null, 2, "green", 7);
        var e = assertThrows(IllegalArgumentException.class, () -> OverviewExample.choose(noIndex, "dinov2", HeadKind.SEGMENT));
        assertTrue(e.getMessage().endsWith("has no index.json; expected a finished 'saelab control' run"), e.getMessage());

        // without a family, the concepts file must hold one; this one holds two
        DemoOutputs noFamily = run("{\"inputs\": {}}", 2, "green", 7);
        e = assertThrows(IllegalArgumentException.class, () -> OverviewExample.choose(noFamily, "dinov2", HeadKind.SEGMENT));
        assertTrue(e.getMessage().contains("holds more than one label family ('colour' and 'shape')"), e.getMessage());

        DemoOutputs unmatched = run("{\"inputs\": {\"family\": \"colour\"}}", 2, "green", 8);
        e = assertThrows(IllegalArgumentException.class, () -> OverviewExample.choose(unmatched, "dinov2", HeadKind.SEGMENT));
        assertTrue(e.getMessage().contains("no edited class's latent is the concept match's best-F1 latent"), e.getMessage());
        assertEquals(1, e.getMessage().split("\n").length);
    }

    @Test
    void anExampleOfAClassTheRunDidNotEditIsRefusedByName() throws IOException {
        DemoOutputs d = run("{\"inputs\": {\"family\": \"colour\"}}", 1, "red", 5, 2, "green", 7);
        var e = assertThrows(IllegalArgumentException.class, () -> ControlExamples.image(d, "dinov2", HeadKind.SEGMENT, 4));
        assertTrue(e.getMessage().endsWith("holds no class-4.json; the control run edited classes [1, 2]"), e.getMessage());
    }
}
