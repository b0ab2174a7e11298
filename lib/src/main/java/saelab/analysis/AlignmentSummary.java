package saelab.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import saelab.BuildInfo;
import saelab.io.Json;

/**
 * The summary of a {@link NeuronAlignment} ({@code alignment-summary.json}, format {@value #FORMAT}):
 * the distribution of the latents' max |cos| with any MLP neuron, for decoder and encoder directions,
 * next to the same statistic for random unit directions, and where the numbers came from.
 *
 * <p>Quantiles are NumPy's default ({@code numpy.quantile(..., method="linear")}, Hyndman and Fan
 * 1996 definition 7): q(p) interpolates linearly between the order statistics at positions
 * (n − 1)·p. Written out here (a few lines) rather than taken from Smile, whose quantile helpers do
 * not document which definition they use.
 *
 * @param format          {@value #FORMAT}
 * @param sae             the SAE checkpoint
 * @param model           the model folder or hub id as given
 * @param family          the model family ({@link saelab.model.ModelFamily#id()})
 * @param weightsFile     the weights file holding the tensor
 * @param tensor          the MLP output projection's tensor name
 * @param layerScale      the LayerScale tensor multiplied in, or null
 * @param layer           block index (0-based): the SAE reads resid_post[layer], which this block's MLP writes
 * @param layerSource     where the layer came from (a provenance field, or the command line)
 * @param dModel          residual width
 * @param dMlp            MLP neurons
 * @param latents         latents scored
 * @param randomDraws     random unit directions in the baseline
 * @param seed            the baseline's seed
 * @param decoder         max |cos| of the decoder directions
 * @param encoder         max |cos| of the encoder directions
 * @param random          max |cos| of the random directions
 * @param theory          √(2 ln m / d), the large-m approximation of the random baseline's typical value
 * @param decoderAboveRandomQ99 share of latents whose decoder max |cos| exceeds the random directions' 99th percentile
 * @param encoderAboveRandomQ99 the same for encoder directions
 * @param codeVersion     saelab's version
 */
public record AlignmentSummary(String format, String sae, String model, String family, String weightsFile, String tensor,
                               String layerScale, int layer, String layerSource, int dModel, int dMlp, int latents, int randomDraws,
                               long seed, Stats decoder, Stats encoder, Stats random, double theory, double decoderAboveRandomQ99,
                               double encoderAboveRandomQ99, String codeVersion) {

    public static final String FORMAT = "saelab-alignment/1";
    public static final String FILE = "alignment-summary.json";

    /**
     * Distribution of a set of max |cos| values.
     *
     * @param n      values
     * @param mean   their mean
     * @param min    smallest
     * @param q05    5th percentile
     * @param q25    25th percentile
     * @param median 50th percentile
     * @param q75    75th percentile
     * @param q95    95th percentile
     * @param q99    99th percentile
     * @param max    largest
     */
    public record Stats(int n, double mean, double min, double q05, double q25, double median, double q75, double q95, double q99,
                        double max) {

        /** The statistics of {@code values} (NaN fields when empty). */
        public static Stats of(float[] values) {
            double[] s = new double[values.length];
            double sum = 0;
            for (int i = 0; i < s.length; i++) {
                s[i] = values[i];
                sum += values[i];
            }
            Arrays.sort(s);
            return new Stats(s.length, s.length == 0 ? Double.NaN : sum / s.length, quantile(s, 0), quantile(s, 0.05), quantile(s, 0.25),
                    quantile(s, 0.5), quantile(s, 0.75), quantile(s, 0.95), quantile(s, 0.99), quantile(s, 1));
        }

        /** "median 0.41 (IQR 0.38–0.44)". */
        String brief() {
            return String.format(Locale.ROOT, "median %.3f (IQR %.3f-%.3f, q99 %.3f, max %.3f)", median, q25, q75, q99, max);
        }
    }

    /** Quantile p of ascending {@code sorted} (definition 7; NaN when empty). */
    static double quantile(double[] sorted, double p) {
        int n = sorted.length;
        if (n == 0) {
            return Double.NaN;
        }
        double h = (n - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(n - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /**
     * Summarises an alignment.
     *
     * @param w           the MLP weights it was computed against
     * @param layerSource where the layer came from
     */
    public static AlignmentSummary of(NeuronAlignment a, MlpOutputWeights w, String sae, String model, String layerSource, long seed) {
        Stats dec = Stats.of(a.decMax());
        Stats enc = Stats.of(a.encMax());
        Stats rnd = Stats.of(a.randomMax());
        return new AlignmentSummary(FORMAT, sae, model, w.family().id(), w.file(), w.tensor(), w.layerScale(), w.layer(), layerSource,
                w.dModel(), w.dMlp(), a.latents().length, a.randomMax().length, seed, dec, enc, rnd, a.theory(),
                shareAbove(a.decMax(), rnd.q99()), shareAbove(a.encMax(), rnd.q99()), BuildInfo.current().describe());
    }

    private static double shareAbove(float[] v, double t) {
        if (v.length == 0) {
            return Double.NaN;
        }
        int n = 0;
        for (float x : v) {
            n += x > t ? 1 : 0;
        }
        return (double) n / v.length;
    }

    /** Writes {@value #FILE} in {@code dir}, atomically; returns the file. */
    public Path write(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        Json.write(f, this);
        return f;
    }

    /** Reads a summary written by {@link #write}. */
    public static AlignmentSummary read(Path file) {
        return Json.read(file, AlignmentSummary.class, "alignment summary");
    }

    /** Three lines for the terminal. */
    public String describe() {
        return String.format(Locale.ROOT, "max |cos| with one of %d MLP neurons of block %d (%s), %d latents:%n"
                        + "  decoder directions: %s; %.1f%% above the random q99%n"
                        + "  encoder directions: %s; %.1f%% above the random q99%n"
                        + "  %d random directions: %s; sqrt(2 ln m / d) = %.3f",
                dMlp, layer, tensor, latents, decoder.brief(), 100 * decoderAboveRandomQ99, encoder.brief(), 100 * encoderAboveRandomQ99,
                randomDraws, random.brief(), theory);
    }
}
