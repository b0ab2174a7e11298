package saelab.demo;

/** A plan's block parameter resolved against a model: 0-based, or negative counting from the end (-1 = the last block). */
final class BlockIndex {

    private BlockIndex() {}

    /**
     * Block {@code block} of a model of {@code depth} blocks, 0-based.
     *
     * @param what who asks, for the message
     * @throws IllegalArgumentException when the model has no such block
     */
    static int resolve(int block, int depth, String what) {
        int b = block >= 0 ? block : depth + block;
        if (b < 0 || b >= depth) {
            throw new IllegalArgumentException(what + ": block " + block + " does not exist in a model of " + depth
                    + " blocks (0.." + (depth - 1) + ", or -1..-" + depth + " from the end)");
        }
        return b;
    }
}
