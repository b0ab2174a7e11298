package saelab.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import saelab.heads.HeadKind;
import saelab.intervene.ControlRun;
import saelab.intervene.ControlSlots;
import saelab.intervene.stats.DoseGrid;
import saelab.plot.DoseResponsePlot;

/** {@code saelab control segment|classify|zeroshot|vlm}: the quantitative intervention protocol with controls ({@code vlm}: {@link ControlVlmCommand}). */
@Command(name = "control", mixinStandardHelpOptions = true,
        description = {"The quantitative intervention protocol: per class, ablate the latent chosen on the training split (concepts"
                + " folder, best F1) on a held-out split, against frequency-matched random latents, norm-matched random directions and"
                + " the class-mean-difference direction; faithfulness first, cluster-bootstrap intervals, paired tests with Holm's"
                + " correction, dose-response. Writes per-class.csv, summary.json, dose-response.csv and plot, edits/ and index.json."
                + " 'control vlm' runs the VLM protocol instead: suppress and swap edits of a question's answer latent on a VLM's"
                + " vision features, sampled answers against the same controls."},
        subcommands = {ControlCommand.Segment.class, ControlCommand.Classify.class, ControlCommand.ZeroShot.class, ControlVlmCommand.class})
final class ControlCommand {

    /** The options every task shares. */
    abstract static class Common implements Callable<Integer> {
        @Mixin
        ModelOptions model;

        @Mixin
        SaeFileOption sae;

        @Option(names = "--head", required = true, description = "the task head file")
        Path head;

        @Option(names = "--dataset", required = true, paramLabel = "KIND:PATH|manifest:FILE",
                description = "the held-out images, as 'saelab capture --dataset' takes them")
        String dataset;

        @Option(names = "--split", defaultValue = "val", description = "the held-out split of a dataset spec (default ${DEFAULT-VALUE})")
        String split;

        @Option(names = "--concepts", required = true, description = "the concepts folder of 'saelab concepts' on the training split")
        Path concepts;

        @Option(names = "--family", paramLabel = "NAME",
                description = "the label family of concepts.csv to take the latents from, when it holds several; its rows are matched to"
                        + " the head's classes by name")
        String family;

        @Option(names = "--analysis", required = true, description = "the analysis folder of 'saelab analyze' (latent maxima, frequencies)")
        Path analysis;

        @Mixin
        OutputFolderOption out;

        @Option(names = "--classes", split = ",", description = "the head's class ids (default: every head class with a chosen latent)")
        List<Integer> classes;

        @Option(names = "--max-images", defaultValue = "500", description = "held-out images used, in dataset order (default ${DEFAULT-VALUE})")
        int maxImages;

        @Option(names = "--random-latents", defaultValue = "3", description = "frequency-matched random latents (default ${DEFAULT-VALUE})")
        int randomLatents;

        @Option(names = "--random-directions", defaultValue = "3", description = "norm-matched random directions (default ${DEFAULT-VALUE})")
        int randomDirections;

        @Option(names = "--class-mean", description = "add the class-mean-difference control (needs --train-cache)")
        boolean classMean;

        @Option(names = "--train-cache", description = "a cache of the training split at the edit block, with patch labels (segment) or image labels (classify,"
                + " zeroshot)")
        Path trainCache;

        @Option(names = "--doses", defaultValue = "-20,-10,-5,-2,-1,0,1,2,5,10,20",
                description = "dose-response grid in units of the latent's maximum (from:to:count or a list), or 'none' (default"
                        + " ${DEFAULT-VALUE})")
        String doses;

        @Option(names = "--exclude-concept-latents", description = "the random-latent control leaves out every latent of a class run (F1 >= 0.5"
                + " in the concepts folder's concept_f1_<family>.npy), so that no control is itself a latent of the class under test")
        boolean excludeConcepts;

        @Option(names = "--tolerance", defaultValue = "0.1", description = "frequency matching tolerance in decades (default ${DEFAULT-VALUE})")
        double tolerance;

        @Option(names = "--seed", defaultValue = "0")
        long seed;

        @Option(names = "--bootstrap", defaultValue = "1000", description = "bootstrap replicates (default ${DEFAULT-VALUE})")
        int bootstrap;

        @Mixin
        DeviceOption device;

        /** The head this subcommand needs (segment, classify or zeroshot). */
        abstract HeadKind headKind();

        @Override
        public Integer call() throws Exception {
            Path headFile = CliPaths.requireFile(head, headKind() == HeadKind.ZEROSHOT ? "a zero-shot head file (saelab head zeroshot)"
                    : "a head file (saelab head train)");
            ControlRun.Request q = ControlRun.Request.builder(headKind(), model.model, model.folder(), sae.file(), headFile, dataset,
                            concepts, analysis, out.folder())
                    .split(split).family(family).trainCache(trainCache).classes(classes).maxImages(maxImages)
                    .slots(new ControlSlots(randomLatents, randomDirections, classMean))
                    .doses("none".equalsIgnoreCase(doses.strip()) ? null : DoseGrid.parse(doses, "--doses"))
                    .seed(seed).bootstrap(bootstrap).tolerance(tolerance).device(device.device()).excludeConcepts(excludeConcepts).build();
            ControlRun.Outcome r = ControlRun.run(q, DoseResponsePlot::write, System.err);
            @SuppressWarnings("unchecked")
            Map<String, Object> faith = (Map<String, Object>) r.summary().get("faithfulness");
            System.out.printf(Locale.ROOT, "%d images, %d classes; no-edit agreement %s, reconstruction agreement %s%n", r.result().used(),
                    r.classes().size(), faith.get("no_edit_agreement"), faith.get("reconstruction_agreement_with_clean"));
            System.out.println("wrote " + r.index());
            return 0;
        }
    }

    @Command(name = "segment", mixinStandardHelpOptions = true,
            description = "Segmentation: target and off-target patch change rates, delta IoU, collateral change on images without the class.")
    static final class Segment extends Common {
        @Override
        HeadKind headKind() {
            return HeadKind.SEGMENT;
        }
    }

    @Command(name = "classify", mixinStandardHelpOptions = true,
            description = "Classification (a linear probe): delta p(target), top-1 flip rate, where the flips go.")
    static final class Classify extends Common {
        @Override
        HeadKind headKind() {
            return HeadKind.CLASSIFY;
        }
    }

    @Command(name = "zeroshot", mixinStandardHelpOptions = true,
            description = "Zero-shot classification (--head from 'saelab head zeroshot'): the classify measures.")
    static final class ZeroShot extends Common {
        @Override
        HeadKind headKind() {
            return HeadKind.ZEROSHOT;
        }
    }
}
