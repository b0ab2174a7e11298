package saelab.image;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import saelab.io.Json;

/**
 * Locates the reference fixtures under {@code src/test/resources/golden/} (surefire runs in
 * {@code lib/}) and reads their safetensors files, including the U8 tensors that
 * {@code saelab.io.Safetensors} does not read. A missing fixture fails the test: the fixtures are
 * part of the repository.
 */
public final class Golden {

    /** The fixture root. */
    public static final Path ROOT = Path.of("src/test/resources/golden");

    private Golden() {}

    /** A fixture path, asserted to exist. */
    public static Path path(String first, String... more) {
        Path p = ROOT.resolve(Path.of(first, more));
        assertTrue(Files.exists(p), "fixture " + p.toAbsolutePath() + " is missing (run the tests from lib/)");
        return p;
    }

    /**
     * A tensor of a fixture file.
     *
     * @param dtype "U8" or "F32"
     * @param shape outermost first
     * @param u8    the bytes of a U8 tensor (else null)
     * @param f32   the values of an F32 tensor (else null)
     */
    public record Tensor(String dtype, long[] shape, byte[] u8, float[] f32) {}

    /** Every U8 and F32 tensor of a safetensors file. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) b.getLong(0);
        JsonNode header = Json.mapper().readTree(new String(all, 8, n, StandardCharsets.UTF_8).strip());
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : header.properties()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode t = e.getValue();
            long[] shape = new long[t.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.get("shape").get(i).asLong();
            }
            int begin = 8 + n + t.get("data_offsets").get(0).asInt();
            int end = 8 + n + t.get("data_offsets").get(1).asInt();
            String dtype = t.get("dtype").asText();
            switch (dtype) {
                case "U8" -> {
                    byte[] v = new byte[end - begin];
                    System.arraycopy(all, begin, v, 0, v.length);
                    out.put(e.getKey(), new Tensor(dtype, shape, v, null));
                }
                case "F32" -> {
                    float[] v = new float[(end - begin) / 4];
                    b.slice(begin, end - begin).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                    out.put(e.getKey(), new Tensor(dtype, shape, null, v));
                }
                default -> throw new IllegalArgumentException(file + ": tensor " + e.getKey() + " has dtype " + dtype);
            }
        }
        return out;
    }

    /** A U8 {@code [H, W, 3]} tensor as an image. */
    public static RgbImage image(Tensor t) {
        return new RgbImage((int) t.shape()[1], (int) t.shape()[0], t.u8());
    }

    /** The reference's decoded RGB of preprocess image {@code i} ({@code Image.open(p).convert("RGB")}). */
    public static RgbImage decodedRgb(int i) throws IOException {
        return image(read(path("preprocess", "images", "decoded_rgb.safetensors")).get("image" + i + ".rgb_u8"));
    }

    /** The file of preprocess image {@code i}: two PNGs and a JPEG. */
    public static Path imageFile(int i) {
        return path("preprocess", "images", switch (i) {
            case 0 -> "img0_300x200.png";
            case 1 -> "img1_200x321.png";
            case 2 -> "img2_500x375.jpg";
            default -> throw new IllegalArgumentException("no image " + i);
        });
    }

    /** Largest absolute difference of two float arrays of the same length. */
    public static double maxAbsDiff(float[] a, float[] b) {
        assertTrue(a.length == b.length, "lengths " + a.length + " and " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }
}
