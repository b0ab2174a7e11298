package saelab.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import saelab.image.ImageDecoder;
import saelab.image.Preprocessor;
import saelab.image.RgbImage;
import saelab.intervene.EditSpec;
import saelab.intervene.LatentEdit;
import saelab.intervene.MoondreamAsk;
import saelab.intervene.SpliceForm;
import saelab.intervene.VlmAsk;
import saelab.intervene.VlmAskOutputs;
import saelab.io.Progress;
import saelab.io.Sha256;
import saelab.lm.AnswerTally;
import saelab.lm.ChatTemplate;
import saelab.lm.SamplingOptions;
import saelab.lm.TextTokenizer;
import saelab.lm.llava.AnswerSampling;
import saelab.lm.llava.LlavaModel;
import saelab.lm.moondream.MoondreamForward;
import saelab.lm.moondream.MoondreamModel;
import saelab.plot.AnswerBarsPlot;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;

/**
 * {@code saelab vlm ask}: the top answers of a LLaVA or moondream2 model to a question about an image, before and after an
 * SAE edit.
 */
@Command(name = "ask", mixinStandardHelpOptions = true,
        description = {"Asks a LLaVA model (--template) or a moondream2 model (its query template; --tokenizer names its tokenizer.json"
                + " folder when the model folder has none) a question about an image, samples answers at a temperature with"
                + " a seed (batched, KV cache, stopping at end-of-sequence), and prints the top distinct answers (trimmed, lower-cased,"
                + " trailing punctuation dropped) with their frequencies; with --sae and --edit also after the SAE edit of the image's"
                + " vision features (the layer the language model reads; error kept), with the same seeds, so answers are paired."
                + " With --out: answers.json and the figure answers.png/pdf/csv."})
final class VlmAskCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;

    private picocli.CommandLine.Model.CommandSpec spec() {
        return commandSpec;
    }

    @Mixin
    ModelOptions model;

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "folder with tokenizer.json (default: the model folder)")
    Path tokenizer;

    @Option(names = "--image", required = true, description = "the image file (PNG, JPEG, ...)")
    Path image;

    @Option(names = "--question", required = true, description = "the question about the image")
    String question;

    @Option(names = "--sae", description = "SAE checkpoint (sae.safetensors) trained on the vision features the language model reads")
    Path sae;

    @Option(names = "--edit", paramLabel = "EDIT.json", description = "the edit spec (JSON, as saelab intervene); needs --sae")
    Path edit;

    @Option(names = "--samples", defaultValue = "20", description = "answers sampled before and after (default ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--temperature", defaultValue = "1.0", description = "sampling temperature, 0 for greedy (default ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "keep the k most likely tokens, 0 for all (default ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", description = "nucleus sampling mass, 1 for all (default ${DEFAULT-VALUE})")
    double topP;

    @Option(names = "--seed", defaultValue = "0", description = "random seed; answer i uses the stream of (seed, i) (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--max-tokens", defaultValue = "16", description = "most new tokens per answer (default ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--batch", defaultValue = "8", description = "answers decoded together; never changes them (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--template", defaultValue = "llava-1.5", description = "chat template of a LLaVA model: llava-1.5 (Llama LLaVA) or llava-interleave (Qwen2 LLaVA) (default ${DEFAULT-VALUE}); moondream2 uses its own query template")
    String template;

    @Option(names = "--form", defaultValue = "delta", paramLabel = "delta|full",
            description = "the splice: delta (x + Σ (v − f) W_dec) or full (encode, overwrite, decode, add the error) (default ${DEFAULT-VALUE})")
    String form;

    @Option(names = "--top", defaultValue = "5", description = "distinct answers listed before and after (default ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--out", description = "output folder for answers.json and answers.png/pdf/csv")
    Path out;

    @Override
    public Integer call() throws Exception {
        ChatTemplate chat = ChatTemplate.parse(template);
        SpliceForm splice = switch (form.strip().toLowerCase(Locale.ROOT)) {
            case "delta" -> SpliceForm.DELTA;
            case "full" -> SpliceForm.FULL;
            default -> throw new IllegalArgumentException("--form is '" + form + "'; expected delta or full");
        };
        if (top < 1) {
            throw new IllegalArgumentException("--top is " + top + "; expected at least 1");
        }
        if ((sae == null) != (edit == null)) {
            throw new IllegalArgumentException(sae == null ? "--edit needs --sae (the SAE of the vision features the edit changes)"
                    : "--sae needs --edit (the edit to make with it)");
        }
        SamplingOptions sampling = new SamplingOptions(temperature, topK, topP, seed);
        AnswerSampling.Options options = new AnswerSampling.Options(samples, sampling, maxTokens, batch);
        Path dir = out == null ? null : CliPaths.requireWritable(out);
        Path saeFile = sae == null ? null : CliPaths.requireFile(sae, "an SAE checkpoint (sae.safetensors)");
        EditSpec spec = edit == null ? null : EditSpec.read(CliPaths.requireFile(edit, "an edit spec (JSON)"));
        Path imageFile = CliPaths.requireFile(image, "an image file");
        RgbImage rgb = ImageDecoder.decode(imageFile);
        Path folder = model.folder();
        boolean moondream = MoondreamForward.isMoondreamFolder(folder);
        if (moondream && spec().commandLine().getParseResult().hasMatchedOption("--template")) {
            throw new IllegalArgumentException("--template " + template + ": a moondream2 model is asked with its own query template;"
                    + " leave --template out");
        }
        if (!moondream && !LlavaModel.isLlavaFolder(folder)) {
            throw new IllegalArgumentException("--model: " + folder + " holds no LLaVA model (config.json with model_type \"llava\") and no"
                    + " moondream2 model; saelab vlm ask runs LlavaForConditionalGeneration and moondream2 folders");
        }
        try (TextTokenizer tok = TextTokenizer.load(tokenizer == null ? folder : tokenizer); NDManager nd = NDManager.newBaseManager()) {
            Sae s = saeFile == null ? null : SaeCheckpoint.read(saeFile, nd);
            LatentEdit resolved = spec == null ? null : VlmAsk.resolve(spec, s.config().dSae());
            long total = (long) samples * (resolved == null ? 1 : 2);
            Progress progress = Progress.stderr("sampling answers", "answers", total);
            VlmAsk.Result r;
            if (moondream) {
                try (MoondreamModel m = MoondreamModel.load(folder)) {
                    r = MoondreamAsk.ask(m, tok, rgb, question, options, s, resolved, splice, progress::advance);
                }
            } else {
                Preprocessor pre = Preprocessor.load(folder);
                try (LlavaModel m = LlavaModel.load(folder); NDManager px = NDManager.newBaseManager(m.languageModel().device())) {
                    NDArray pixels = VlmAsk.pixels(m, pre, rgb, px);
                    r = VlmAsk.ask(m, tok, pixels, chat, question, options, s, resolved, splice, progress::advance);
                }
            }
            progress.finish();
            print(r);
            if (dir != null) {
                String title = "\"" + clip(question, 60) + "\"" + (spec == null ? "" : ": latents " + spec.latents() + " " + spec.operation().id()
                        + (spec.value() == null ? "" : " " + spec.value()));
                List<Path> figures = AnswerBarsPlot.write(title, r.before(), r.after(), top, dir);
                List<String> names = new ArrayList<>();
                figures.forEach(p -> names.add(p.getFileName().toString()));
                VlmAskOutputs.Sources src = new VlmAskOutputs.Sources(model.model, imageFile.toString(), Sha256.of(imageFile),
                        saeFile == null ? null : saeFile.toString(), saeFile == null ? null : Sha256.of(saeFile), spec);
                VlmAskOutputs.write(dir, r, src, top, names);
                System.out.println("wrote " + dir.resolve(VlmAskOutputs.FILE));
            }
        }
        return 0;
    }

    private void print(VlmAsk.Result r) {
        System.out.printf(Locale.ROOT, "question: %s (%s prompt, %d tokens; %d answers at temperature %s, seed %d)%n", r.prompt().question(),
                r.prompt().templateId(), r.prompt().length(), samples, temperature, seed);
        printTop(r.edit() == null ? "answers:" : "before the edit:", r.before());
        if (r.after() != null) {
            LatentEdit e = r.edit();
            String amounts = e.operation() == saelab.intervene.EditOperation.ABLATE ? "" : " " + Arrays.toString(e.amounts());
            printTop(String.format(Locale.ROOT, "after the edit (latents %s %s%s on %s, error %s, %s splice):", Arrays.toString(e.latents()),
                    e.operation().id(), amounts, e.tokens().json(), e.error().id(), r.form().name().toLowerCase(Locale.ROOT)), r.after());
            System.out.printf(Locale.ROOT, "changed pairs (same seed): %d of %d%n", r.changedPairs(), samples);
        }
    }

    private void printTop(String heading, AnswerTally t) {
        System.out.println(heading);
        int rank = 1;
        for (AnswerTally.Entry e : t.top(top)) {
            System.out.printf(Locale.ROOT, "  %d. %-40s %4d  %5.1f%%%n", rank++, quoted(e.answer()), e.count(), 100 * e.frequency());
        }
        System.out.printf(Locale.ROOT, "  (%d distinct of %d)%n", t.distinct(), t.samples());
    }

    /** An answer in quotes, with line breaks and other control characters escaped so that it stays on one line. */
    private static String quoted(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(c -> {
            if (c == '\n') {
                sb.append("\\n");
            } else if (Character.isISOControl(c)) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.append('"').toString();
    }

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
