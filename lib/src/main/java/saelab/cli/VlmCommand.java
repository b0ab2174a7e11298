package saelab.cli;

import picocli.CommandLine.Command;

/** {@code saelab vlm ...}: vision-language models (LLaVA layout) and SAE edits of their vision features. */
@Command(name = "vlm", mixinStandardHelpOptions = true,
        description = "Vision-language models: answers to a question about an image, before and after an SAE edit of the image's"
                + " vision features.",
        subcommands = {VlmAskCommand.class})
final class VlmCommand {}
