package org.metaadamw.notebook;

import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a cell calls to show more than text: {@code Notebook.png(bytes)}, or a line chart of series
 * with {@code Notebook.lines(title, x, y, series)}. The output goes to the cell being executed. Call
 * from cells of the {@link JShellKernel} only.
 */
public final class Notebook {
    private Notebook() {
    }

    /** Shows a PNG image in the current cell's output. */
    public static void png(byte[] png) {
        DisplayData d = new DisplayData("[a PNG image of " + png.length + " bytes]");
        d.putData("image/png", Base64.getEncoder().encodeToString(png));
        BaseKernel kernel = BaseKernel.notebookKernel();
        if (kernel == null) {
            throw new IllegalStateException("no notebook kernel in this JVM: Notebook.png works in cells of " + JShellKernel.class.getName());
        }
        kernel.display(d);
    }

    /**
     * Shows a line chart (720 × 400): one line per entry of {@code series}, its values at x = 1, 2, ...
     *
     * @param series name → values, drawn in the map's order
     */
    public static void lines(String title, String xLabel, String yLabel, Map<String, ? extends List<? extends Number>> series) {
        XYSeriesCollection data = new XYSeriesCollection();
        new LinkedHashMap<>(series).forEach((name, values) -> {
            XYSeries s = new XYSeries(name);
            for (int i = 0; i < values.size(); i++) {
                s.add(i + 1, values.get(i));
            }
            data.addSeries(s);
        });
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
        try {
            png(ChartUtils.encodeAsPNG(chart.createBufferedImage(720, 400)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
