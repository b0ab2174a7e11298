package saelab.plot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.Table;

/**
 * A chart with the table of the numbers it shows, written by {@link FigureExporter} as
 * {@code <id>.png} (300 dpi), {@code <id>.pdf} and {@code <id>.csv}. For analysis plots that are not
 * figures of the paper registry (a registered figure goes through {@link FigureExporter#writeFigure}
 * with its registry entry).
 *
 * @param id    file name stem: lower-case letters, digits and dashes
 * @param chart the chart
 * @param data  the plotted numbers
 */
public record ChartFigure(String id, Chart<?, ?> chart, Table data) {

    /** Writes the PNG, PDF and CSV into {@code dir}; returns them in that order. */
    public List<Path> write(Path dir) throws IOException {
        FigureSpec spec = new FigureSpec(id, "figure", "analysis", "analysis.ipynb", chart.getTitle() == null ? id : chart.getTitle(),
                List.of("png", "pdf", "csv"));
        spec.validate("analysis plot '" + id + "'");
        return FigureExporter.writeFigure(spec, chart, data, dir);
    }

    /** Writes only the PNG and PDF into {@code dir}, for a chart whose numbers already sit in a CSV beside them. */
    public List<Path> writeImages(Path dir) throws IOException {
        return FigureExporter.writeImages(chart, id, dir);
    }
}
