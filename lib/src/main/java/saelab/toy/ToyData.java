package saelab.toy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import saelab.data.ToyWorld;
import saelab.data.ToyWorldCaption;
import saelab.data.ToyWorldObject;
import saelab.data.ToyWorldScene;
import saelab.image.Parallelism;
import saelab.image.Preprocessor;
import saelab.image.RgbImage;

/**
 * Toy-world scenes as model input, made on demand: a scene is a pure function of the world's seed and its
 * index, so nothing is stored and the PNGs are not read. Pixels go through saelab's own
 * {@link Preprocessor}, built from the model folder's {@code preprocessor_config.json}, so they are exactly what
 * saelab's preprocessing makes of the same scene saved as a PNG.
 */
final class ToyData {

    private final ToyWorld world;
    private final Preprocessor preprocessor;
    private final ToyWorldCaption.Attributes captions;

    /** Scenes whose captions name colour, texture and shape (the world's own captions). */
    ToyData(ToyWorld world, Preprocessor preprocessor) {
        this(world, preprocessor, ToyWorldCaption.Attributes.DEFAULT);
    }

    /** Scenes whose captions name the attributes {@code captions}. */
    ToyData(ToyWorld world, Preprocessor preprocessor, ToyWorldCaption.Attributes captions) {
        this.world = world;
        this.preprocessor = preprocessor;
        this.captions = captions;
    }

    /** Renders and preprocesses the scenes {@code indices} (in parallel over the common pool when there are many). */
    ToyBatch batch(int[] indices) {
        ToyWorldScene[] scenes = new ToyWorldScene[indices.length];
        IntStream range = IntStream.range(0, indices.length);
        (indices.length >= 64 ? range.parallel() : range).forEach(i -> scenes[i] = world.scene(indices[i]));
        List<RgbImage> images = new ArrayList<>(indices.length);
        List<String> captions = new ArrayList<>(indices.length);
        int[] labels = new int[indices.length];
        List<ToyWorldObject> largest = new ArrayList<>(indices.length);
        for (int i = 0; i < scenes.length; i++) {
            ToyWorldScene s = scenes[i];
            images.add(new RgbImage(s.size(), s.size(), s.rgb()));
            captions.add(this.captions == ToyWorldCaption.Attributes.DEFAULT ? s.caption() : ToyWorldCaption.of(s.objects(), this.captions));
            labels[i] = s.label();
            largest.add(s.largestObject());
        }
        return new ToyBatch(indices.clone(), preprocessor.batchImages(images, Parallelism.SEQUENTIAL), List.copyOf(captions), labels,
                List.copyOf(largest));
    }

    /** The scenes {@code [from, from + count)}. */
    ToyBatch range(int from, int count) {
        return batch(IntStream.range(from, from + count).toArray());
    }
}
