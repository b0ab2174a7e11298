package saelab.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Times vision-tower forward passes, to compare with the same ViT timed in
 * PyTorch on the same machine: one warm-up batch, then {@code iters}
 * timed batches of random pixels, activations recorded at no block (the reference records none).
 * {@link #syntheticDinov2} builds the reference's model shape with random weights: patch conv with
 * bias, CLS, a position table made for the image size (no resampling), pre-LN blocks with
 * LayerScale and exact-GELU MLP (ratio 4), final LayerNorm (eps 1e-6).
 */
public final class ForwardBenchmark {

    /**
     * A measurement.
     *
     * @param images  images timed (batch x iters)
     * @param seconds wall time of the timed batches
     */
    public record Result(long images, double seconds) {
        /** Throughput. */
        public double imagesPerSecond() {
            return images / seconds;
        }
    }

    private ForwardBenchmark() {}

    /**
     * A DINOv2-shaped tower with random weights on {@code weights}' device (float32).
     *
     * @param width  model width D
     * @param layers blocks
     * @param heads  attention heads (D must be a multiple)
     * @param patch  patch size in pixels
     * @param image  image side in pixels; the position table is made for its grid
     */
    public static VisionTower syntheticDinov2(NDManager weights, int width, int layers, int heads, int patch, int image, long seed) {
        if (width <= 0 || layers <= 0 || heads <= 0 || width % heads != 0 || patch <= 0 || image < patch) {
            throw new IllegalArgumentException("synthetic model: need width, layers, heads > 0 with width a multiple of heads, and image >= patch;"
                    + " got width " + width + ", layers " + layers + ", heads " + heads + ", patch " + patch + ", image " + image);
        }
        weights.getEngine().setRandomSeed((int) seed);
        long d = width;
        long f = 4L * width;
        int grid = image / patch;
        NDArray patchW = normal(weights, 1.0 / (3.0 * patch * patch), d, 3L * patch * patch);
        PatchEmbedding embed = new PatchEmbedding(patchW, normal(weights, 0.01, d), patch, 3);
        PositionTable pos = new PositionTable(normal(weights, 0.25, 1L + (long) grid * grid, d), PositionTable.ClassRow.PRESENT,
                PosInterpolation.SIZE, DataType.FLOAT32, "synthetic position table");
        List<TransformerBlock> blocks = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            blocks.add(new TransformerBlock(new BlockWeights(norm(weights, d), linear(weights, 3 * d, d), linear(weights, d, d),
                    weights.randomUniform(0.2f, 1.2f, new Shape(d)), norm(weights, d), linear(weights, f, d), linear(weights, d, f),
                    weights.randomUniform(0.2f, 1.2f, new Shape(d)), ActivationFn.GELU, BlockWeights.Mlp.PLAIN, heads)));
        }
        return new VisionTower(embed, normal(weights, 0.25, d), null, pos, null, blocks, new NormedClsHead(norm(weights, d), null),
                DataType.FLOAT32);
    }

    private static NDArray normal(NDManager m, double variance, long... shape) {
        return m.randomNormal(0f, (float) Math.sqrt(variance), new Shape(shape), DataType.FLOAT32);
    }

    private static NormWeights norm(NDManager m, long d) {
        return new NormWeights(m.randomUniform(0.5f, 1.5f, new Shape(d)), normal(m, 0.04, d), 1e-6f);
    }

    private static LinearWeights linear(NDManager m, long out, long in) {
        return new LinearWeights(normal(m, 1.0 / in, out, in), normal(m, 0.04, out));
    }

    /**
     * Times {@code iters} forward passes of {@code batch} random images of {@code height x width} after one warm-up pass.
     */
    public static Result run(VisionTower tower, Device device, int batch, int height, int width, int iters) {
        if (batch <= 0 || iters <= 0) {
            throw new IllegalArgumentException("batch and iters must be positive; got " + batch + " and " + iters);
        }
        try (NDManager nd = NDManager.newBaseManager(device)) {
            NDArray pixels = nd.randomNormal(new Shape(batch, 3, height, width)).toType(tower.dtype(), false);
            try (NDManager warm = nd.newSubManager()) {
                pixels.tempAttach(warm);
                sync(tower.forward(pixels).pooled());
            }
            long start = System.nanoTime();
            for (int i = 0; i < iters; i++) {
                try (NDManager step = nd.newSubManager()) {
                    pixels.tempAttach(step);
                    sync(tower.forward(pixels).pooled());
                }
            }
            return new Result((long) batch * iters, (System.nanoTime() - start) / 1e9);
        }
    }

    /** Waits for the device (reads one value back). */
    private static void sync(NDArray a) {
        a.get(0).toFloatArray();
    }
}
