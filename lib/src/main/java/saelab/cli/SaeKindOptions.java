package saelab.cli;

import java.util.List;
import picocli.CommandLine.Option;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;

/**
 * The SAE architecture options shared by {@code train} and {@code bench train}: {@code --sae KIND},
 * {@code --k} and {@code --matryoshka}, declared once; used as a picocli mixin.
 */
final class SaeKindOptions {

    @Option(names = "--sae", defaultValue = "relu", description = "relu, topk, batchtopk or jumprelu (default ${DEFAULT-VALUE})")
    String kind;

    @Option(names = "--k", defaultValue = "32", description = "active latents per row, topk and batchtopk (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--matryoshka", split = ",", description = "Matryoshka prefix sizes, e.g. 128,512,2048 (topk, batchtopk)")
    List<Integer> matryoshka;

    /** A config builder of the named kind and shape, with {@code --k} and {@code --matryoshka} set. */
    SaeConfig.Builder builder(int dModel, int dSae) {
        return SaeConfig.builder(SaeKind.parse(kind, "--sae"), dModel, dSae).k(k).matryoshka(matryoshka == null ? List.of() : matryoshka);
    }
}
