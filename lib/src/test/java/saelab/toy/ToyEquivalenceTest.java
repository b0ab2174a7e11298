package saelab.toy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.data.ToyWorld;
import saelab.data.ToyWorldScene;
import saelab.data.ToyWorldWriter;
import saelab.image.PixelBatch;
import saelab.image.Preprocessor;
import saelab.io.Safetensors;
import saelab.model.Golden;
import saelab.model.LoadedModel;
import saelab.model.ModelFamily;
import saelab.model.ModelLoader;
import saelab.model.TextOutput;
import saelab.model.VisionOutput;
import saelab.text.Tokenizer;
import saelab.text.Tokenizers;

/**
 * The trainer's forward is the model saelab loads: after a few training steps, the saved Hugging Face folder is
 * loaded with {@link ModelLoader}, scenes are written as PNG files and preprocessed from disk by saelab's own
 * preprocessing (from the saved {@code preprocessor_config.json}), and every hidden state, the pooled output and
 * the projected embeddings (and CLIP's text outputs) agree with the training forward at atol 1e-4 + rtol 1e-4.
 */
class ToyEquivalenceTest {

    private static final ToyWorld WORLD = ToyWorld.withSeed(5);
    private static final int IMAGES = 6;

    @TempDir
    Path tmp;

    /** Trains {@code steps} steps in {@code dir} and saves the weights; returns the setup (still open). */
    private static ToySetup trained(Path dir, ToyBackboneSpec spec, NDManager manager, int steps) throws IOException {
        ToySetup setup = ToySetup.prepare(dir, spec, WORLD, manager);
        try (ToyTrainingLoop loop = new ToyTrainingLoop(setup.model(), setup.objective(), spec, manager)) {
            for (int s = 0; s < steps; s++) {
                loop.step(s, setup.data().batch(loop.nextIndices()));
            }
        }
        setup.saveWeights(dir);
        return setup;
    }

    /** The PNG of scene {@code i} as the toy world writer lays it out. */
    private static Path png(Path worldDir, int i) {
        ToyWorldScene s = WORLD.scene(i);
        return worldDir.resolve("images").resolve(s.className()).resolve(String.format("%06d.png", i));
    }

    private PixelBatch fromDisk(Path modelDir) throws IOException {
        Path worldDir = tmp.resolve("world");
        ToyWorldWriter.write(worldDir, WORLD, IMAGES);
        List<Path> files = IntStream.range(0, IMAGES).mapToObj(i -> png(worldDir, i)).toList();
        files.forEach(f -> assertEquals(true, Files.isRegularFile(f), f + " exists"));
        return Preprocessor.load(modelDir).batch(files);
    }

    private static Safetensors.Tensor tensor(NDArray a) {
        return new Safetensors.Tensor(a.getShape().getShape(), a.toFloatArray());
    }

    private static void close(String label, NDArray trainer, NDArray saelab) {
        Golden.assertClose(label, tensor(trainer), saelab);
    }

    private static void assertVisionMatches(ToyModel model, LoadedModel loaded, PixelBatch pixels, NDManager m) {
        int layers = model.architecture().layers();
        Set<Integer> all = new TreeSet<>();
        for (int l = 0; l < layers; l++) {
            all.add(l);
        }
        NDArray px = m.create(pixels.values(), new Shape(pixels.shape()));
        VisionOutput ref = loaded.vision().forward(px, all);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            ToyVisionActivations act = model.vision(px, null);
            close("embeddings (resid_pre[0])", act.embeddings(), ref.embeddings());
            for (int l = 0; l < layers; l++) {
                close("resid_post[" + l + "]", act.blocks().get(l), ref.blocks().get(l));
            }
            close("last_hidden_state", act.lastHiddenState(), ref.lastHiddenState());
            close("pooled", act.pooled(), ref.pooled());
            if (act.imageEmbeds() != null) {
                close("image_embeds", act.imageEmbeds(), ref.imageEmbeds());
            }
        }
    }

    @Test
    void dinov2TrainerForwardIsTheLoadedModel() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("dinov2"));
        ToyBackboneSpec spec = new ToyBackboneSpec(ToyBackboneKind.DINOV2, 32, 2, 4, 64, 16, 3, 16, 3e-3, 11);
        try (NDManager manager = NDManager.newBaseManager(); ToySetup setup = trained(dir, spec, manager, 3);
             LoadedModel loaded = ModelLoader.load(dir); NDManager m = NDManager.newBaseManager()) {
            assertEquals(ModelFamily.DINOV2, loaded.family());
            assertEquals(expectedDinov2Names(2), Safetensors.read(dir.resolve("model.safetensors")).tensors().keySet(),
                    "exactly the Hugging Face Dinov2Model tensors, mask_token included");
            PixelBatch disk = fromDisk(dir);
            assertArrayEquals(setup.data().range(0, IMAGES).pixels().values(), disk.values(),
                    "the trainer's pixels are exactly saelab's preprocessing of the PNG files");
            assertVisionMatches(setup.model(), loaded, disk, m);
        }
    }

    @Test
    void clipTrainerForwardIsTheLoadedModel() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("clip"));
        ToyBackboneSpec spec = new ToyBackboneSpec(ToyBackboneKind.CLIP, 32, 2, 4, 64, 16, 3, 16, 3e-3, 12);
        try (NDManager manager = NDManager.newBaseManager(); ToySetup setup = trained(dir, spec, manager, 3);
             LoadedModel loaded = ModelLoader.load(dir); NDManager m = NDManager.newBaseManager()) {
            assertEquals(ModelFamily.CLIP, loaded.family());
            assertEquals(expectedClipNames(2), Safetensors.read(dir.resolve("model.safetensors")).tensors().keySet(),
                    "exactly the Hugging Face CLIPModel tensors");
            PixelBatch disk = fromDisk(dir);
            ToyBatch batch = setup.data().range(0, IMAGES);
            assertArrayEquals(batch.pixels().values(), disk.values(), "the trainer's pixels are exactly saelab's preprocessing of the PNG files");
            assertVisionMatches(setup.model(), loaded, disk, m);

            ToyClipModel clip = (ToyClipModel) setup.model();
            Tokenizer tokenizer = Tokenizers.fromFolder(dir);
            long[][] ids = ToyContrastiveObjective.tokenIds(tokenizer, batch.captions(), tokenizer.padTokenId());
            TextOutput ref = loaded.text().forward(m, ids);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                ToyTextActivations act = clip.text(m, ids);
                close("text last_hidden_state", act.lastHiddenState(), ref.lastHiddenState());
                close("text pooled", act.pooled(), ref.pooled());
                close("text_embeds", act.textEmbeds(), ref.textEmbeds());
            }
            assertEquals(clip.logitScale().getFloat(), loaded.dual().logitScale(), 0f, "logit_scale");
        }
    }

    /** The tensor names of lib/MODELS.md §4 for a Dinov2Model of {@code layers} blocks. */
    static Set<String> expectedDinov2Names(int layers) {
        List<String> n = new ArrayList<>(List.of("embeddings.cls_token", "embeddings.mask_token", "embeddings.position_embeddings",
                "embeddings.patch_embeddings.projection.weight", "embeddings.patch_embeddings.projection.bias", "layernorm.weight",
                "layernorm.bias"));
        for (int i = 0; i < layers; i++) {
            String p = "encoder.layer." + i + ".";
            for (String s : List.of("norm1", "attention.attention.query", "attention.attention.key", "attention.attention.value",
                    "attention.output.dense", "norm2", "mlp.fc1", "mlp.fc2")) {
                n.add(p + s + ".weight");
                n.add(p + s + ".bias");
            }
            n.add(p + "layer_scale1.lambda1");
            n.add(p + "layer_scale2.lambda1");
        }
        return new TreeSet<>(n);
    }

    /** The tensor names of lib/MODELS.md §5 for a CLIPModel with {@code layers} blocks per tower. */
    static Set<String> expectedClipNames(int layers) {
        List<String> n = new ArrayList<>(List.of("vision_model.embeddings.class_embedding", "vision_model.embeddings.patch_embedding.weight",
                "vision_model.embeddings.position_embedding.weight", "vision_model.pre_layrnorm.weight", "vision_model.pre_layrnorm.bias",
                "vision_model.post_layernorm.weight", "vision_model.post_layernorm.bias", "text_model.embeddings.token_embedding.weight",
                "text_model.embeddings.position_embedding.weight", "text_model.final_layer_norm.weight", "text_model.final_layer_norm.bias",
                "visual_projection.weight", "text_projection.weight", "logit_scale"));
        for (String tower : List.of("vision_model.", "text_model.")) {
            for (int i = 0; i < layers; i++) {
                String p = tower + "encoder.layers." + i + ".";
                for (String s : List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj", "layer_norm1",
                        "layer_norm2", "mlp.fc1", "mlp.fc2")) {
                    n.add(p + s + ".weight");
                    n.add(p + s + ".bias");
                }
            }
        }
        return new TreeSet<>(n);
    }
}
