package org.metaadamw.examples.tasks;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.metaadamw.examples.io.DataFormatException;
import org.metaadamw.examples.io.DataPaths;
import org.metaadamw.examples.io.TimeSeriesCsv;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Multivariate forecasting (the paper's ETT stand-in): NOAA daily weather of Seattle and New York
 * 2012–2015 (npm vega-datasets), 8 series; from the last 14 days predict the next day's 8 values. Or
 * a CSV file in the ETT layout ({@code --csv F}: a {@code date} column, else the first column, as the
 * time, and numeric columns), from the last 14 rows of every column predicting the next row's
 * {@code --target} column (default the last one, ETT's {@code OT}; {@code all} for every column).
 * Chronological split (no shuffle: the validation and test periods follow the training period):
 * ETT's own 12/4/4 months for files named {@code ETTh*} (hourly) and {@code ETTm*} (15-minute),
 * else 70/10/20. Series standardised with training statistics; metric: test MSE in standardised units.
 * Model: LSTM(32) over the window, last step, linear output.
 */
public final class ForecastingTask extends AbstractTask {
    static final int WINDOW = 14;
    private static final Pattern ETT = Pattern.compile("ETT([hm])\\d*\\.csv(\\.gz)?");
    private final Path csv;
    private final String target;

    public ForecastingTask() {
        this(null, null);
    }

    /**
     * @param csv    a CSV file in the ETT layout, or null for the weather data
     * @param target the column to predict, or {@code all}; null: the last column of {@code csv}, every series of
     *               the weather data
     */
    public ForecastingTask(Path csv, String target) {
        super("forecasting", "MSE", false);
        this.csv = csv;
        this.target = target;
    }

    @Override
    public Data load(Scale scale, long seed) throws IOException {
        Path file = csv != null ? csv : DataPaths.dataset("weather").resolve("weather.csv");
        var s = csv != null ? TimeSeriesCsv.read(csv, null, List.of(), null)
                : TimeSeriesCsv.read(file, "date", List.of("precipitation", "temp_max", "temp_min", "wind"), "location");
        int[] targets = targets(file, s.columns(), target != null ? target : csv != null ? s.columns().get(s.columns().size() - 1) : "all");
        double[][] v = s.values();
        int T = v.length, C = v[0].length;
        int trainEnd, validEnd, end;
        String split;
        Matcher ett = ETT.matcher(file.getFileName().toString());
        if (csv != null && ett.matches()) {
            int month = 30 * 24 * (ett.group(1).equals("m") ? 4 : 1);   // the rows of ETT's 30-day month
            trainEnd = 12 * month;
            validEnd = 16 * month;
            end = Math.min(T, 20 * month);
            split = "ETT's 12/4/4 months";
        } else {
            trainEnd = (int) (T * 0.7);
            validEnd = (int) (T * 0.8);
            end = T;
            split = "70/10/20";
        }
        if (trainEnd <= WINDOW || validEnd >= end) {
            throw new DataFormatException(file, 0, T + " rows are too few for a " + split + " split with windows of " + WINDOW + " rows");
        }
        double[] mean = new double[C], std = new double[C];
        for (int t = 0; t < trainEnd; t++) {
            for (int c = 0; c < C; c++) {
                mean[c] += v[t][c] / trainEnd;
            }
        }
        for (int t = 0; t < trainEnd; t++) {
            for (int c = 0; c < C; c++) {
                std[c] += (v[t][c] - mean[c]) * (v[t][c] - mean[c]) / trainEnd;
            }
        }
        for (int c = 0; c < C; c++) {
            // a value such as 1e300 overflows the variance, and the column would silently become all zeros
            if (!Double.isFinite(mean[c]) || !Double.isFinite(std[c])) {
                throw new DataFormatException(file, 0, "column '" + s.columns().get(c) + "' has a non-finite mean or variance over the "
                        + trainEnd + " training rows (mean " + mean[c] + ", variance " + std[c] + "): values too large for doubles");
            }
        }
        double[][] z = new double[T][C];
        for (int t = 0; t < T; t++) {
            for (int c = 0; c < C; c++) {
                z[t][c] = (v[t][c] - mean[c]) / Math.sqrt(std[c] + 1e-12);
            }
        }
        DataSet train = windows(z, targets, WINDOW, trainEnd), valid = windows(z, targets, trainEnd, validEnd),
                test = windows(z, targets, validEnd, end);
        if (scale == Scale.QUICK) {
            train = (DataSet) train.getRange(Math.max(0, train.numExamples() - 300), train.numExamples());
            // only large files (ETT: thousands of windows) are cut: the first 500 of each evaluation period
            valid = (DataSet) valid.getRange(0, Math.min(valid.numExamples(), 500));
            test = (DataSet) test.getRange(0, Math.min(test.numExamples(), 500));
        }
        String what = targets.length == C ? "all series" : "target " + s.columns().get(targets[0]);
        String source = csv != null ? csv + String.format(": %d rows × %d series, %s, %s split", T, C, what, split)
                : String.format("weather (vega-datasets 3.2.1): %d days × %d series", T, C);
        return new Data(Batches.of(train, 32), Batches.of(valid, 32), Batches.of(test, 64),
                String.format("%s, windows %d/%d/%d", source, train.numExamples(), valid.numExamples(), test.numExamples()),
                new int[]{C, targets.length});
    }

    /** The column indices to predict: one column by name, or every column for {@code all}. */
    static int[] targets(Path file, List<String> columns, String target) throws DataFormatException {
        if (target.equals("all")) {
            int[] all = new int[columns.size()];
            Arrays.setAll(all, i -> i);
            return all;
        }
        int i = columns.indexOf(target);
        if (i < 0) {
            throw new DataFormatException(file, 1, "no column '" + target + "' to predict among " + columns + " (or 'all')");
        }
        return new int[]{i};
    }

    /** Windows of every series whose target row lies in [from, to); labels: the {@code targets} columns of that row. */
    static DataSet windows(double[][] z, int[] targets, int from, int to) {
        int C = z[0].length, n = to - from, K = targets.length;
        float[] x = new float[n * C * WINDOW], y = new float[n * K];
        for (int i = 0; i < n; i++) {
            int target = from + i;
            for (int c = 0; c < C; c++) {
                for (int w = 0; w < WINDOW; w++) {
                    x[(i * C + c) * WINDOW + w] = (float) z[target - WINDOW + w][c];
                }
            }
            for (int k = 0; k < K; k++) {
                y[i * K + k] = (float) z[target][targets[k]];
            }
        }
        return new DataSet(Nd4j.create(x, new long[]{n, C, WINDOW}, 'c'), Nd4j.create(y, new long[]{n, K}, 'c'));
    }

    @Override
    public Model model(int[] info, long seed) {
        int C = info[0], out = info[1];
        var conf = new NeuralNetConfiguration.Builder().seed(Seeds.model(seed)).weightInit(WeightInit.XAVIER).list()
                .layer(new LastTimeStep(new LSTM.Builder().nIn(C).nOut(32).activation(Activation.TANH).build()))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(32).nOut(out).activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    @Override
    public Metric evaluation() {
        return Metric.MSE;
    }
}
