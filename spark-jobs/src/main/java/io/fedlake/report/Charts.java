package io.fedlake.report;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.BoxAndWhiskerItem;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The report's charts, drawn by JFreeChart into PNG bytes (headless: no display is needed). One look for all of them:
 * white background, light grid, the same size.
 */
public final class Charts {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    static final int WIDTH = 560;
    static final int HEIGHT = 360;
    private static final Color GRID = new Color(0xDD, 0xDD, 0xDD);
    private static final Color MARKER = new Color(0xB0, 0x30, 0x30);

    private Charts() {
    }

    /** A line of (x, y) points; {@code dashed} for reference lines (chance, perfect calibration). */
    public record Series(String name, double[] x, double[] y, boolean dashed, boolean points) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + name + " has " + x.length + " x values and " + y.length + " y values");
            }
        }

        public static Series line(String name, double[] x, double[] y) {
            return new Series(name, x, y, false, false);
        }

        public static Series reference(String name, double[] x, double[] y) {
            return new Series(name, x, y, true, false);
        }

        public static Series withPoints(String name, double[] x, double[] y) {
            return new Series(name, x, y, false, true);
        }
    }

    /**
     * Lines over a numeric x axis; NaN y values leave gaps.
     *
     * @param unitSquare both axes from 0 to 1 (ROC, precision–recall, reliability)
     */
    public static byte[] lines(String title, String xLabel, String yLabel, List<Series> series, boolean unitSquare) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Series s : series) {
            XYSeries xy = new XYSeries(s.name(), false, true);
            for (int i = 0; i < s.x().length; i++) {
                xy.add(s.x()[i], Double.isNaN(s.y()[i]) ? null : s.y()[i]);
            }
            data.addSeries(xy);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, series.size() > 1, false, false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            renderer.setSeriesShapesVisible(i, s.points() || s.x().length == 1);
            renderer.setSeriesStroke(i, s.dashed() ? new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{5f, 4f}, 0f)
                    : new BasicStroke(2f));
            if (s.dashed()) {
                renderer.setSeriesPaint(i, Color.GRAY);
            }
        }
        plot.setRenderer(renderer);
        if (unitSquare) {
            plot.getDomainAxis().setRange(0, 1);
            plot.getRangeAxis().setRange(0, 1.02);
        } else {
            ((org.jfree.chart.axis.NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
            plot.getDomainAxis().setStandardTickUnits(org.jfree.chart.axis.NumberAxis.createIntegerTickUnits());
        }
        style(chart);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setBackgroundPaint(Color.WHITE);
        return png(chart);
    }

    /**
     * Bars: for each series (legend entry) its value per category, categories in the first series' order.
     *
     * @param markers horizontal reference lines across the value axis (e.g. PSI's 0.1 and 0.25 bands)
     */
    public static byte[] bars(String title, String categoryLabel, String valueLabel, Map<String, Map<String, Double>> series,
                              boolean horizontal, List<Double> markers) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        series.forEach((name, values) -> values.forEach((category, v) -> data.addValue(v, name, category)));
        JFreeChart chart = ChartFactory.createBarChart(title, categoryLabel, valueLabel, data,
                horizontal ? PlotOrientation.HORIZONTAL : PlotOrientation.VERTICAL, series.size() > 1, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        for (double m : markers) {
            ValueMarker marker = new ValueMarker(m, MARKER, new BasicStroke(1.5f));
            marker.setLabel(String.valueOf(m));
            plot.addRangeMarker(marker);
        }
        if (!markers.isEmpty()) { // show the bands even when every bar is far below them
            double top = markers.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            for (int r = 0; r < data.getRowCount(); r++) {
                for (int c = 0; c < data.getColumnCount(); c++) {
                    Number v = data.getValue(r, c);
                    top = v == null ? top : Math.max(top, v.doubleValue());
                }
            }
            plot.getRangeAxis().setRange(0, top * 1.08);
        }
        ((org.jfree.chart.renderer.category.BarRenderer) plot.getRenderer()).setBarPainter(new org.jfree.chart.renderer.category.StandardBarPainter());
        ((org.jfree.chart.renderer.category.BarRenderer) plot.getRenderer()).setShadowVisible(false);
        if (horizontal) {
            plot.getDomainAxis().setMaximumCategoryLabelWidthRatio(0.45f); // whole reason texts, not "Delinquencies in the la..."
        } else if (data.getColumnCount() > 8) {
            plot.getDomainAxis().setCategoryLabelPositions(org.jfree.chart.axis.CategoryLabelPositions.UP_45);
        }
        style(chart);
        plot.setRangeGridlinePaint(GRID);
        plot.setBackgroundPaint(Color.WHITE);
        return png(chart, horizontal ? WIDTH + 160 : WIDTH, horizontal ? Math.max(HEIGHT, 60 + 22 * data.getColumnCount() * Math.max(1, data.getRowCount())) : HEIGHT);
    }

    /** One distribution's five numbers and mean (whiskers at the minimum and maximum). */
    public record Box(double min, double q1, double median, double q3, double max, double mean) {
    }

    /** Box plots, one per category (e.g. the score distribution per logical date). */
    public static byte[] boxes(String title, String categoryLabel, String valueLabel, Map<String, Box> boxes) {
        DefaultBoxAndWhiskerCategoryDataset data = new DefaultBoxAndWhiskerCategoryDataset();
        boxes.forEach((category, b) -> data.add(new BoxAndWhiskerItem(b.mean(), b.median(), b.q1(), b.q3(), b.min(), b.max(), b.min(), b.max(),
                List.of()), valueLabel, category));
        JFreeChart chart = ChartFactory.createBoxAndWhiskerChart(title, categoryLabel, valueLabel, data, false);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.getRangeAxis().setRange(0, 1);
        org.jfree.chart.renderer.category.BoxAndWhiskerRenderer renderer = (org.jfree.chart.renderer.category.BoxAndWhiskerRenderer) plot.getRenderer();
        renderer.setMaximumBarWidth(0.08); // the mean's dot scales with the box: one date must not fill the plot
        renderer.setSeriesPaint(0, new Color(0x4C, 0x72, 0xB0));
        renderer.setMeanVisible(true);
        style(chart);
        plot.setRangeGridlinePaint(GRID);
        plot.setBackgroundPaint(Color.WHITE);
        return png(chart);
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(chart.getTitle().getFont().deriveFont(14f));
        chart.setAntiAlias(true);
    }

    private static byte[] png(JFreeChart chart) {
        return png(chart, WIDTH, HEIGHT);
    }

    private static byte[] png(JFreeChart chart, int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, width, height);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render chart " + chart.getTitle().getText(), e);
        }
        return out.toByteArray();
    }
}
