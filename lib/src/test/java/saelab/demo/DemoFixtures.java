package saelab.demo;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import saelab.data.ToyWorld;

/**
 * Backbones and sizes for the demo's plumbing tests: copies of the golden fixture models (tiny, random weights, so
 * nothing they compute means anything) with a preprocessing config that maps the 64x64 toy images onto their trained
 * grid: DINOv2 (patch 14) resized to 56 = a 4x4 grid, CLIP (patch 8) resized to 32 = a 4x4 grid.
 */
public final class DemoFixtures {

    private DemoFixtures() {}

    /** The golden fixture folder {@code name} ({@code src/test/resources/golden}); fails, never skips, when missing. */
    public static Path golden(String name) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path g : List.of(dir.resolve("src/test/resources/golden"), dir.resolve("lib/src/test/resources/golden"))) {
                if (Files.isDirectory(g.resolve(name))) {
                    return g.resolve(name);
                }
            }
        }
        return fail("golden fixture " + name + " not found under src/test/resources/golden from " + Path.of("").toAbsolutePath());
    }

    /** The DINOv2 fixture (width 32, 3 blocks, patch 14) with a BitImageProcessor config: 64 -> 56, a 4x4 grid. */
    public static Path dinov2(Path dir) throws IOException {
        return dinov2(dir, "dinov2");
    }

    /** {@link #dinov2(Path)} from the golden fixture {@code fixture} ({@code dinov2} or {@code dinov2_registers}). */
    public static Path dinov2(Path dir, String fixture) throws IOException {
        copy(golden(fixture), dir);
        Files.writeString(dir.resolve("preprocessor_config.json"), """
                {"image_processor_type": "BitImageProcessor", "do_resize": true, "size": {"shortest_edge": 56},
                 "resample": 3, "do_center_crop": true, "crop_size": {"height": 56, "width": 56},
                 "do_rescale": true, "rescale_factor": 0.00392156862745098, "do_normalize": true,
                 "image_mean": [0.485, 0.456, 0.406], "image_std": [0.229, 0.224, 0.225]}
                """);
        return dir;
    }

    /**
     * The CLIP fixture (vision width 32, 3 blocks, patch 8) with a CLIPImageProcessor config: 64 -> 32, a 4x4 grid, and
     * the toy captions' tokenizer (its ids fit the fixture's 1,000-entry text vocabulary), for the zero-shot head.
     */
    public static Path clip(Path dir) throws IOException {
        copy(golden("clip"), dir);
        int vocab = saelab.toy.ToyTokenizerFiles.writeCaptionTokenizer(dir, 16);
        if (vocab > 1000) {
            fail("the toy tokenizer has " + vocab + " ids, more than the CLIP fixture's 1000-entry text vocabulary");
        }
        writeClipPreprocessor(dir);
        return dir;
    }

    /**
     * The tiny LLaVA fixture {@code llava_llama} (a CLIP vision tower of width 32, 3 blocks, patch 8; a 2-layer Llama
     * decoder; its GPT-2-style tokenizer) with a CLIPImageProcessor config: 64 -> 32, a 4x4 grid. Random weights: its
     * answers are gibberish, but deterministic.
     */
    public static Path llava(Path dir) throws IOException {
        Path src = golden("llava_llama");
        copy(src, dir);
        for (String f : List.of("generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json",
                "merges.txt")) {
            Files.copy(src.resolve(f), dir.resolve(f));
        }
        writeClipPreprocessor(dir);
        return dir;
    }

    /** OpenAI CLIP's image processor config at 32 pixels (64 -> 32, a 4x4 grid for the fixtures' patch 8). */
    private static void writeClipPreprocessor(Path dir) throws IOException {
        Files.writeString(dir.resolve("preprocessor_config.json"), """
                {"image_processor_type": "CLIPImageProcessor", "do_resize": true, "size": {"shortest_edge": 32},
                 "resample": 3, "do_center_crop": true, "crop_size": {"height": 32, "width": 32},
                 "do_rescale": true, "rescale_factor": 0.00392156862745098, "do_normalize": true, "do_convert_rgb": true,
                 "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711]}
                """);
    }

    private static void copy(Path src, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
    }

}
