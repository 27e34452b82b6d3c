package org.metaadamw.examples.tasks;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

/**
 * The tasks' metrics, computed from model outputs (inference mode) as a sum and a count per
 * minibatch: the metric of several minibatches is {@link #finish} of the sums and counts added in
 * minibatch order, so a metric computed on the executors (one score per minibatch, added on the
 * driver in order) equals the one computed on a driver-side list to the last bit.
 */
public enum Metric {
    /** Mean squared error over all outputs. */
    MSE,
    /** Fraction of examples whose arg-max output is the arg-max label. */
    ACCURACY,
    /** exp(mean −log p(label)) over the unmasked positions of sparse sequence labels [b, 1, T]. */
    PERPLEXITY;

    static INDArray output(Model m, INDArray features) {
        return m instanceof MultiLayerNetwork n ? n.output(features, false) : ((ComputationGraph) m).outputSingle(false, features);
    }

    /** {sum, count} of one minibatch. */
    public double[] score(Model m, DataSet d) {
        switch (this) {
            case MSE -> {
                INDArray diff = output(m, d.getFeatures()).sub(d.getLabels());
                return new double[]{diff.mul(diff).sumNumber().doubleValue(), diff.length()};
            }
            case ACCURACY -> {
                INDArray pred = output(m, d.getFeatures()).argMax(1), truth = d.getLabels().argMax(1);
                return new double[]{pred.eq(truth).castTo(org.nd4j.linalg.api.buffer.DataType.INT).sumNumber().longValue(), pred.length()};
            }
            default -> {
                INDArray p = output(m, d.getFeatures());            // [b, V, T]
                INDArray y = d.getLabels(), mask = d.getLabelsMaskArray();
                long b = p.size(0), T = p.size(2);
                double nll = 0;
                long n = 0;
                for (int i = 0; i < b; i++) {
                    for (int t = 0; t < T; t++) {
                        if (mask != null && mask.getDouble(i, t) == 0) {
                            continue;
                        }
                        nll -= Math.log(Math.max(1e-12, p.getDouble(i, (long) y.getDouble(i, 0, t), t)));
                        n++;
                    }
                }
                return new double[]{nll, n};
            }
        }
    }

    /** The metric from the summed scores. */
    public double finish(double sum, double count) {
        return this == PERPLEXITY ? Math.exp(sum / count) : sum / count;
    }

    /** The metric of {@code m} on {@code batches}, in list order. */
    public double evaluate(Model m, List<DataSet> batches) {
        double sum = 0, count = 0;
        for (DataSet d : batches) {
            double[] s = score(m, d);
            sum += s[0];
            count += s[1];
        }
        return finish(sum, count);
    }
}
