package saelab.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A raster figure's PNG prints at the size of its PDF: 300 dpi of the design size in points. */
class RasterFiguresTest {

    @TempDir
    Path tmp;

    @Test
    void thePrintPngIs300DpiOfTheDesignSizeAndTheInlineImageIsTheDesignSize() throws IOException {
        Path png = tmp.resolve("f.png");
        // a 72 x 36 pt figure: its left half red, right half blue
        BufferedImage inline = RasterFigures.writePrintPng(png, 72, 36, g -> {
            g.setColor(Color.RED);
            g.fillRect(0, 0, 36, 36);
            g.setColor(Color.BLUE);
            g.fillRect(36, 0, 36, 36);
        });
        BufferedImage written = ImageIO.read(png.toFile());
        assertEquals(300, written.getWidth(), "72 pt at 300 dpi");
        assertEquals(150, written.getHeight());
        assertEquals(72, inline.getWidth());
        assertEquals(36, inline.getHeight());
        // the drawing is scaled, not cropped: the right edge of the PNG is the figure's blue half
        assertEquals(Color.RED.getRGB(), written.getRGB(10, 75));
        assertEquals(Color.BLUE.getRGB(), written.getRGB(290, 75));
    }
}
