package saelab.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;

/**
 * The one look of every saelab plot: sizes and fonts chosen so a chart reads well in a two-column
 * paper, a colour-blind-safe palette, white background, light grid.
 *
 * <p>Sizes are in points (1/72 in) for the PDF. A {@link #SINGLE_COLUMN} chart is 360×240 pt, so
 * scaled to a 3.25 in column (234 pt) its 11 pt axis titles print at about 7 pt, the usual minimum
 * for figure text; {@link #DOUBLE_COLUMN} charts span a 6.75 in text width likewise. PNGs are written
 * at {@link #PNG_DPI} dpi.
 */
public final class PaperStyle {

    /** Width and height of a chart, in points. */
    public record Size(int width, int height) {}

    public static final Size SINGLE_COLUMN = new Size(360, 240);
    public static final Size DOUBLE_COLUMN = new Size(740, 280);
    public static final int PNG_DPI = 300;

    /**
     * Okabe and Ito's colour-blind-safe palette ("Color Universal Design", 2008), black first
     * replaced by blue so that the first series is coloured.
     */
    public static final Color[] PALETTE = {
        new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73), new Color(0xD55E00),
        new Color(0xCC79A7), new Color(0x56B4E9), new Color(0xF0E442), new Color(0x000000),
    };

    private static final String FONT = Font.SANS_SERIF;

    private PaperStyle() {}

    /** A new line/scatter chart in the paper style. */
    public static XYChart xyChart(String title, String xTitle, String yTitle, Size size) {
        XYChart chart = new XYChartBuilder().width(size.width()).height(size.height())
                .title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        applyAxes(chart.getStyler());
        chart.getStyler().setMarkerSize(5);
        return chart;
    }

    /** A new bar chart in the paper style. */
    public static CategoryChart barChart(String title, String xTitle, String yTitle, Size size) {
        CategoryChart chart = new CategoryChartBuilder().width(size.width()).height(size.height())
                .title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        applyAxes(chart.getStyler());
        chart.getStyler().setAvailableSpaceFill(0.7);
        chart.getStyler().setOverlapped(false);
        return chart;
    }

    /** Applies the paper look to any axes chart's styler. */
    public static void applyAxes(AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(true);
        s.setPlotBorderColor(new Color(0x444444));
        s.setPlotGridLinesColor(new Color(0xE3E3E3));
        s.setPlotGridLinesStroke(new BasicStroke(0.6f));
        s.setChartTitleFont(new Font(FONT, Font.BOLD, 12));
        s.setChartTitleBoxVisible(false);
        s.setAxisTitleFont(new Font(FONT, Font.PLAIN, 11));
        s.setAxisTickLabelsFont(new Font(FONT, Font.PLAIN, 9));
        s.setAxisTickMarkLength(3);
        s.setLegendFont(new Font(FONT, Font.PLAIN, 9));
        s.setLegendBorderColor(new Color(0xBBBBBB));
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setSeriesColors(PALETTE);
        s.setChartPadding(6);
        s.setAntiAlias(true);
    }
}
