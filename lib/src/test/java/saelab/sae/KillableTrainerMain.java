package saelab.sae;

import java.nio.file.Path;
import java.util.function.LongFunction;
import saelab.io.Npy;
import saelab.io.Verbosity;

/**
 * A child-process trainer for {@link TrainKillTest}: trains the SAE of {@link #config()} on the rows of
 * a {@code .npy} file, pausing after every batch it reads so the test can kill it with SIGKILL
 * part-way through; prints {@code finished} when done.
 *
 * <p>Arguments: input {@code .npy}, output folder, pause per batch in milliseconds.
 */
public final class KillableTrainerMain {

    static final int D = 16;
    static final int BATCH = 32;
    static final long STEPS = 240;
    static final long DATA_SEED = 7;
    static final SaeTrainer.Options OPTIONS = new SaeTrainer.Options(20, 7, Verbosity.QUIET);

    private KillableTrainerMain() {}

    /** TopK with AuxK (dead latents within the run) and input normalisation. */
    static SaeConfig config() {
        return SaeConfig.builder(SaeKind.TOPK, D, 64).k(3).lr(3e-3).warmupSteps(10).schedule("cosine").batchSize(BATCH)
                .steps(STEPS).gradClip(1.0).seed(23)
                .auxK(16).auxCoeff(SaeConfig.DEFAULT_AUX_COEFF).deadTokens(8L * BATCH)
                .encoderInput("centered").normalizeInput(true).geometricMedianInit(true).build();
    }

    /** The rows of {@code m} in the run's order, with a pause after each batch. */
    static LongFunction<BatchSource> data(Npy.Matrix m, long pauseMillis) {
        return start -> {
            MatrixBatches inner = new MatrixBatches(m, DATA_SEED, start, "killable");
            return new BatchSource() {
                @Override
                public int dModel() {
                    return inner.dModel();
                }

                @Override
                public void next(float[] dst, int rows) {
                    inner.next(dst, rows);
                    if (pauseMillis > 0) {
                        try {
                            Thread.sleep(pauseMillis);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException(e);
                        }
                    }
                }

                @Override
                public String describe() {
                    return inner.describe();
                }
            };
        };
    }

    public static void main(String[] args) throws Exception {
        Npy.Matrix x = Npy.readFloatMatrix(Path.of(args[0]));
        Path out = Path.of(args[1]);
        long pauseMillis = Long.parseLong(args[2]);
        SaeTrainer.Result r = SaeTrainer.train(config(), data(x, pauseMillis), out, OPTIONS, System.out);
        System.out.println("finished " + r.steps());
    }
}
