package saelab.toy;

import java.util.List;
import saelab.data.ToyWorldObject;
import saelab.image.PixelBatch;

/**
 * One batch of toy-world scenes as a backbone sees them.
 *
 * @param indices  the scene indices
 * @param pixels   {@code [B, 3, S, S]} preprocessed as the model folder's {@code preprocessor_config.json} says
 * @param captions the scenes' captions, in order
 * @param labels   the image classes ({@link saelab.data.ToyWorldScene#label()}, 1-based), in order
 * @param largest  the scenes' largest objects ({@link saelab.data.ToyWorldScene#largestObject()}), in order
 */
record ToyBatch(int[] indices, PixelBatch pixels, List<String> captions, int[] labels, List<ToyWorldObject> largest) {}
