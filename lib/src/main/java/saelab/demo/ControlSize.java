package saelab.demo;

import java.util.Arrays;
import saelab.heads.HeadTraining;

/**
 * The sizes of the demo's intervention half ({@link HeadStep}, {@link ControlStep}): the held-out world the protocol runs
 * on, the task heads' training and the control protocol's draws, doses and bootstrap.
 *
 * @param heldOutImages  scenes of the held-out world (another seed, never seen by a backbone, SAE, concept match or head)
 * @param headImages     training-world scenes the heads are trained on (the first ones; a tenth of them held out)
 * @param headEpochs     epochs of the linear heads
 * @param protocolImages held-out scenes the protocol measures
 * @param draws          draws of each random control (frequency-matched latents, norm-matched directions)
 * @param doses          the dose grid in units of the latent's maximum activation, ascending
 * @param bootstrap      cluster-bootstrap replicates
 * @param tolerance      frequency matching tolerance of the random-latent control, in decades
 */
public record ControlSize(int heldOutImages, int headImages, int headEpochs, int protocolImages, int draws, double[] doses, int bootstrap,
                          double tolerance) {

    public ControlSize {
        if (heldOutImages < 1 || headImages < 2 || headEpochs < 1 || protocolImages < 1 || protocolImages > heldOutImages || draws < 1
                || bootstrap < 1 || doses == null || doses.length == 0 || !(tolerance > 0)) {
            throw new IllegalArgumentException("control size: need positive held-out images, head images (>= 2), epochs, draws,"
                    + " bootstrap and doses, and protocol images <= held-out images; got " + this);
        }
        doses = doses.clone();
    }

    /**
     * A few dozen images, two draws, three doses: the plumbing in seconds. The quick SAEs have few live latents, so the
     * random latents are matched within a whole decade of firing frequency.
     */
    public static ControlSize quick() {
        return new ControlSize(24, 64, 2, 24, 2, new double[] {-2, 0, 2}, 200, 1.0);
    }

    /**
     * The default: 600 held-out scenes (400 measured), heads on 3,000 training scenes for 10 epochs, three draws of each
     * random control (latents matched within 0.1 decades of firing frequency, the command's default), doses −20 … 20 in
     * the 1-2-5 series, 1,000 bootstrap replicates.
     */
    public static ControlSize demo() {
        return new ControlSize(600, 3000, 10, 400, 3, new double[] {-20, -10, -5, -2, -1, 0, 1, 2, 5, 10, 20}, 1000, 0.1);
    }

    /** The heads' optimiser settings: {@link HeadTraining#DEFAULT} with these epochs. */
    public HeadTraining headTraining() {
        HeadTraining d = HeadTraining.DEFAULT;
        return new HeadTraining(headEpochs, d.lr(), d.batch(), d.seed(), d.valFraction());
    }

    @Override
    public double[] doses() {
        return doses.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ControlSize c && heldOutImages == c.heldOutImages && headImages == c.headImages && headEpochs == c.headEpochs
                && protocolImages == c.protocolImages && draws == c.draws && bootstrap == c.bootstrap && tolerance == c.tolerance && Arrays.equals(doses, c.doses);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(doses) * 31 + java.util.Objects.hash(heldOutImages, headImages, headEpochs, protocolImages, draws, bootstrap, tolerance);
    }

    @Override
    public String toString() {
        return "ControlSize[heldOutImages=" + heldOutImages + ", headImages=" + headImages + ", headEpochs=" + headEpochs + ", protocolImages="
                + protocolImages + ", draws=" + draws + ", doses=" + Arrays.toString(doses) + ", bootstrap=" + bootstrap + ", tolerance=" + tolerance + "]";
    }
}
