package saelab.demo;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.capture.CaptureOptions;
import saelab.capture.CapturePipeline;
import saelab.capture.CaptureSummary;
import saelab.capture.TokenSelection;
import saelab.data.ToyWorldShape;
import saelab.data.ToyWorldWriter;
import saelab.heads.HeadKind;
import saelab.heads.HeadTraining;
import saelab.heads.HeadProvenance;
import saelab.heads.HeadTrainer;
import saelab.heads.LinearHead;
import saelab.heads.ZeroShotHead;
import saelab.model.LoadOptions;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.store.ActivationCache;
import saelab.store.RecordedLayer;
import saelab.store.StorageDtype;
import saelab.text.Tokenizers;

/**
 * Step {@code heads-<id>}: the task heads of one backbone, trained on the training world's scenes (a tenth of them held
 * out for the head's own metrics; the heads never see the held-out world the protocol runs on):
 * <ul>
 *   <li>a vision-only backbone: a linear segmentation head on the final-normed patch tokens, on the world's colour view
 *       (label = the colour of the object at the pixel, {@code background} elsewhere);</li>
 *   <li>a backbone with a text tower: a linear classification probe on the pooled output, on the largest-object-colour
 *       view, and its zero-shot head: the colour names through the text tower, one prompt per shape
 *       ({@code "a {} circle"}, ...), averaged (prompt ensembling as Radford et al. 2021).</li>
 * </ul>
 * The capture ({@code cache/}) records the edit block too, for the class-mean control of {@link ControlStep}. Writes
 * {@code segment.safetensors} or {@code classify.safetensors} and {@code zeroshot.safetensors}.
 */
final class HeadStep {

    static final int VERSION = 1;
    static final String CACHE = "cache";

    private HeadStep() {}

    static String name(BackboneProvider p) {
        return name(p.id());
    }

    static String name(String backbone) {
        return "heads-" + backbone;
    }

    /** The head file of {@code kind} in a finished head step. */
    static Path headFile(StepOutcome heads, HeadKind kind) {
        return heads.dir().resolve(kind.id() + ".safetensors");
    }

    /** The capture of the training view (edit block and the head's layer) of a finished head step. */
    static Path cacheDir(StepOutcome heads) {
        return heads.dir().resolve(CACHE);
    }

    /** The toy-world view a task's labels come from, as a dataset spec. */
    static String dataset(Path world, boolean segment) {
        return segment ? "ade20k:" + world.resolve(ToyWorldWriter.COLOUR_VIEW) : "folder:" + world.resolve(ToyWorldWriter.LARGEST_COLOUR_VIEW);
    }

    /** The split of {@link #dataset}: ADE20K's {@code train}; the image folder has none (its classes are its subfolders). */
    static String split(boolean segment) {
        return segment ? "train" : null;
    }

    /** The zero-shot prompts: one per shape, so that a colour's class vector is the mean over shapes. */
    static List<String> templates() {
        List<String> out = new ArrayList<>();
        for (ToyWorldShape s : ToyWorldShape.values()) {
            out.add("a {} " + s.word());
        }
        return List.copyOf(out);
    }

    /**
     * The heads {@code kinds}, trained with {@code training} on the capture at {@code block} (negative counts from the
     * end), {@code batch} images per forward pass.
     */
    static Step of(BackboneProvider provider, HeadTraining training, int block, int batch, List<HeadKind> kinds, StepOutcome world,
                   StepOutcome backbone) {
        boolean segment = kinds.contains(HeadKind.SEGMENT);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("heads", kinds.stream().map(HeadKind::id).toList());
        params.put("training", training.toJson());
        params.put("block", block);
        params.put("view", segment ? ToyWorldWriter.COLOUR_VIEW : ToyWorldWriter.LARGEST_COLOUR_VIEW);
        params.put("templates", kinds.contains(HeadKind.ZEROSHOT) ? templates() : List.of());
        return new Step(name(provider), VERSION, params, List.of(world, backbone), (out, log) -> {
            Path model = BackboneStep.modelDir(backbone);
            int chosen = BlockIndex.resolve(block, CaptureStep.depthOf(model), "heads " + provider.id());
            List<Integer> layers = List.of(chosen, segment ? RecordedLayer.FINAL : RecordedLayer.POOLED);
            CaptureOptions o = CaptureOptions.builder(model, dataset(WorldStep.worldDir(world), segment), split(segment), layers,
                            TokenSelection.parse("patches"), out.resolve(CACHE))
                    .model(provider.id(), null).dtype(StorageDtype.F16).batch(batch).build();
            CaptureSummary s = CapturePipeline.run(o, log);
            if (!s.failures().isEmpty()) {
                throw new IllegalStateException("the head capture of backbone " + provider.id() + " could not use " + s.failures().size()
                        + " toy-world image(s), first " + s.failures().getFirst());
            }
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("block", chosen);
            List<String> classes;
            try (ActivationCache c = ActivationCache.open(out.resolve(CACHE))) {
                HeadKind linearKind = segment ? HeadKind.SEGMENT : HeadKind.CLASSIFY;
                LinearHead head = HeadTrainer.train(c, linearKind, training, Device.cpu(), log);
                head.save(headFile(out, linearKind));
                JsonNode val = head.provenance().metrics().get("val");
                summary.put(linearKind.id() + "_val", val);
                classes = segment ? c.labelClasses() : c.imageClasses();
            }
            if (kinds.contains(HeadKind.ZEROSHOT)) {
                try (LoadedModel m = ModelLoader.load(model, new LoadOptions(Device.cpu(), DataType.FLOAT32, null));
                     NDManager nd = NDManager.newBaseManager()) {
                    ZeroShotHead z = ZeroShotHead.build(m.dual(), Tokenizers.fromFolder(model), classes, templates(), "one per toy shape",
                            HeadProvenance.modelOf(provider.id(), model), nd);
                    z.save(headFile(out, HeadKind.ZEROSHOT));
                }
            }
            summary.put("classes", classes);
            return summary;
        });
    }

    private static Path headFile(Path dir, HeadKind kind) {
        return dir.resolve(kind.id() + ".safetensors");
    }
}
