package saelab.lm.moondream;

/**
 * An image run through moondream2's vision side and the text model's bidirectional prefix ({@code bos}
 * and the image embeddings), as the reference's {@code EncodedImage} ({@code moondream/torch/moondream.py},
 * github.com/vikhyat/moondream at 44146f1): the prefix's keys and values, so that any number of questions
 * and samples about the image start from a copy without recomputing it. Close it when done.
 */
public final class MoondreamEncodedImage implements AutoCloseable {

    private final MoondreamKvCache prefix;

    MoondreamEncodedImage(MoondreamKvCache prefix) {
        this.prefix = prefix;
    }

    /** Positions the prefix fills (1 + the image tokens; the reference's {@code pos}, 730). */
    public int length() {
        return prefix.length();
    }

    /** The prefix cache (owned by this object; copy it before extending it). */
    public MoondreamKvCache cache() {
        return prefix;
    }

    @Override
    public void close() {
        prefix.close();
    }
}
