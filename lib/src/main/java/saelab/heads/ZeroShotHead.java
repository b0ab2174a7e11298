package saelab.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.io.Json;
import saelab.io.Safetensors;
import saelab.model.AttentionPoolHead;
import saelab.model.ClsPostNormHead;
import saelab.model.DualEncoder;
import saelab.model.LinearWeights;
import saelab.model.NormedClsHead;
import saelab.model.VisionOutput;
import saelab.model.VisionTower;
import saelab.store.CacheManifest;
import saelab.store.RecordedLayer;
import saelab.text.Tokenizer;
import saelab.zeroshot.ZeroShotClassifier;

/**
 * A CLIP or SigLIP zero-shot classifier as a saved task head: the class vectors that
 * {@link ZeroShotClassifier} computes from class-name prompts with the text tower (each prompt embedding
 * L2-normalised, averaged over the templates, normalised again), the model's logit scale and bias, and the
 * vision tower's image projection, so that the text tower is not needed to apply it. Logits of an image are
 * {@code exp(logit_scale) · cos(image_embeds, class)} (+ SigLIP's {@code logit_bias}), as
 * {@link DualEncoder#logitsPerImage} computes them; {@code image_embeds} is the tower's projected image
 * embedding, or the projection applied to cached pooled features ({@link #logitsOfPooled}).
 *
 * <p>File: safetensors with {@code class_vectors} {@code [classes, E]} (unit rows), {@code logit_scale} {@code [1]}
 * (the log, as checkpoints store it), optionally {@code logit_bias} {@code [1]} and {@code projection}
 * {@code [E, d_model]} ({@code nn.Linear} layout, no bias; absent for SigLIP, whose embedding is the pooled output),
 * float32, with the provenance JSON (kind {@code zeroshot}, layer {@code pooled}, d_model the pooled width) under the
 * metadata key {@value HeadProvenance#KEY}, like {@link LinearHead}.
 */
public final class ZeroShotHead implements TaskHead {

    /** Tensor name of the class vectors. */
    public static final String CLASS_VECTORS = "class_vectors";
    /** Tensor name of the log logit scale. */
    public static final String LOGIT_SCALE = "logit_scale";
    /** Tensor name of the logit bias (SigLIP). */
    public static final String LOGIT_BIAS = "logit_bias";
    /** Tensor name of the image projection. */
    public static final String PROJECTION = "projection";

    private final float[] classVectors;
    private final int embedDim;
    private final float[] projection;
    private final float logitScale;
    private final Float logitBias;
    private final HeadProvenance provenance;

    private ZeroShotHead(float[] classVectors, int embedDim, float[] projection, float logitScale, Float logitBias, HeadProvenance provenance) {
        this.classVectors = classVectors;
        this.embedDim = embedDim;
        this.projection = projection;
        this.logitScale = logitScale;
        this.logitBias = logitBias;
        this.provenance = provenance;
    }

    /**
     * Builds the head of {@code dual} for {@code classNames}: their class vectors through the text tower.
     *
     * @param model         the model as a head records it (id and weights checksum, see {@link HeadProvenance#modelOf})
     * @param templatesName how the templates are named in the provenance (e.g. {@code openai80})
     * @param nd            a manager on the model's device, for the temporaries
     * @throws IllegalArgumentException when the model has no text tower or no image embedding, or there are no classes
     */
    public static ZeroShotHead build(DualEncoder dual, Tokenizer tokenizer, List<String> classNames, List<String> templates,
                                     String templatesName, CacheManifest.ModelRef model, NDManager nd) {
        if (dual == null || dual.text() == null) {
            throw new IllegalArgumentException("model '" + model.id() + "' has no text tower, so it has no zero-shot head (DINOv2 is not a"
                    + " CLIP-style model)");
        }
        VisionTower tower = dual.vision();
        float[] proj = projectionOf(tower);
        try (NDManager scope = nd.newSubManager();
             ZeroShotClassifier c = ZeroShotClassifier.build(dual, tokenizer, classNames, templates, scope, 64)) {
            Shape s = c.shape();
            int e = Math.toIntExact(s.get(1));
            float[] vectors = c.classVectors().toType(DataType.FLOAT32, false).toFloatArray();
            ObjectNode training = Json.mapper().createObjectNode();
            training.put("templates", templatesName);
            training.put("templates_count", templates.size());
            training.put("embed_dim", e);
            training.put("projection", proj != null);
            training.put("recipe", "Radford et al. 2021 prompt ensembling (open_clip build_zero_shot_classifier)");
            HeadProvenance p = new HeadProvenance(HeadKind.ZEROSHOT, model.id(), model.revision(), model.weightsSha256(), null, null,
                    RecordedLayer.POOLED, Math.toIntExact(tower.width()), classNames, -1, training, null);
            return new ZeroShotHead(vectors, e, proj, dual.logitScale(), dual.logitBias(), p);
        }
    }

    /** The tower's image projection {@code [E, D]} as float32, or null when its embedding is the pooled output. */
    private static float[] projectionOf(VisionTower tower) {
        LinearWeights w = switch (tower.head()) {
            case ClsPostNormHead h -> h.projection();
            case NormedClsHead h -> h.projection();
            case AttentionPoolHead h -> null;
        };
        if (w == null) {
            if (tower.head() instanceof AttentionPoolHead) {
                return null;
            }
            throw new IllegalArgumentException("the model has no image projection, so it has no zero-shot head (DINOv2 is not a CLIP-style model)");
        }
        try (NDArray f = w.weight().toType(DataType.FLOAT32, true)) {
            return f.toFloatArray();
        }
    }

    /** What made the head. */
    public HeadProvenance provenance() {
        return provenance;
    }

    /** Width of the image embedding and the class vectors. */
    public int embedDim() {
        return embedDim;
    }

    /** Log of the logit scale, as the checkpoint stores it. */
    public float logitScale() {
        return logitScale;
    }

    /** The logit bias (SigLIP), or null. */
    public Float logitBias() {
        return logitBias;
    }

    /** The unit class vectors {@code [classes, E]} row-major (a copy). */
    public float[] classVectors() {
        return classVectors.clone();
    }

    /** {@code [B, classes]} from the tower's projected image embedding. */
    @Override
    public NDArray logits(VisionOutput out, NDManager nd) {
        if (out.imageEmbeds() == null) {
            throw new IllegalArgumentException("the model has no image projection, so it has no zero-shot head (DINOv2 is not a CLIP-style model)");
        }
        NDArray logits = logitsOfEmbeddings(out.imageEmbeds());
        logits.attach(nd);
        return logits;
    }

    /**
     * Logits {@code [B, classes]} (float32) of raw image embeddings {@code [B, E]}, on their manager.
     *
     * @throws IllegalArgumentException when the embedding width is not {@code E}
     */
    public NDArray logitsOfEmbeddings(NDArray embeds) {
        Shape s = embeds.getShape();
        if (s.dimension() != 2 || s.get(1) != embedDim) {
            throw new IllegalArgumentException("the zero-shot head's class vectors have width " + embedDim + ", but the image embeddings have"
                    + " shape " + s + "; expected [images, " + embedDim + "]");
        }
        NDManager nd = embeds.getManager();
        try (NDArray img = DualEncoder.normalize(embeds);
             NDArray txt = nd.create(classVectors, new Shape(classVectors.length / embedDim, embedDim)).toDevice(embeds.getDevice(), false);
             NDArray txtT = txt.transpose(); NDArray cos = img.matMul(txtT)) {
            NDArray logits = cos.mul((float) Math.exp(logitScale));
            if (logitBias != null) {
                logits.addi(logitBias);
            }
            return logits;
        }
    }

    /**
     * Logits {@code [B, classes]} of pooled features before projection {@code [B, d_model]} (a capture's layer
     * {@code pooled}), on their manager: the saved projection, then {@link #logitsOfEmbeddings}.
     *
     * @throws IllegalArgumentException when the width is not the head's d_model
     */
    public NDArray logitsOfPooled(NDArray pooled) {
        Shape s = pooled.getShape();
        int d = provenance.dModel();
        if (s.dimension() != 2 || s.get(1) != d) {
            throw new IllegalArgumentException("the zero-shot head reads pooled features of width " + d + ", got an array of shape " + s);
        }
        if (projection == null) {
            return logitsOfEmbeddings(pooled);
        }
        NDManager nd = pooled.getManager();
        try (NDArray p = nd.create(projection, new Shape(embedDim, d)).toDevice(pooled.getDevice(), false);
             NDArray x = pooled.toType(DataType.FLOAT32, true); NDArray pt = p.transpose(); NDArray embeds = x.matMul(pt)) {
            return logitsOfEmbeddings(embeds);
        }
    }

    @Override
    public List<String> classes() {
        return provenance.classes();
    }

    @Override
    public HeadKind kind() {
        return HeadKind.ZEROSHOT;
    }

    /** Writes the head to {@code file} atomically. */
    public void save(Path file) throws IOException {
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        t.put(CLASS_VECTORS, new Safetensors.Tensor(new long[] {classes().size(), embedDim}, classVectors));
        t.put(LOGIT_SCALE, new Safetensors.Tensor(new long[] {1}, new float[] {logitScale}));
        if (logitBias != null) {
            t.put(LOGIT_BIAS, new Safetensors.Tensor(new long[] {1}, new float[] {logitBias}));
        }
        if (projection != null) {
            t.put(PROJECTION, new Safetensors.Tensor(new long[] {embedDim, provenance.dModel()}, projection));
        }
        Safetensors.write(file, t, Map.of(HeadProvenance.FORMAT_KEY, HeadProvenance.FORMAT, HeadProvenance.KEY, provenance.toJson()));
    }

    /**
     * Reads a head written by {@link #save}; check the model with {@link HeadProvenance#requireModel}.
     *
     * @throws IllegalArgumentException one sentence naming the file and what is wrong: not a head file, not a zero-shot
     *                                  head, a missing tensor, a shape that disagrees with the classes, a non-finite value
     */
    public static ZeroShotHead load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + (Files.exists(file) ? " is not a file" : " does not exist") + "; expected a zero-shot"
                    + " head file (saelab head zeroshot)");
        }
        Safetensors.Contents c = Safetensors.read(file);
        HeadProvenance p = LinearHead.provenance(file, c.metadata());
        if (p.kind() != HeadKind.ZEROSHOT) {
            throw new IllegalArgumentException(file + " is a " + p.kind().id() + " head, not a zero-shot head; pass it to --head without"
                    + " 'zeroshot:'");
        }
        Safetensors.Tensor v = c.tensors().get(CLASS_VECTORS);
        if (v == null || v.shape().length != 2 || v.shape()[0] != p.classes().size() || v.shape()[1] < 1) {
            throw new IllegalArgumentException(file + ": tensor '" + CLASS_VECTORS + "' is " + (v == null ? "missing" : "of shape " + v.shapeText())
                    + "; expected [" + p.classes().size() + ", E], one vector per class");
        }
        int e = Math.toIntExact(v.shape()[1]);
        float[] scale = c.require(file, LOGIT_SCALE, 1).values();
        float[] bias = c.tensors().containsKey(LOGIT_BIAS) ? c.require(file, LOGIT_BIAS, 1).values() : null;
        float[] proj = c.tensors().containsKey(PROJECTION) ? c.require(file, PROJECTION, e, p.dModel()).values() : null;
        if (proj == null && e != p.dModel()) {
            throw new IllegalArgumentException(file + ": tensor '" + PROJECTION + "' is missing, but the class vectors' width " + e
                    + " differs from the pooled width d_model=" + p.dModel());
        }
        for (Map.Entry<String, Safetensors.Tensor> t : c.tensors().entrySet()) {
            for (float x : t.getValue().values()) {
                if (!Float.isFinite(x)) {
                    throw new IllegalArgumentException(file + ": tensor '" + t.getKey() + "' holds a NaN or infinite value");
                }
            }
        }
        return new ZeroShotHead(v.values(), e, proj, scale[0], bias == null ? null : bias[0], p);
    }
}
