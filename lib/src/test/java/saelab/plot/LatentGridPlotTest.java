package saelab.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.analysis.AnalysisResult;
import saelab.analysis.FeaturePass;
import saelab.analysis.PatchMaps;
import saelab.cli.Main;
import saelab.io.Verbosity;
import saelab.sae.Sae;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;
import saelab.store.ActivationCache;
import saelab.store.CacheManifest.DatasetRef;
import saelab.store.CacheManifest.ModelRef;
import saelab.store.CacheSpec;
import saelab.store.CacheWriter;
import saelab.store.ImageRecord;
import saelab.store.StorageDtype;
import saelab.store.TokenLayout;

/**
 * The top-image grid on a planted latent: a 56 × 56 test image with 14-pixel patches (a 4 × 4 grid, as
 * DINOv2's patches on a 56 crop), a cache with a CLS token and a register whose latent 0 is planted
 * on patches 5 and 10 (value 4, the latent's maximum) and patch 6 (value 2) of image 1, read through
 * an identity SAE, {@code saelab analyze}'s pass and patch maps, then {@code saelab show-latent}; the
 * PNG is read back and every pixel of the top tile is checked.
 */
class LatentGridPlotTest {

    static final int GRID = 4;
    static final int PATCH = 14;
    static final int SIZE = GRID * PATCH;
    static final int D = 2;
    static final int N = 3;
    static final TokenLayout LAYOUT = new TokenLayout(true, 1, GRID, GRID);
    static final double ALPHA = 0.5;

    @TempDir
    static Path tmp;

    static NDManager nd;
    static Path cacheDir;
    static Path analysisDir;
    static Path dataRoot;
    static Path modelDir;

    /** The test image's colour at (x, y): distinct per pixel, so misalignment by one pixel shows. */
    static int imageRgb(int image, int x, int y) {
        return ((x * 4 + image) << 16) | ((y * 4) << 8) | (60 + 50 * image);
    }

    @BeforeAll
    static void setUp() throws IOException {
        nd = NDManager.newBaseManager();
        dataRoot = Files.createDirectories(tmp.resolve("data"));
        for (int i = 0; i < N; i++) {
            BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    img.setRGB(x, y, imageRgb(i, x, y));
                }
            }
            ImageIO.write(img, "png", dataRoot.resolve("img" + i + ".png").toFile());
        }
        modelDir = Files.createDirectories(tmp.resolve("model"));
        Files.writeString(modelDir.resolve("preprocessor_config.json"), """
                {"crop_size": {"height": 56, "width": 56}, "do_center_crop": true, "do_convert_rgb": true,
                 "do_normalize": true, "do_rescale": true, "do_resize": true, "image_mean": [0.485, 0.456, 0.406],
                 "image_processor_type": "BitImageProcessor", "image_std": [0.229, 0.224, 0.225], "resample": 3,
                 "rescale_factor": 0.00392156862745098, "size": {"shortest_edge": 56}}
                """);
        int tokens = LAYOUT.tokens();
        cacheDir = tmp.resolve("cache");
        CacheSpec spec = new CacheSpec(new ModelRef("test/planted", null, null), new DatasetRef("planted", null, null), null,
                List.of(0), LAYOUT, D, StorageDtype.F32, null, null);
        try (CacheWriter w = CacheWriter.create(cacheDir, spec, 2L * spec.bytesPerImage())) {
            for (int i = 0; i < N; i++) {
                float[] flat = new float[tokens * D];
                java.util.Arrays.fill(flat, -1f);
                flat[1 * D] = 100f; // the register: never drawn
                if (i == 1) {
                    flat[(2 + 5) * D] = 4f;
                    flat[(2 + 10) * D] = 4f;
                    flat[(2 + 6) * D] = 2f;
                }
                if (i == 2) {
                    flat[(2 + 0) * D] = 1f;
                }
                w.append(List.of(new ImageRecord(i, "img" + i + ".png", i)), flat, null);
            }
            w.finish();
        }
        float[] eye = {1, 0, 0, 1};
        analysisDir = tmp.resolve("analysis");
        try (Sae sae = Sae.of(SaeConfig.inference(SaeKind.RELU, D, D, 0, "raw"), nd, eye, new float[D], eye.clone(), new float[D]);
             ActivationCache c = ActivationCache.open(cacheDir)) {
            AnalysisResult r = FeaturePass.run(c, sae, "identity", nd, new FeaturePass.Options(0, 2, 64, new int[] {0, 1}, Verbosity.QUIET));
            Files.createDirectories(analysisDir);
            r = PatchMaps.write(analysisDir, c, sae, nd, r, 64, PatchMaps.DEFAULT_MAX_BYTES, Verbosity.QUIET);
            r.write(analysisDir);
        }
    }

    @AfterAll
    static void tearDown() {
        nd.close();
    }

    static int run(ByteArrayOutputStream err, String... args) {
        PrintStream old = System.err;
        PrintStream oldOut = System.out;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            return Main.run(args);
        } finally {
            System.setErr(old);
            System.setOut(oldOut);
        }
    }

    static int channel(int rgb, int shift) {
        return (rgb >> shift) & 0xFF;
    }

    static void assertColour(int want, int got, String where) {
        for (int s = 16; s >= 0; s -= 8) {
            assertTrue(Math.abs(channel(want, s) - channel(got, s)) <= 1,
                    where + ": want #" + Integer.toHexString(want) + ", got #" + Integer.toHexString(got & 0xFFFFFF));
        }
    }

    /** The expected blend, written out independently of HeatmapOverlay. */
    static int blended(int cmap, int image) {
        int out = 0;
        for (int s = 16; s >= 0; s -= 8) {
            out |= (int) Math.round(ALPHA * channel(cmap, s) + (1 - ALPHA) * channel(image, s)) << s;
        }
        return out;
    }

    @Test
    void overlayIsAlignedWithThePatchGridAndBlendedAtAlpha() throws IOException {
        Path png = tmp.resolve("out/latent0.png");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(err, "show-latent", "--analysis", analysisDir.toString(), "--latent", "0", "--out", png.toString(),
                "--cache", cacheDir.toString(), "--data-root", dataRoot.toString(), "--model", modelDir.toString(),
                "--alpha", String.valueOf(ALPHA), "--columns", "2");
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        BufferedImage got = ImageIO.read(png.toFile());
        LatentGridPlot.Layout layout = LatentGridPlot.Layout.of(2, 2, SIZE, SIZE);
        assertEquals(layout.width(), got.getWidth());
        assertEquals(layout.height(), got.getHeight());
        int top = 0xFDE725; // viridis at 1: the latent's maximum (4)
        int mid = Colormaps.viridisRgb(0.5); // value 2 of 4
        int x0 = layout.tileX(0);
        int y0 = layout.tileY(0);
        int planted = 0;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int patch = (y / PATCH) * GRID + x / PATCH;
                int img = imageRgb(1, x, y);
                int want = patch == 5 || patch == 10 ? blended(top, img) : patch == 6 ? blended(mid, img) : img;
                planted += patch == 5 || patch == 10 ? 1 : 0;
                assertColour(want, got.getRGB(x0 + x, y0 + y), "tile 0 pixel (" + x + ", " + y + ") patch " + patch);
            }
        }
        assertEquals(2 * PATCH * PATCH, planted);
        // the second image (value 1 on patch 0): same scale, so a quarter of the way up the colormap
        int x1 = layout.tileX(1);
        int y1 = layout.tileY(1);
        assertColour(blended(Colormaps.viridisRgb(0.25), imageRgb(2, 13, 13)), got.getRGB(x1 + 13, y1 + 13), "tile 1 inside patch 0");
        assertColour(imageRgb(2, 14, 0), got.getRGB(x1 + 14, y1), "tile 1 outside patch 0");
        // 300 dpi metadata, PDF and CSV beside the PNG
        assertEquals(300.0, dpi(png), 0.5);
        Path pdf = tmp.resolve("out/latent0.pdf");
        assertTrue(Files.size(pdf) > 0);
        assertTrue(new String(Files.readAllBytes(pdf), 0, 5, StandardCharsets.US_ASCII).startsWith("%PDF-"));
        List<String> csv = Files.readAllLines(tmp.resolve("out/latent0.csv"));
        assertEquals("rank,image,dataset_index,path,label,caption,value,scale_max,patch,patch_row,patch_col,patch_value", csv.get(0));
        assertEquals(1 + 2 * GRID * GRID, csv.size());
        assertEquals("0,1,1,img1.png,1,label 1 · img1.png,4.0,4.0,5,1,1,4.0", csv.get(1 + 5));
        assertEquals("0,1,1,img1.png,1,label 1 · img1.png,4.0,4.0,6,1,2,2.0", csv.get(1 + 6));
        assertEquals("1,2,2,img2.png,2,label 2 · img2.png,1.0,4.0,0,0,0,1.0", csv.get(1 + GRID * GRID));
    }

    @Test
    void withoutImagesDrawsTheHeatmapAlone() throws IOException {
        AnalysisResult r = AnalysisResult.read(analysisDir);
        LatentGridPlot grid = LatentTiles.grid(analysisDir, r, 0, 16, ALPHA, 4, null);
        BufferedImage img = grid.render();
        LatentGridPlot.Layout l = grid.layout();
        int cell = l.cellWidth() / GRID;
        assertEquals(Colormaps.viridisRgb(1), img.getRGB(l.tileX(0) + cell + 1, l.tileY(0) + cell + 1) & 0xFFFFFF, "patch 5");
        assertEquals(Colormaps.viridisRgb(0), img.getRGB(l.tileX(0), l.tileY(0)) & 0xFFFFFF, "patch 0 (zero)");
    }

    @Test
    void unknownLatentAndMissingImageAreOneLineErrors() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, run(err, "show-latent", "--analysis", analysisDir.toString(), "--latent", "7", "--out",
                tmp.resolve("x.png").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("latent 7 was not analysed"), err.toString(StandardCharsets.UTF_8));
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        assertEquals(2, run(err2, "show-latent", "--analysis", analysisDir.toString(), "--latent", "0", "--out",
                tmp.resolve("y.png").toString(), "--cache", cacheDir.toString(), "--data-root", tmp.resolve("nowhere").toString(),
                "--model", modelDir.toString()));
        assertTrue(err2.toString(StandardCharsets.UTF_8).contains("img1.png"), err2.toString(StandardCharsets.UTF_8));
    }

    /** Dots per inch from the PNG's pHYs chunk (pixels per metre, unit 1), read from the bytes. */
    static double dpi(Path png) throws IOException {
        byte[] b = Files.readAllBytes(png);
        for (int i = 8; i + 8 <= b.length; ) {
            int len = ((b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
            String type = new String(b, i + 4, 4, StandardCharsets.US_ASCII);
            if (type.equals("pHYs")) {
                int d = i + 8;
                long ppm = ((long) (b[d] & 0xFF) << 24) | ((b[d + 1] & 0xFF) << 16) | ((b[d + 2] & 0xFF) << 8) | (b[d + 3] & 0xFF);
                assertEquals(1, b[d + 8], "pHYs unit: metre");
                return ppm * 0.0254;
            }
            i += 12 + len;
        }
        return -1;
    }
}
