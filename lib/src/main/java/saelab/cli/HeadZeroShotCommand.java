package saelab.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import saelab.heads.ClassNames;
import saelab.heads.HeadProvenance;
import saelab.heads.ZeroShotHead;
import saelab.model.LoadOptions;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.text.PromptTemplates;
import saelab.text.Tokenizer;
import saelab.text.Tokenizers;

/** {@code saelab head zeroshot}: a CLIP or SigLIP zero-shot classifier saved as a head file, applied later without the text tower. */
@Command(name = "zeroshot", mixinStandardHelpOptions = true,
        description = {"Computes the class vectors of a CLIP-style model's zero-shot classifier (class-name prompts through the text tower,"
                + " normalised and averaged over the templates) and saves them with the logit scale, bias and image projection as a"
                + " head file, for 'saelab intervene --head zeroshot:FILE'."})
final class HeadZeroShotCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--classes", required = true, paramLabel = "FILE|imagenet",
            description = "a text file with one class name per line, or imagenet (the 1000 OpenAI ImageNet names)")
    String classes;

    @Option(names = "--templates", defaultValue = "openai80", paramLabel = "openai80|simple7",
            description = "prompt templates: OpenAI's 80 ImageNet templates or their 7-template subset (default ${DEFAULT-VALUE})")
    String templates;

    @Option(names = "--out", required = true, description = "the head file to write (.safetensors)")
    Path out;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws Exception {
        List<String> prompts = switch (templates.strip().toLowerCase(Locale.ROOT)) {
            case "openai80" -> PromptTemplates.openAi80();
            case "simple7" -> PromptTemplates.simple7();
            default -> throw new IllegalArgumentException("--templates is '" + templates + "'; expected openai80 or simple7");
        };
        List<String> names = ClassNames.read(classes);
        CliPaths.requireWritable(out);
        Path folder = model.folder();
        Tokenizer tokenizer = Tokenizers.fromFolder(folder);
        try (LoadedModel m = ModelLoader.load(folder, new LoadOptions(device.device(), ai.djl.ndarray.types.DataType.FLOAT32, null));
             NDManager nd = NDManager.newBaseManager(device.device())) {
            ZeroShotHead head = ZeroShotHead.build(m.dual(), tokenizer, names, prompts, templates.strip().toLowerCase(Locale.ROOT),
                    HeadProvenance.modelOf(model.model, folder), nd);
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            head.save(out);
            System.out.printf(Locale.ROOT, "wrote %s: zero-shot head, %d classes, embedding width %d, %d templates%n", out, names.size(),
                    head.embedDim(), prompts.size());
        }
        return 0;
    }
}
