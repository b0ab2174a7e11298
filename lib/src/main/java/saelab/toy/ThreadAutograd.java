package saelab.toy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.engine.PtNDArray;

/**
 * Records libtorch autograd on the calling thread for one training step, like DJL's {@code GradientCollector} but
 * without its process-wide lock. DJL 0.35's PyTorch collector refuses a second collector anywhere in the process
 * (a static flag), although libtorch's grad mode is a per-thread setting and its autograd engine runs a CPU
 * backward pass on the calling thread; with that lock two toy trainings could not run side by side in one pipeline
 * run. This class sets the grad mode of its own thread only and calls the same JNI backward the collector calls, so
 * gradients land in each parameter's {@code getGradient()} array exactly as before (the weights are bit-identical;
 * {@code ToyBackboneTrainerTest} checks a training against a concurrent one). Written by hand because DJL offers no
 * per-thread collector; it is the collector's three calls without the flag.
 */
final class ThreadAutograd implements AutoCloseable {

    private final boolean previous;

    private ThreadAutograd(boolean previous) {
        this.previous = previous;
    }

    /** Turns grad mode on for the calling thread until {@link #close()}. */
    static ThreadAutograd begin() {
        Engine.getInstance(); // loads libtorch
        boolean before = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        return new ThreadAutograd(before);
    }

    /** Back-propagates the scalar {@code loss} into the gradients of the arrays it was computed from. */
    void backward(NDArray loss) {
        try (NDArray seed = loss.getManager().ones(loss.getShape(), loss.getDataType())) {
            JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
        }
    }

    /** Puts back the grad mode the thread had before {@link #begin()}. */
    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
