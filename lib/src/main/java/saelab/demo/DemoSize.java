package saelab.demo;

import java.util.Locale;
import java.util.Objects;
import saelab.data.ToyWorld;
import saelab.toy.ToyVlmSpec;

/**
 * The sizes of one demo run ({@link DemoPipeline}): the toy world, the captured block, the two SAEs (on patch
 * tokens and on CLS tokens) and the analyses. {@link #quick()} checks the plumbing in seconds; {@link #demo()} is
 * the default of {@code saelab demo}, sized so that the whole pipeline, backbone training included, stays well
 * under 10 minutes on a 2-core machine.
 *
 * @param name         {@code quick}, {@code demo} or a custom name
 * @param world        the toy world's config (image size, objects per scene, seed)
 * @param images       images written and captured
 * @param block        captured block, 0-based; negative counts from the end (-1 = the last block)
 * @param captureBatch images per forward pass of the capture
 * @param patchSae     the SAE on patch tokens
 * @param clsSae       the SAE on CLS tokens
 * @param topK         top examples per latent in the feature analysis
 * @param conceptUnits most units per unit kind in concept matching (systematic subsample above)
 * @param conceptDraws random latents and random directions of the concept-matching baselines
 * @param control      the intervention half: held-out world, task heads and control protocol
 * @param vlm          the toy VLM trained over the toy CLIP-layout backbone
 * @param vlmControl   the VLM control protocol on the held-out world (scenes at most {@link ControlSize#heldOutImages()})
 */
public record DemoSize(String name, ToyWorld world, int images, int block, int captureBatch, SaeRecipe patchSae, SaeRecipe clsSae,
                       int topK, int conceptUnits, int conceptDraws, ControlSize control, ToyVlmSpec vlm,
                       VlmControlSize vlmControl) {

    public DemoSize {
        Objects.requireNonNull(world, "world");
        Objects.requireNonNull(control, "control");
        Objects.requireNonNull(vlm, "vlm");
        Objects.requireNonNull(vlmControl, "vlmControl");
        if (vlmControl.scenes() > control.heldOutImages()) {
            throw new IllegalArgumentException("demo size: the VLM control asks about " + vlmControl.scenes() + " held-out scenes, but the"
                    + " held-out world has " + control.heldOutImages());
        }
        Objects.requireNonNull(patchSae, "patchSae");
        Objects.requireNonNull(clsSae, "clsSae");
        if (name == null || name.isBlank() || images < 1 || captureBatch < 1 || topK < 1 || conceptUnits < 1 || conceptDraws < 1) {
            throw new IllegalArgumentException("demo size: need a name and positive images, capture batch, top-k, concept units and"
                    + " draws; got " + this);
        }
    }

    /** A few dozen images and a few dozen SAE steps: every step runs, in seconds. */
    public static DemoSize quick() {
        return new DemoSize("quick", ToyWorld.withSeed(0), 64, -2, 32,
                SaeRecipe.topk(4, 4, 1e-3, 10, 256, 40, 0),
                SaeRecipe.topk(4, 2, 1e-3, 5, 32, 40, 0),
                8, 1 << 16, 8, ControlSize.quick(), ToyVlmSpec.quick(), VlmControlSize.quick());
    }

    /**
     * The default: 10,000 64x64 scenes; block -2 (the second to last, as the paper's layer 10 of 12); a TopK SAE with
     * 8x expansion and k 16 on 614k patch tokens (300 steps of 2,048, about one epoch of a 8x8 patch grid), and one
     * with 4x expansion and k 8 on 205k CLS rows (200 steps of 1,024, about 20 epochs of the 10,000 images); concept
     * matching on at most 131,072 units per unit kind; the intervention half of {@link ControlSize#demo()}. The SAE sizes are set by the time budget: at width 192, TopK
     * training runs at about 17k tokens/s on this project's 2-core machine.
     */
    public static DemoSize demo() {
        return new DemoSize("demo", ToyWorld.withSeed(0), 10_000, -2, 128,
                SaeRecipe.topk(8, 16, 1e-3, 30, 2048, 300, 0),
                SaeRecipe.topk(4, 8, 1e-3, 20, 1024, 200, 0),
                32, 1 << 17, 16, ControlSize.demo(), ToyVlmSpec.demo(), VlmControlSize.demo());
    }

    /** {@code quick} or {@code demo}. */
    public static DemoSize parse(String text) {
        return switch (text == null ? "" : text.trim().toLowerCase(Locale.ROOT)) {
            case "quick" -> quick();
            case "demo" -> demo();
            default -> throw new IllegalArgumentException("--size is '" + text + "'; expected quick or demo");
        };
    }

    /** The captured block for a model of {@code depth} blocks (0-based). */
    public int blockFor(int depth) {
        return blockFor(block, depth, "demo size " + name);
    }

    /**
     * Block {@code block} (0-based; negative counts from the end, -1 = the last) of a model of {@code depth} blocks.
     *
     * @param what who asks, for the message
     */
    public static int blockFor(int block, int depth, String what) {
        int b = block >= 0 ? block : depth + block;
        if (b < 0 || b >= depth) {
            throw new IllegalArgumentException(what + ": block " + block + " does not exist in a model of " + depth
                    + " blocks (0.." + (depth - 1) + ", or -1..-" + depth + " from the end)");
        }
        return b;
    }
}
