package saelab.lm.moondream;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import saelab.image.RgbImage;
import saelab.model.Checkpoint;

/**
 * moondream2 end to end (github.com/vikhyat/moondream at 44146f1, {@code MoondreamModel.encode_image} and
 * {@code query} of {@code moondream/torch/moondream.py}): the vision side ({@link MoondreamVision}), the
 * text decoder ({@link MoondreamText}) and the query ({@link MoondreamQuery}), loaded from a folder with
 * {@code config.json} and {@code model.safetensors} (names {@code model.vision.*}, {@code model.text.*}).
 * There is no text tokenizer here: questions and answers are token ids.
 *
 * <p>{@link #encodeImage(RgbImage, ProjectionInputEdit)} runs crops, encoder and stitching, lets an edit
 * replace the features the projection consumes (the SAE splice point), projects them and fills the
 * text model's 730-token prefix once; {@link #query(MoondreamEncodedImage, long[], MoondreamQuery.Settings)}
 * answers a question from a copy of that prefix, so many samples of one image cost only their prompts
 * and answers.
 */
public final class MoondreamModel implements AutoCloseable {

    private final Path source;
    private final MoondreamTokenizerConfig tokenizer;
    private final MoondreamVision vision;
    private final MoondreamText text;
    private final NDManager caches;

    private MoondreamModel(Path source, MoondreamTokenizerConfig tokenizer, MoondreamVision vision, MoondreamText text) {
        this.source = source;
        this.tokenizer = tokenizer;
        this.vision = vision;
        this.text = text;
        this.caches = NDManager.newBaseManager(text.device());
    }

    /** Loads the folder on the CPU. */
    public static MoondreamModel load(Path dir) throws IOException {
        return load(dir, Device.cpu());
    }

    /**
     * Loads the moondream2 folder {@code dir} onto {@code device}.
     *
     * @throws IllegalArgumentException for a folder without the files, a config the reference cannot run, a missing tensor
     *                                  or a wrong shape, naming the file and the field or tensor
     * @throws IOException              when a file cannot be read
     */
    public static MoondreamModel load(Path dir, Device device) throws IOException {
        MoondreamVision vision = MoondreamVision.load(dir, device);
        try {
            MoondreamTokenizerConfig tok = MoondreamTokenizerConfig.read(dir.resolve("config.json"));
            Path single = dir.resolve("model.safetensors");
            try (Checkpoint ckpt = Files.isRegularFile(single) ? Checkpoint.single(single)
                    : Checkpoint.sharded(dir.resolve("model.safetensors.index.json"))) {
                return new MoondreamModel(dir, tok, vision, MoondreamText.load(vision.config(), ckpt, device));
            }
        } catch (IOException | RuntimeException e) {
            vision.close();
            throw e;
        }
    }

    /** The folder the weights came from. */
    public Path source() {
        return source;
    }

    /** The model's configuration. */
    public MoondreamConfig config() {
        return vision.config();
    }

    /** The special ids and the query template. */
    public MoondreamTokenizerConfig tokenizer() {
        return tokenizer;
    }

    /** The vision side. */
    public MoondreamVision vision() {
        return vision;
    }

    /** The text decoder. */
    public MoondreamText text() {
        return text;
    }

    /** The image's prefix without an edit. */
    public MoondreamEncodedImage encodeImage(RgbImage image) {
        return encodeImage(image, ProjectionInputEdit.NONE);
    }

    /**
     * The image's prefix: crops, encoder, stitching, then {@code edit} chooses the projection input, which is
     * projected to the image embeddings and run through the text model after {@code bos}
     * ({@link #encodeEmbeddings}).
     *
     * @throws IllegalArgumentException when the edit returns nothing or an array of another shape
     */
    public MoondreamEncodedImage encodeImage(RgbImage image, ProjectionInputEdit edit) {
        try (NDManager scratch = NDManager.newBaseManager(text.device())) {
            CropSet crops = vision.crops(image);
            NDArray encoded = vision.encode(crops.normalised(scratch));
            MoondreamImageFeatures features = vision.stitch(encoded, crops.tiling());
            NDArray input = edit.apply(features);
            if (input == null) {
                throw new IllegalArgumentException("the projection-input edit returned nothing; expected a [" + features.projectionInput().getShape()
                        .get(0) + ", " + vision.projection().inputDim() + "] array");
            }
            NDArray embeddings;
            if (input.getDevice().equals(text.device())) {
                embeddings = vision.project(input);
            } else {
                try (NDArray moved = input.toDevice(text.device(), true)) {
                    embeddings = vision.project(moved);
                }
            }
            embeddings.attach(scratch);
            return encodeEmbeddings(embeddings);
        }
    }

    /**
     * The prefix of given image embeddings: {@code [wte[bos], embeddings]} at positions 0 to 729, attending to
     * each other in both directions, their keys and values kept.
     *
     * @param imageEmbeddings {@code [729, text dim]} (or with a leading batch axis of 1); not closed
     * @throws IllegalArgumentException for another shape
     */
    public MoondreamEncodedImage encodeEmbeddings(NDArray imageEmbeddings) {
        long tokens = text.prefixLength() - 1L;
        long d = text.config().dim();
        Shape s = imageEmbeddings.getShape();
        boolean flat = s.dimension() == 2 && s.get(0) == tokens && s.get(1) == d;
        boolean batched = s.dimension() == 3 && s.get(0) == 1 && s.get(1) == tokens && s.get(2) == d;
        if (!flat && !batched) {
            throw new IllegalArgumentException("image embeddings have shape " + Arrays.toString(s.getShape()) + "; expected [" + tokens + ", "
                    + d + "] (one row per image token)");
        }
        MoondreamKvCache cache = text.newCache(text.prefixLength(), caches);
        try (NDManager scratch = NDManager.newBaseManager(text.device())) {
            NDArray bos = text.embed(new long[] {tokenizer.bosId()}, scratch);
            NDArray copy = imageEmbeddings.toDevice(text.device(), true);
            copy.attach(scratch);
            NDArray image = copy.reshape(1, tokens, d);
            text.forward(NDArrays.concat(new NDList(bos, image), 1), cache, false);
            return new MoondreamEncodedImage(cache);
        } catch (RuntimeException e) {
            cache.close();
            throw e;
        }
    }

    /**
     * The prompt ids of a question: the query template's prefix, the question, its suffix twice.
     *
     * @throws IllegalArgumentException when there is no query template, an id is outside the vocabulary or the question
     *                                  does not fit in the context after the image
     */
    public long[] promptIds(long[] questionIds) {
        return MoondreamQuery.promptIds(tokenizer, questionIds, text.config().vocabSize(), text.config().maxContext() - text.prefixLength());
    }

    /** The greedy answer (temperature 0, step logits kept) to {@code questionIds} about {@code image}. */
    public MoondreamAnswer query(RgbImage image, long[] questionIds, int maxTokens) {
        return query(image, questionIds, MoondreamQuery.Settings.greedy(maxTokens));
    }

    /** The answer to {@code questionIds} about {@code image} (encoded once, then freed). */
    public MoondreamAnswer query(RgbImage image, long[] questionIds, MoondreamQuery.Settings settings) {
        long[] prompt = promptIds(questionIds); // refuse a bad question before the image is encoded
        try (MoondreamEncodedImage encoded = encodeImage(image)) {
            return answer(encoded, prompt, settings);
        }
    }

    /**
     * The answer to {@code questionIds} about an encoded image; the image is unchanged and can be queried
     * again.
     *
     * @throws IllegalArgumentException for a bad question ({@link #promptIds})
     */
    public MoondreamAnswer query(MoondreamEncodedImage image, long[] questionIds, MoondreamQuery.Settings settings) {
        return answer(image, promptIds(questionIds), settings);
    }

    private MoondreamAnswer answer(MoondreamEncodedImage image, long[] prompt, MoondreamQuery.Settings settings) {
        int capacity = (int) Math.min(text.config().maxContext(), (long) image.length() + prompt.length + settings.maxTokens());
        try (MoondreamKvCache cache = image.cache().copy(capacity, caches)) {
            return MoondreamQuery.generate(text, tokenizer, cache, prompt, settings);
        }
    }

    /** Frees the weights and any encoded image not yet closed. */
    @Override
    public void close() {
        caches.close();
        text.close();
        vision.close();
    }
}
