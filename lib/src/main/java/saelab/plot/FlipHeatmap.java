package saelab.plot;

import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import saelab.intervene.ProtocolFlips;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Where a classification control run's top-1 flips go ({@link ProtocolFlips}): a heat map of image counts from the clean
 * top-1 class (rows) to the edited top-1 class (columns), the diagonal (unchanged images) drawn as 0 so that the
 * flips set the colour scale, each cell labelled with its count. The data table lists every from → to pair with its count,
 * the diagonal included.
 */
public final class FlipHeatmap {

    private FlipHeatmap() {}

    /**
     * The chart and its table.
     *
     * @param id    the figure's id
     * @param title the chart title
     */
    public static ChartFigure figure(String id, String title, ProtocolFlips flips) {
        List<String> names = flips.names();
        int n = names.size();
        List<Number[]> cells = new ArrayList<>();
        List<String> from = new ArrayList<>();
        List<String> to = new ArrayList<>();
        List<Integer> count = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                long v = flips.counts()[i][j];
                from.add(names.get(i));
                to.add(names.get(j));
                count.add(Math.toIntExact(v));
                cells.add(new Number[] {j, i, i == j ? 0 : v});
            }
        }
        HeatMapChart chart = new HeatMapChartBuilder().width(PaperStyle.SINGLE_COLUMN.width()).height(PaperStyle.SINGLE_COLUMN.height() + 40)
                .title(title).xAxisTitle("top-1 after the edit").yAxisTitle("clean top-1").build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setRangeColors(new java.awt.Color[] {new java.awt.Color(0xEEF3FA), new java.awt.Color(0x08306B)});
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(n > 4 ? 45 : 0);
        chart.addSeries("flips", names, names, cells);
        Table data = Table.create(id, StringColumn.create("from", from), StringColumn.create("to", to),
                IntColumn.create("images", count.stream().mapToInt(Integer::intValue).toArray()));
        return new ChartFigure(id, chart, data);
    }
}
