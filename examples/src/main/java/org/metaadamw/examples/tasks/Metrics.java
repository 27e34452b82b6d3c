package org.metaadamw.examples.tasks;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

/** Metrics computed from model outputs (inference mode). */
final class Metrics {
    private Metrics() {
    }

    static INDArray output(Model m, INDArray features) {
        return m instanceof MultiLayerNetwork n ? n.output(features, false) : ((ComputationGraph) m).outputSingle(false, features);
    }

    static double mse(Model m, List<DataSet> batches) {
        double sum = 0;
        long n = 0;
        for (DataSet d : batches) {
            INDArray diff = output(m, d.getFeatures()).sub(d.getLabels());
            sum += diff.mul(diff).sumNumber().doubleValue();
            n += diff.length();
        }
        return sum / n;
    }

    static double accuracy(Model m, List<DataSet> batches) {
        long correct = 0, n = 0;
        for (DataSet d : batches) {
            INDArray pred = output(m, d.getFeatures()).argMax(1), truth = d.getLabels().argMax(1);
            correct += pred.eq(truth).castTo(org.nd4j.linalg.api.buffer.DataType.INT).sumNumber().longValue();
            n += pred.length();
        }
        return (double) correct / n;
    }

    /** exp(mean −log p(label)) over the unmasked positions of sparse sequence labels [b, 1, T]. */
    static double perplexity(Model m, List<DataSet> batches) {
        double nll = 0;
        long n = 0;
        for (DataSet d : batches) {
            INDArray p = output(m, d.getFeatures());            // [b, V, T]
            INDArray y = d.getLabels(), mask = d.getLabelsMaskArray();
            long b = p.size(0), T = p.size(2);
            for (int i = 0; i < b; i++) {
                for (int t = 0; t < T; t++) {
                    if (mask != null && mask.getDouble(i, t) == 0) {
                        continue;
                    }
                    nll -= Math.log(Math.max(1e-12, p.getDouble(i, (long) y.getDouble(i, 0, t), t)));
                    n++;
                }
            }
        }
        return Math.exp(nll / n);
    }
}
