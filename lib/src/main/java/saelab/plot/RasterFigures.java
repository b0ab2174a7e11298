package saelab.plot;

import de.rototor.pdfbox.graphics2d.PdfBoxGraphics2D;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Iterator;
import java.util.function.Consumer;
import java.nio.file.Path;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import saelab.io.AtomicFiles;

/**
 * Writes Java2D drawings (image grids) as a PNG with {@link PaperStyle#PNG_DPI} dpi metadata (the
 * PNG pHYs chunk)
 * and as a vector PDF through pdfbox-graphics2d (text and shapes stay vectors, images are embedded
 * losslessly). Both written atomically.
 */
public final class RasterFigures {

    private RasterFigures() {}

    /** Paints {@code painter} on a {@code width × height} RGB canvas and returns it (what a PNG holds). */
    public static BufferedImage render(int width, int height, Consumer<Graphics2D> painter) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            painter.accept(g);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Paints {@code painter} on a white {@code width × height} canvas and writes it as PNG. */
    public static BufferedImage writePng(Path target, int width, int height, Consumer<Graphics2D> painter) throws IOException {
        BufferedImage img = render(width, height, painter);
        writePng(target, img);
        return img;
    }

    /**
     * Paints {@code painter}, designed for a {@code width × height} point page (what the PDF is), at
     * {@link PaperStyle#PNG_DPI} dpi and writes it as PNG with that dpi in its metadata, so that the PNG prints at the
     * same size as the PDF and as XChart's figures (a PNG of one pixel per point marked 300 dpi would print at a quarter
     * of that width).
     *
     * @return the image at design size (one pixel per point), for showing inline
     */
    public static BufferedImage writePrintPng(Path target, int width, int height, Consumer<Graphics2D> painter) throws IOException {
        double s = PaperStyle.PNG_DPI / 72.0;
        writePng(target, (int) Math.round(width * s), (int) Math.round(height * s), g -> {
            g.scale(s, s);
            painter.accept(g);
        });
        return render(width, height, painter);
    }

    /** Writes {@code img} as PNG with 300 dpi metadata. */
    public static void writePng(Path target, BufferedImage img) throws IOException {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        if (!writers.hasNext()) {
            throw new IOException("no PNG writer in this JDK's ImageIO");
        }
        ImageWriter writer = writers.next();
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), param);
            // The PNG-native pHYs node (pixels per metre): the JDK's writer misreads the standard
            // tree's HorizontalPixelSize (it stores the value times 1000 as pixels per metre).
            String ppm = Long.toString(Math.round(PaperStyle.PNG_DPI / 0.0254));
            IIOMetadataNode phys = new IIOMetadataNode("pHYs");
            phys.setAttribute("pixelsPerUnitXAxis", ppm);
            phys.setAttribute("pixelsPerUnitYAxis", ppm);
            phys.setAttribute("unitSpecifier", "meter");
            IIOMetadataNode root = new IIOMetadataNode("javax_imageio_png_1.0");
            root.appendChild(phys);
            meta.mergeTree("javax_imageio_png_1.0", root);
            AtomicFiles.writeVia(target, temp -> {
                try (ImageOutputStream out = ImageIO.createImageOutputStream(temp.toFile())) {
                    writer.setOutput(out);
                    writer.write(null, new IIOImage(img, null, meta), param);
                }
            });
        } finally {
            writer.dispose();
        }
    }

    /** Paints {@code painter} on a {@code width × height} pt page and writes it as a one-page vector PDF. */
    public static void writePdf(Path target, int width, int height, Consumer<Graphics2D> painter) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage(new PDRectangle(width, height));
            doc.addPage(page);
            PdfBoxGraphics2D g = new PdfBoxGraphics2D(doc, width, height);
            try {
                painter.accept(g);
            } finally {
                g.dispose();
            }
            try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                cs.drawForm(g.getXFormObject());
            }
            AtomicFiles.write(target, doc::save);
        }
    }
}
