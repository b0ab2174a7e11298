package saelab.toy;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Sets libtorch's intra-op thread count for a stretch of work and restores it afterwards. The setting is
 * process-wide (libtorch has one pool), so other DJL work running at the same time sees it too.
 */
final class TorchThreads {

    private final int previous;

    private TorchThreads(int previous) {
        this.previous = previous;
    }

    /** Sets the count to {@code threads}; {@link #restore()} puts back the one in force now. */
    static TorchThreads set(int threads) {
        Engine.getInstance(); // loads libtorch
        int before = JniUtils.getNumThreads();
        if (before != threads) {
            JniUtils.setNumThreads(threads);
        }
        return new TorchThreads(before);
    }

    /** Puts back the previous count. */
    void restore() {
        if (JniUtils.getNumThreads() != previous) {
            JniUtils.setNumThreads(previous);
        }
    }
}
