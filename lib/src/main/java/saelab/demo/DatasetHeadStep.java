package saelab.demo;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.capture.CaptureOptions;
import saelab.capture.CapturePipeline;
import saelab.capture.CaptureSummary;
import saelab.capture.TokenSelection;
import saelab.heads.HeadKind;
import saelab.heads.HeadProvenance;
import saelab.heads.HeadTrainer;
import saelab.heads.HeadTraining;
import saelab.heads.LinearHead;
import saelab.heads.ZeroShotHead;
import saelab.model.LoadOptions;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.store.ActivationCache;
import saelab.store.RecordedLayer;
import saelab.store.StorageDtype;
import saelab.text.PromptTemplates;
import saelab.text.Tokenizers;

/**
 * A plan's {@code heads} step on a dataset source: what {@code saelab capture --layers BLOCK,final|pooled}, {@code saelab
 * head train} and {@code saelab head zeroshot} do, in one step. The dataset is captured at the edit block and at the
 * head's layer ({@code cache/}, which the control protocol's class-mean control reads too); then
 * <ul>
 *   <li>{@code segment}: a linear segmentation head on the final-normed patch tokens and the dataset's per-patch labels;</li>
 *   <li>{@code classify}: a linear probe on the pooled output and the image labels;</li>
 *   <li>{@code zeroshot} (with {@code classify}, a model with a text tower): its zero-shot head, the dataset's class names
 *       through the text tower with the plan's prompt templates, averaged (Radford et al. 2021): OpenAI's 80 ImageNet
 *       templates ({@code openai80}) or their 7-template subset ({@code simple7}, which their prompt-engineering notebook
 *       found to give about the accuracy of all 80 on ImageNet at a tenth of the text encodings: 7,000 rather than 80,000
 *       prompts for ImageNet's 1,000 classes).</li>
 * </ul>
 * A tenth of the images are held out for the linear head's own metrics ({@link HeadTraining}). Writes
 * {@code segment.safetensors} or {@code classify.safetensors}, and {@code zeroshot.safetensors}.
 */
final class DatasetHeadStep {

    static final int VERSION = 1;

    private DatasetHeadStep() {}

    /**
     * The heads {@code kinds} (segment, or classify with or without zeroshot), trained with {@code training}, the zero-shot
     * head over the prompt template set {@code templates} ({@link PromptTemplates#named}, or {@code none}).
     */
    static Step of(String name, SourceInputs.Model model, HeadTraining training, int block, int batch, List<HeadKind> kinds,
                   String templates, SourceInputs.Dataset data) {
        boolean segment = kinds.contains(HeadKind.SEGMENT);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("heads", kinds.stream().map(HeadKind::id).toList());
        params.put("training", training.toJson());
        params.put("block", block);
        params.put("batch", batch);
        params.put("templates", kinds.contains(HeadKind.ZEROSHOT) ? templates : PlanKinds.NO_TEMPLATES);
        return new Step(name, VERSION, params, List.of(data.outcome(), model.outcome()), (out, log) -> {
            int chosen = BlockIndex.resolve(block, CaptureStep.depthOf(model.folder()), "heads " + name);
            List<Integer> layers = List.of(chosen, segment ? RecordedLayer.FINAL : RecordedLayer.POOLED);
            CaptureOptions o = CaptureOptions.builder(model.folder(), data.spec(), data.split(), layers, TokenSelection.parse("patches"),
                            out.resolve(HeadStep.CACHE))
                    .model(model.name(), model.revision()).dtype(StorageDtype.F16).batch(batch).build();
            CaptureSummary s = CapturePipeline.run(o, log);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("block", chosen);
            summary.put("images", s.manifest().nImages());
            summary.put("skipped", s.failures().size());
            List<String> classes;
            try (ActivationCache c = ActivationCache.open(out.resolve(HeadStep.CACHE))) {
                HeadKind linearKind = segment ? HeadKind.SEGMENT : HeadKind.CLASSIFY;
                LinearHead head = HeadTrainer.train(c, linearKind, training, Device.cpu(), log);
                head.save(out.resolve(linearKind.id() + ".safetensors"));
                summary.put(linearKind.id() + "_val", head.provenance().metrics().get("val"));
                classes = segment ? c.labelClasses() : c.imageClasses();
            }
            if (kinds.contains(HeadKind.ZEROSHOT)) {
                try (LoadedModel m = ModelLoader.load(model.folder(), new LoadOptions(Device.cpu(), DataType.FLOAT32, null));
                     NDManager nd = NDManager.newBaseManager()) {
                    ZeroShotHead z = ZeroShotHead.build(m.dual(), Tokenizers.fromFolder(model.folder()), classes, PromptTemplates.named(templates),
                            templates, HeadProvenance.modelOf(model.name(), model.folder()), nd);
                    z.save(out.resolve(HeadKind.ZEROSHOT.id() + ".safetensors"));
                }
            }
            summary.put("classes", classes.size());
            return summary;
        });
    }
}
