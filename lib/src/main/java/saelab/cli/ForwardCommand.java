package saelab.cli;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import saelab.lm.llava.LlavaForward;
import saelab.lm.llava.LlavaModel;
import saelab.lm.moondream.MoondreamForward;
import saelab.lm.moondream.MoondreamModel;
import saelab.model.ForwardRunner;
import saelab.model.LoadOptions;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.model.PosInterpolation;

/** {@code saelab forward}: runs a local model on the tensors of an inputs file and writes every activation. */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = {"Runs a model (DINOv2, CLIP, SigLIP, open_clip/BioCLIP) on pixel_values[_S] and input_ids[_S] of a safetensors file",
                "and writes vision[_S].{embeddings,block.i,last_hidden_state,pooler_output}, text[_S].*, image_embeds, text_embeds,",
                "their _normalized forms and logits_per_image (float32 safetensors; blocks counted from 0).",
                "A LLaVA folder (model_type llava) reads pixel_values, input_ids, attention_mask [, pad.input_ids, pad.attention_mask]",
                "[, edit.direction, edit.scale] and writes vision.*, image_features, text.*, logits, next.top5_* [, generate.*, pad.*,",
                "edited.*] (ids as int64). A moondream2 folder reads crops, tiling, prompt_ids and writes vision.*, text.prefix.*,",
                "text.prompt.* [, generate.*]."})
final class ForwardCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--inputs", required = true, description = "safetensors with pixel_values[_SUFFIX] [B,3,H,W] and/or input_ids[_SUFFIX] [B,T]")
    Path inputs;

    @Option(names = "--out", required = true, description = "output safetensors (written atomically)")
    Path out;

    @Option(names = "--pos-interpolation",
            description = "size, offset or antialias (default: the model's reference; dinov2: size, with registers: antialias)")
    String posInterpolation;

    @Option(names = "--generate", defaultValue = "0", paramLabel = "N",
            description = "vision-language models: also generate N tokens greedily (generate.new_ids, generate.step_logits)")
    int generate;

    @Mixin
    DeviceOption device;

    @Option(names = "--dtype", defaultValue = "f32", description = "f32, or f16 / bf16 on a GPU (default ${DEFAULT-VALUE})")
    String dtype;

    /** Parses --dtype. */
    static DataType dtype(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "f32", "float32", "fp32" -> DataType.FLOAT32;
            case "f16", "float16", "fp16" -> DataType.FLOAT16;
            case "bf16", "bfloat16" -> DataType.BFLOAT16;
            default -> throw new IllegalArgumentException("--dtype is '" + name + "'; expected f32, f16 or bf16");
        };
    }

    @Override
    public Integer call() throws Exception {
        PosInterpolation p = posInterpolation == null ? null : PosInterpolation.parse(posInterpolation, "--pos-interpolation");
        LoadOptions options = new LoadOptions(device.device(), dtype(dtype), p);
        CliPaths.requireWritable(out);
        Path folder = model.folder();
        if (LlavaModel.isLlavaFolder(folder)) {
            if (posInterpolation != null || !dtype(dtype).equals(DataType.FLOAT32)) {
                throw new IllegalArgumentException("--pos-interpolation and --dtype apply to vision models; a LLaVA model runs at its"
                        + " trained image size in float32");
            }
            try (LlavaModel m = LlavaModel.load(folder)) {
                Set<String> names = LlavaForward.run(m, inputs, out, generate);
                System.out.printf(Locale.ROOT, "llava model (%s vision tower, %s language model): wrote %d tensors to %s%n",
                        m.config().visionFamily().id(), m.config().text().family().modelType(), names.size(), out);
            }
            return 0;
        }
        if (MoondreamForward.isMoondreamFolder(folder)) {
            if (posInterpolation != null || !dtype(dtype).equals(DataType.FLOAT32)) {
                throw new IllegalArgumentException("--pos-interpolation and --dtype apply to vision models; a moondream model runs in"
                        + " float32 on its own crops");
            }
            try (MoondreamModel m = MoondreamModel.load(folder, device.device())) {
                Set<String> names = MoondreamForward.run(m, inputs, out, generate);
                System.out.printf(Locale.ROOT, "moondream model: wrote %d tensors to %s%n", names.size(), out);
            }
            return 0;
        }
        if (generate != 0) {
            throw new IllegalArgumentException("--generate applies to vision-language models; " + folder + " holds a vision model");
        }
        try (LoadedModel m = ModelLoader.load(folder, options)) {
            Set<String> names = ForwardRunner.run(m, inputs, out);
            System.out.printf(Locale.ROOT, "%s model (%d blocks, position interpolation %s): wrote %d tensors to %s%n", m.family().id(),
                    m.vision().depth(), m.vision().posInterpolation().id(), names.size(), out);
        }
        return 0;
    }
}
