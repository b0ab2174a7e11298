package saelab.demo;

import java.util.Arrays;
import saelab.heads.HeadTraining;

/**
 * The sizes of the demo's intervention half ({@link HeadStep}, {@link ControlStep}): the held-out world the protocol runs
 * on, the task heads' training and the control protocol's draws, doses and bootstrap.
 *
 * @param heldOutImages  scenes of the held-out world (another seed, never seen by a backbone, SAE, concept match or head),
 *                       all measured by the protocol (the image-folder view lists them by class, so a prefix would not do)
 * @param headEpochs     epochs of the linear heads
 * @param draws          draws of each random control (frequency-matched latents, norm-matched directions)
 * @param doses          the dose grid in units of the latent's maximum activation, ascending
 * @param bootstrap      cluster-bootstrap replicates
 * @param tolerance      frequency matching tolerance of the random-latent control, in decades
 */
public record ControlSize(int heldOutImages, int headEpochs, int draws, double[] doses, int bootstrap,
                          double tolerance) {

    public ControlSize {
        if (heldOutImages < 1 || headEpochs < 1 || draws < 1
                || bootstrap < 1 || doses == null || doses.length == 0 || !(tolerance > 0)) {
            throw new IllegalArgumentException("control size: need positive held-out images, epochs, draws,"
                    + " bootstrap and doses, and protocol images <= held-out images; got " + this);
        }
        doses = doses.clone();
    }

    /**
     * A few dozen images, two draws, three doses: the plumbing in seconds. The quick SAEs have few live latents, so the
     * random latents are matched within a whole decade of firing frequency.
     */
    public static ControlSize quick() {
        return new ControlSize(24, 2, 2, new double[] {-2, 0, 2}, 200, 1.0);
    }

    /**
     * The default: 500 held-out scenes, heads trained for 10 epochs, three draws of each
     * random control, doses −20 … 20 in the 1-2-5 series, 1,000 bootstrap replicates. Random latents are matched within
     * 0.3 decades of firing frequency (a factor 2), not the command's 0.1: the latents chosen for the image-level colour
     * family include dense ones (about 70% of patches on the first run), which have only two live neighbours within 0.1
     * decades. Set before any effect was measured.
     */
    public static ControlSize demo() {
        return new ControlSize(500, 10, 3, new double[] {-20, -10, -5, -2, -1, 0, 1, 2, 5, 10, 20}, 1000, 0.3);
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
        return o instanceof ControlSize c && heldOutImages == c.heldOutImages && headEpochs == c.headEpochs
                && draws == c.draws && bootstrap == c.bootstrap && tolerance == c.tolerance && Arrays.equals(doses, c.doses);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(doses) * 31 + java.util.Objects.hash(heldOutImages, headEpochs, draws, bootstrap, tolerance);
    }

    @Override
    public String toString() {
        return "ControlSize[heldOutImages=" + heldOutImages + ", headEpochs=" + headEpochs + ", draws=" + draws + ", doses=" + Arrays.toString(doses) + ", bootstrap=" + bootstrap + ", tolerance=" + tolerance + "]";
    }
}
