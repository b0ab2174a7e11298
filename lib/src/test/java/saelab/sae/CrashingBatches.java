package saelab.sae;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import saelab.io.Npy;

/** Test streams: planted matrix rows that throw "simulated crash" on a chosen call of next. */
final class CrashingBatches {

    private CrashingBatches() {}

    /** {@link MatrixBatches} over {@code m} that throws on the {@code failAt}-th call of next (0-based). */
    static LongFunction<BatchSource> crashingAt(Npy.Matrix m, long seed, int failAt) {
        return start -> {
            MatrixBatches inner = new MatrixBatches(m, seed, start, "planted");
            AtomicInteger calls = new AtomicInteger();
            return new BatchSource() {
                @Override
                public int dModel() {
                    return inner.dModel();
                }

                @Override
                public void next(float[] dst, int rows) {
                    if (calls.getAndIncrement() == failAt) {
                        throw new RuntimeException("simulated crash");
                    }
                    inner.next(dst, rows);
                }

                @Override
                public String describe() {
                    return inner.describe();
                }
            };
        };
    }
}
