package saelab.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import saelab.io.Safetensors;
import saelab.store.RecordedLayer;

/**
 * A linear map from features {@code [.., d_model]} to class logits {@code [.., classes]}: {@code x W^T + b}, with what
 * made it. The weights of the segmentation head and of the classification probe; saved as safetensors (tensors
 * {@code weight} {@code [classes, d_model]} and {@code bias} {@code [classes]}, float32) with the provenance JSON
 * under the metadata key {@value HeadProvenance#KEY} and {@code format} = {@value HeadProvenance#FORMAT}.
 *
 * @param weight     {@code [classes, d_model]} row-major
 * @param bias       {@code [classes]}
 * @param provenance what made it ({@code classes} and {@code d_model} give the shapes)
 */
public record LinearHead(float[] weight, float[] bias, HeadProvenance provenance) {

    /** Tensor name of the weight. */
    public static final String WEIGHT = "weight";
    /** Tensor name of the bias. */
    public static final String BIAS = "bias";

    public LinearHead {
        int c = provenance.classes().size();
        if (weight.length != (long) c * provenance.dModel() || bias.length != c) {
            throw new IllegalArgumentException("a linear head of " + c + " classes on width " + provenance.dModel() + " needs "
                    + (long) c * provenance.dModel() + " weights and " + c + " biases, got " + weight.length + " and " + bias.length);
        }
    }

    /** Number of classes. */
    public int classes() {
        return bias.length;
    }

    /** Input width. */
    public int dModel() {
        return provenance.dModel();
    }

    /**
     * Logits of {@code x} {@code [.., d_model]} as {@code [.., classes]} (float32), on the manager of {@code x}.
     *
     * @throws IllegalArgumentException when the last axis of {@code x} is not {@code d_model}
     */
    public NDArray logits(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() < 1 || s.get(s.dimension() - 1) != dModel()) {
            throw new IllegalArgumentException("the head reads features of width " + dModel() + ", got an array of shape " + s);
        }
        NDManager nd = x.getManager();
        try (NDArray w = nd.create(weight, new Shape(classes(), dModel())).toDevice(x.getDevice(), false);
             NDArray b = nd.create(bias).toDevice(x.getDevice(), false);
             NDArray xf = x.toType(DataType.FLOAT32, true); NDArray wt = w.transpose(); NDArray xw = xf.matMul(wt)) {
            return xw.add(b);
        }
    }

    /** Writes the head to {@code file} atomically. */
    public void save(Path file) throws IOException {
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        t.put(WEIGHT, new Safetensors.Tensor(new long[] {classes(), dModel()}, weight));
        t.put(BIAS, new Safetensors.Tensor(new long[] {classes()}, bias));
        Safetensors.write(file, t, Map.of(HeadProvenance.FORMAT_KEY, HeadProvenance.FORMAT, HeadProvenance.KEY, provenance.toJson()));
    }

    /**
     * Reads a head written by {@link #save}.
     *
     * @throws IllegalArgumentException one sentence naming the file and what is wrong: not a head file, a missing
     *                                  tensor, a tensor whose shape disagrees with the classes and width, a non-finite weight
     */
    public static LinearHead load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + (Files.exists(file) ? " is not a file" : " does not exist") + "; expected a head file");
        }
        Safetensors.Contents c = Safetensors.read(file);
        HeadProvenance p = provenance(file, c.metadata());
        if (p.kind() == HeadKind.ZEROSHOT) {
            throw new IllegalArgumentException(file + " is a zero-shot head; load it with ZeroShotHead.load (on the command line: --head zeroshot:"
                    + file + ")");
        }
        int classes = p.classes().size();
        float[] w = c.require(file, WEIGHT, classes, p.dModel()).values();
        float[] b = c.require(file, BIAS, classes).values();
        for (float[] a : new float[][] {w, b}) {
            for (float v : a) {
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException(file + ": tensor '" + (a == w ? WEIGHT : BIAS) + "' holds a NaN or infinite value");
                }
            }
        }
        if (p.layer() != RecordedLayer.FINAL && p.layer() != RecordedLayer.POOLED) {
            throw new IllegalArgumentException(file + ": metadata field 'layer' is " + p.layer() + "; expected final or pooled");
        }
        return new LinearHead(w, b, p);
    }

    /**
     * The provenance of a head file's metadata (any head kind, zero-shot included), e.g. to pick the loader; errors
     * name the file.
     */
    public static HeadProvenance provenance(Path file, Map<String, String> metadata) {
        if (!HeadProvenance.FORMAT.equals(metadata.get(HeadProvenance.FORMAT_KEY)) || !metadata.containsKey(HeadProvenance.KEY)) {
            throw new IllegalArgumentException(file + " is not a saelab head: its metadata lacks format '" + HeadProvenance.FORMAT
                    + "' and a '" + HeadProvenance.KEY + "' entry");
        }
        return HeadProvenance.fromJson(file, metadata.get(HeadProvenance.KEY));
    }
}
