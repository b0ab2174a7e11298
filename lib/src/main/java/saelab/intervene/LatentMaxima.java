package saelab.intervene;

import java.io.IOException;
import java.nio.file.Path;
import saelab.analysis.AnalysisResult;

/**
 * Each latent's maximum activation over the patch tokens of an analysis pass (the {@code max} column of
 * {@code latents.csv}), the scale of edits in unit {@code max}. The analysis encodes raw activations with the
 * checkpoint as saved (input normalisation folded in), so these maxima are in the same code units the edit uses.
 */
public final class LatentMaxima {

    private final AnalysisResult analysis;
    private final String source;

    private LatentMaxima(AnalysisResult analysis, String source) {
        this.analysis = analysis;
        this.source = source;
    }

    /**
     * The maxima of an analysis folder.
     *
     * @throws IllegalArgumentException when the folder is not an analysis (naming the file)
     */
    public static LatentMaxima read(Path folder) throws IOException {
        return new LatentMaxima(AnalysisResult.read(folder), folder.toString());
    }

    /** The maxima of an analysis in memory; {@code source} names it in messages. */
    public static LatentMaxima of(AnalysisResult analysis, String source) {
        return new LatentMaxima(analysis, source);
    }

    /** The number of latents of the SAE the analysis was made with. */
    public int dSae() {
        return analysis.index().dSae();
    }

    /**
     * This, after checking that the analysis was made with an SAE of {@code dSae} latents.
     *
     * @throws IllegalArgumentException when the latent counts differ
     */
    public LatentMaxima requireDSae(int dSae) {
        if (dSae() != dSae) {
            throw new IllegalArgumentException("the analysis in " + source + " was made with an SAE of d_sae=" + dSae() + " latents, but this SAE"
                    + " has d_sae=" + dSae);
        }
        return this;
    }

    /**
     * The maximum patch activation of {@code latent} (0 when it never fired).
     *
     * @throws IllegalArgumentException when the analysis did not cover the latent
     */
    public float of(int latent) {
        int row = analysis.rowOf(latent);
        if (row < 0) {
            throw new IllegalArgumentException("latent " + latent + " has no row in " + source + "/latents.csv (the analysis covered "
                    + analysis.rows() + " latents); analyse it, or use unit raw");
        }
        return analysis.max()[row];
    }
}
