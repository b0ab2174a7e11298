package saelab.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import saelab.data.ImageNetClasses;
import saelab.text.Tokenizer;
import saelab.text.TokenizerBenchmark;
import saelab.text.Tokenizers;

/** {@code saelab tokenize --model DIR TEXT...}: the token ids of texts, one JSON array per line. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Print the token ids a model's tokenizer gives each TEXT: one JSON array per text, with the "
                + "start and end tokens, unpadded, truncated to the context length with the end token kept last.",
                "The tokenizer is found from the folder's files: spiece.model (SigLIP), vocab.json + merges.txt "
                        + "(Hugging Face CLIP), bpe_simple_vocab_16e6.txt.gz or open_clip_config.json (open_clip, BioCLIP)."})
final class TokenizeCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the model folder")
    Path model;

    @Option(names = "--context-length", paramLabel = "N",
            description = "truncate to N ids instead of the model's context length")
    Integer contextLength;

    @Option(names = "--benchmark",
            description = "instead of TEXT, time the 80,000 ImageNet zero-shot prompts (1000 classes x 80 templates); prints 'tokens/s: N' last")
    boolean benchmark;

    @Option(names = "--passes", defaultValue = "5", paramLabel = "N", description = "warm passes of --benchmark (default ${DEFAULT-VALUE})")
    int passes;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "the texts (quote each one)")
    List<String> texts;

    @Override
    public Integer call() {
        Tokenizer tokenizer = Tokenizers.fromFolder(model);
        if (benchmark) {
            TokenizerBenchmark.run(tokenizer, TokenizerBenchmark.prompts(ImageNetClasses.openAiNames()), passes, System.out);
            return 0;
        }
        if (texts == null || texts.isEmpty()) {
            throw new IllegalArgumentException("no TEXT given; expected one or more texts after the options (or --benchmark)");
        }
        int ctx = contextLength == null ? tokenizer.contextLength() : contextLength;
        StringBuilder sb = new StringBuilder();
        for (String text : texts) {
            int[] ids = tokenizer.encode(text, ctx);
            sb.append('[');
            for (int i = 0; i < ids.length; i++) {
                sb.append(i == 0 ? "" : ",").append(ids[i]);
            }
            sb.append("]\n");
        }
        System.out.print(sb);
        System.out.flush();
        return 0;
    }
}
