package org.metaadamw.examples.tasks;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.metaadamw.io.DataPaths;
import org.metaadamw.io.TimeSeriesCsv;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.util.List;

/**
 * Multivariate forecasting (the paper's ETT stand-in): NOAA daily weather of Seattle and New York
 * 2012–2015 (npm vega-datasets), 8 series; from the last 14 days predict the next day's 8 values.
 * Chronological split 70/10/20; series standardised with training statistics; metric: test MSE in
 * standardised units. Model: LSTM(32) over the window, last step, linear output.
 */
public final class ForecastingTask extends AbstractTask {
    static final int WINDOW = 14;

    public ForecastingTask() {
        super("forecasting", "MSE", false);
    }

    @Override
    public Data load(Scale scale, long seed) throws IOException {
        var s = TimeSeriesCsv.read(DataPaths.dataset("weather").resolve("weather.csv"), "date",
                List.of("precipitation", "temp_max", "temp_min", "wind"), "location");
        double[][] v = s.values();
        int T = v.length, C = v[0].length;
        int trainEnd = (int) (T * 0.7), validEnd = (int) (T * 0.8);
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
        double[][] z = new double[T][C];
        for (int t = 0; t < T; t++) {
            for (int c = 0; c < C; c++) {
                z[t][c] = (v[t][c] - mean[c]) / Math.sqrt(std[c] + 1e-12);
            }
        }
        DataSet train = windows(z, WINDOW, trainEnd), valid = windows(z, trainEnd, validEnd), test = windows(z, validEnd, T);
        if (scale == Scale.QUICK) {
            train = (DataSet) train.getRange(train.numExamples() - 300, train.numExamples());
        }
        return new Data(Batches.of(train, 32), Batches.of(valid, 32), Batches.of(test, 64),
                String.format("weather (vega-datasets 3.2.1): %d days × %d series, windows %d/%d/%d", T, C,
                        train.numExamples(), valid.numExamples(), test.numExamples()), new int[]{C});
    }

    /** Windows whose target day lies in [from, to). */
    static DataSet windows(double[][] z, int from, int to) {
        int C = z[0].length, n = to - from;
        float[] x = new float[n * C * WINDOW], y = new float[n * C];
        for (int i = 0; i < n; i++) {
            int target = from + i;
            for (int c = 0; c < C; c++) {
                for (int w = 0; w < WINDOW; w++) {
                    x[(i * C + c) * WINDOW + w] = (float) z[target - WINDOW + w][c];
                }
                y[i * C + c] = (float) z[target][c];
            }
        }
        return new DataSet(Nd4j.create(x, new long[]{n, C, WINDOW}, 'c'), Nd4j.create(y, new long[]{n, C}, 'c'));
    }

    @Override
    public Model model(Data data, long seed) {
        int C = data.info()[0];
        var conf = new NeuralNetConfiguration.Builder().seed(Seeds.model(seed)).weightInit(WeightInit.XAVIER).list()
                .layer(new LastTimeStep(new LSTM.Builder().nIn(C).nOut(32).activation(Activation.TANH).build()))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(32).nOut(C).activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    @Override
    public double evaluate(Model model, List<DataSet> batches) {
        return Metrics.mse(model, batches);
    }
}
