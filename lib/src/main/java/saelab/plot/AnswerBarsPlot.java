package saelab.plot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.knowm.xchart.CategoryChart;
import saelab.lm.AnswerTally;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The answers of a vision-language model before and after an SAE edit of its vision features ({@code saelab vlm ask}):
 * paired bars of the frequency of each of the top distinct answers of either run (the clean run's top answers first,
 * then the edited run's new ones), so an answer that the edit suppresses or creates shows as a bar on one side only.
 * Written as {@code answers.png/pdf/csv}; the CSV has each shown answer's count and frequency in both runs.
 */
public final class AnswerBarsPlot {

    /** The file stem. */
    public static final String ID = "answers";

    /** Longest answer label drawn; the CSV keeps the whole answer. */
    private static final int LABEL = 20;

    private AnswerBarsPlot() {}

    /**
     * Writes the PNG, PDF and CSV into {@code dir}.
     *
     * @param after the edited answers, or null for the clean answers alone
     * @param top   distinct answers taken from each run
     */
    public static List<Path> write(String title, AnswerTally before, AnswerTally after, int top, Path dir) throws IOException {
        return figure(title, before, after, top).write(dir);
    }

    /** The chart and its table. */
    public static ChartFigure figure(String title, AnswerTally before, AnswerTally after, int top) {
        Set<String> shown = new LinkedHashSet<>();
        before.top(top).forEach(e -> shown.add(e.answer()));
        if (after != null) {
            after.top(top).forEach(e -> shown.add(e.answer()));
        }
        List<String> answers = new ArrayList<>(shown);
        Table data = Table.create(ID, StringColumn.create("answer", answers),
                IntColumn.create("before_count", answers.stream().mapToInt(before::count).toArray()),
                DoubleColumn.create("before_frequency", answers.stream().mapToDouble(a -> (double) before.count(a) / before.samples()).toArray()));
        if (after != null) {
            data.addColumns(IntColumn.create("after_count", answers.stream().mapToInt(after::count).toArray()),
                    DoubleColumn.create("after_frequency", answers.stream().mapToDouble(a -> (double) after.count(a) / after.samples()).toArray()));
        }
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            String l = label(answers.get(i));
            labels.add(labels.contains(l) ? l + " #" + (i + 1) : l);
        }
        CategoryChart chart = PaperStyle.barChart(title, "answer (normalised)", "frequency", PaperStyle.DOUBLE_COLUMN);
        chart.getStyler().setXAxisLabelRotation(answers.size() > 4 ? 30 : 0);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.addSeries(after == null ? "answers" : "before", labels, data.doubleColumn("before_frequency").asList());
        if (after != null) {
            chart.addSeries("after", labels, data.doubleColumn("after_frequency").asList());
        }
        return new ChartFigure(ID, chart, data);
    }

    /**
     * An answer as drawn: "(empty)" for an empty answer, white space runs (line breaks included) as one space, other
     * control characters as "?", long ones clipped with an ellipsis.
     */
    static String label(String answer) {
        String a = answer.replaceAll("\\s+", " ").replaceAll("\\p{Cntrl}", "?").strip();
        if (a.isEmpty()) {
            return "(empty)";
        }
        return a.length() <= LABEL ? a : a.substring(0, LABEL - 1) + "…";
    }
}
