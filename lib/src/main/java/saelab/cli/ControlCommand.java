package saelab.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import saelab.analysis.AnalysisResult;
import saelab.analysis.RecordedLayer;
import saelab.heads.ClassificationHead;
import saelab.heads.HeadKind;
import saelab.heads.HeadProvenance;
import saelab.heads.LinearHead;
import saelab.heads.SegmentationHead;
import saelab.heads.TaskHead;
import saelab.heads.ZeroShotHead;
import saelab.image.Preprocessor;
import saelab.intervene.ConceptChoice;
import saelab.intervene.ControlProtocol;
import saelab.intervene.ControlSlots;
import saelab.intervene.ProtocolImages;
import saelab.intervene.ProtocolReport;
import saelab.intervene.stats.ClassMeanDifference;
import saelab.intervene.stats.DoseGrid;
import saelab.io.Safetensors;
import saelab.io.Sha256;
import saelab.model.LoadOptions;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.plot.DoseResponsePlot;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.store.ActivationCache;
import saelab.store.CacheManifest;

/** {@code saelab control segment|classify|zeroshot}: the quantitative intervention protocol with controls. */
@Command(name = "control", mixinStandardHelpOptions = true,
        description = {"The quantitative intervention protocol: per class, ablate the latent chosen on the training split (concepts"
                + " folder, best F1) on a held-out split, against frequency-matched random latents, norm-matched random directions and"
                + " the class-mean-difference direction; faithfulness first, cluster-bootstrap intervals, paired tests with Holm's"
                + " correction, dose-response. Writes per-class.csv, summary.json, dose-response.csv and plot, edits/ and index.json."},
        subcommands = {ControlCommand.Segment.class, ControlCommand.Classify.class, ControlCommand.ZeroShot.class})
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

        @Option(names = "--analysis", required = true, description = "the analysis folder of 'saelab analyze' (latent maxima, frequencies)")
        Path analysis;

        @Mixin
        OutputFolderOption out;

        @Option(names = "--classes", split = ",", description = "class ids (default: every class with a chosen latent)")
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

        @Option(names = "--tolerance", defaultValue = "0.1", description = "frequency matching tolerance in decades (default ${DEFAULT-VALUE})")
        double tolerance;

        @Option(names = "--seed", defaultValue = "0")
        long seed;

        @Option(names = "--bootstrap", defaultValue = "1000", description = "bootstrap replicates (default ${DEFAULT-VALUE})")
        int bootstrap;

        @Mixin
        DeviceOption device;

        abstract ControlProtocol.Task task();

        abstract boolean zeroShot();

        /** The subcommand's name. */
        abstract String name();

        @Override
        public Integer call() throws Exception {
            ControlSlots slots = new ControlSlots(randomLatents, randomDirections, classMean);
            DoseGrid grid = "none".equalsIgnoreCase(doses.strip()) ? null : DoseGrid.parse(doses, "--doses");
            if (classMean && trainCache == null) {
                throw new IllegalArgumentException("--class-mean needs --train-cache, a cache of the training split at the edit block");
            }
            Path dir = out.folder();
            Path saeFile = sae.file();
            int block = RecordedLayer.resolve(saeFile, null, "the edit block").layer();
            Path headFile = CliPaths.requireFile(head, zeroShot() ? "a zero-shot head file (saelab head zeroshot)" : "a head file (saelab head train)");
            requireHeadKind(headFile);
            ZeroShotHead zs = zeroShot() ? ZeroShotHead.load(headFile) : null;
            LinearHead linear = zeroShot() ? null : LinearHead.load(headFile);
            Path folder = model.folder();
            CacheManifest.ModelRef ref = HeadProvenance.modelOf(model.model, folder);
            (zeroShot() ? zs.provenance() : linear.provenance()).requireModel(ref, headFile, "the model " + model.model);
            CliPaths.requireFolder(analysis, "an analysis folder (saelab analyze)");
            CliPaths.requireFolder(concepts, "a concepts folder (saelab concepts)");
            AnalysisResult an = AnalysisResult.read(analysis);
            String saeSha = Sha256.of(saeFile);
            Preprocessor pre = Preprocessor.load(folder);
            Device dev = device.device();
            try (LoadedModel m = ModelLoader.load(folder, new LoadOptions(dev, DataType.FLOAT32, null));
                 NDManager nd = NDManager.newBaseManager(dev)) {
                TaskHead task = zeroShot() ? zs : linear.provenance().kind() == HeadKind.SEGMENT ? SegmentationHead.of(linear, m.vision())
                        : ClassificationHead.of(linear);
                Sae s = SaeCheckpoint.read(saeFile, nd);
                ConceptChoice choice = ConceptChoice.read(concepts, saeSha, s.config().dSae());
                boolean seg = task() == ControlProtocol.Task.SEGMENT;
                ProtocolImages images = ProtocolImages.open(dataset, split, pre, m.vision(), seg, maxImages);
                List<Integer> ids = classes != null ? classes : defaultClasses(choice, seg ? images.ignoreLabel() : -1);
                ClassMeanDifference means = null;
                if (classMean) {
                    CliPaths.requireFolder(trainCache, "an activation cache folder");
                    try (ActivationCache c = ActivationCache.open(trainCache)) {
                        means = seg ? ClassMeanDifference.compute(c, block, 64) : ClassMeanDifference.computeByImage(c, block, 64);
                    }
                }
                ControlProtocol.Options o = new ControlProtocol.Options(task(), ids, slots, grid, seed, bootstrap, tolerance);
                ControlProtocol.Result r = ControlProtocol.run(new ControlProtocol.Inputs(m.vision(), s, block, task, images, choice, an, means,
                        dev), o, System.err);
                List<Path> figures = r.dose() == null ? List.of() : DoseResponsePlot.write(r.dose(), seg ? "patch" : "top-1", dir);
                Map<String, Object> inputs = new LinkedHashMap<>();
                inputs.put("model", model.model);
                inputs.put("model_sha256", ref.weightsSha256());
                inputs.put("block", block);
                inputs.put("sae", saeFile.toString());
                inputs.put("sae_sha256", saeSha);
                inputs.put("head", headFile.toString());
                inputs.put("head_sha256", Sha256.of(headFile));
                inputs.put("head_kind", task.kind().id());
                inputs.put("dataset", dataset);
                inputs.put("split", split);
                inputs.put("dataset_checksum", images.checksum());
                inputs.put("max_images", maxImages);
                inputs.put("concepts", concepts.toString());
                inputs.put("analysis", analysis.toString());
                inputs.put("train_cache", trainCache == null ? null : trainCache.toString());
                Map<String, Object> summary = ProtocolReport.write(dir, r, "saelab control " + name(), inputs, figures);
                @SuppressWarnings("unchecked")
                Map<String, Object> faith = (Map<String, Object>) summary.get("faithfulness");
                System.out.printf(Locale.ROOT, "%d images, %d classes; no-edit agreement %s, reconstruction agreement %s%n", r.used(), ids.size(),
                        faith.get("no_edit_agreement"), faith.get("reconstruction_agreement_with_clean"));
                System.out.println("wrote " + dir.resolve("index.json"));
            }
            return 0;
        }

        /** The head's kind must be this subcommand's: a clear sentence naming the subcommand that takes it otherwise. */
        private void requireHeadKind(Path headFile) throws IOException {
            HeadKind kind = LinearHead.provenance(headFile, Safetensors.read(headFile).metadata()).kind();
            HeadKind expected = zeroShot() ? HeadKind.ZEROSHOT : task() == ControlProtocol.Task.SEGMENT ? HeadKind.SEGMENT : HeadKind.CLASSIFY;
            if (kind != expected) {
                String other = switch (kind) {
                    case SEGMENT -> "segment";
                    case CLASSIFY -> "classify";
                    case ZEROSHOT -> "zeroshot";
                };
                throw new IllegalArgumentException("the head " + headFile + " is a " + kind.id() + " head, but control " + name() + " needs a "
                        + expected.id() + " head; run 'saelab control " + other + "' with it");
            }
        }

        private static List<Integer> defaultClasses(ConceptChoice choice, int ignore) {
            List<Integer> out = new ArrayList<>();
            for (int c : choice.classes()) {
                if (c != ignore && choice.choice(c).latent() >= 0) {
                    out.add(c);
                }
            }
            return out;
        }
    }

    @Command(name = "segment", mixinStandardHelpOptions = true,
            description = "Segmentation: target and off-target patch change rates, delta IoU, collateral change on images without the class.")
    static final class Segment extends Common {
        @Override
        String name() {
            return "segment";
        }

        @Override
        ControlProtocol.Task task() {
            return ControlProtocol.Task.SEGMENT;
        }

        @Override
        boolean zeroShot() {
            return false;
        }
    }

    @Command(name = "classify", mixinStandardHelpOptions = true,
            description = "Classification (a linear probe): delta p(target), top-1 flip rate, where the flips go.")
    static final class Classify extends Common {
        @Override
        String name() {
            return "classify";
        }

        @Override
        ControlProtocol.Task task() {
            return ControlProtocol.Task.CLASSIFY;
        }

        @Override
        boolean zeroShot() {
            return false;
        }
    }

    @Command(name = "zeroshot", mixinStandardHelpOptions = true,
            description = "Zero-shot classification (--head from 'saelab head zeroshot'): the classify measures.")
    static final class ZeroShot extends Common {
        @Override
        String name() {
            return "zeroshot";
        }

        @Override
        ControlProtocol.Task task() {
            return ControlProtocol.Task.CLASSIFY;
        }

        @Override
        boolean zeroShot() {
            return true;
        }
    }
}
