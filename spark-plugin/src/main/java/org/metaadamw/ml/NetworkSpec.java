package org.metaadamw.ml;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossNegativeLogLikelihood;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What the Spark ML stages need to know about a network: the flat input length, the output width,
 * whether it is a classifier, whether its output is per time step, its data type. Immutable,
 * serializable (shipped to executors).
 *
 * @param inputLength    flat features per row (0 when it cannot be told from the configuration)
 * @param outputs        nOut of the output layer
 * @param classifier     true for a (non-recurrent) output layer with an MCXENT or negative log-likelihood loss
 * @param sequenceOutput true for a recurrent output layer ({@code RnnOutputLayer}, {@code RnnLossLayer}): one output per time step
 */
record NetworkSpec(long inputLength, long outputs, boolean classifier, boolean sequenceOutput, DataType dataType) implements Serializable {

    static NetworkSpec of(MultiLayerConfiguration conf) {
        int n = conf.getConfs().size();
        if (n == 0) {
            throw new IllegalArgumentException("network: the MultiLayerConfiguration has no layers");
        }
        return of(conf.getConf(n - 1).getLayer(), "the last layer", conf.getConf(0).getLayer(), conf.getInputPreProcess(0), conf.getDataType());
    }

    /** A single-input, single-output graph (the trainer's minibatches are {@code DataSet}s). */
    static NetworkSpec of(ComputationGraphConfiguration conf) {
        List<String> ins = conf.getNetworkInputs(), outs = conf.getNetworkOutputs();
        if (ins.size() != 1 || outs.size() != 1) {
            throw new IllegalArgumentException("network: the ComputationGraph has " + ins.size() + " inputs and " + outs.size()
                    + " outputs; the Spark ML stages train graphs with one input and one output");
        }
        GraphVertex out = conf.getVertices().get(outs.get(0));
        if (!(out instanceof LayerVertex lv)) {
            throw new IllegalArgumentException("network: the output vertex '" + outs.get(0) + "' must be an output layer (got "
                    + (out == null ? "nothing" : out.getClass().getSimpleName()) + ")");
        }
        Layer first = null;
        InputPreProcessor pre = null;
        for (Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
            if (e.getValue().contains(ins.get(0)) && conf.getVertices().get(e.getKey()) instanceof LayerVertex v) {
                first = v.getLayerConf().getLayer();
                pre = v.getPreProcessor();
                break;
            }
        }
        return of(lv.getLayerConf().getLayer(), "the output vertex '" + outs.get(0) + "'", first, pre, conf.getDataType());
    }

    private static NetworkSpec of(Layer last, String what, Layer first, InputPreProcessor pre, DataType type) {
        if (!(last instanceof BaseOutputLayer out) && !(last instanceof RnnLossLayer)) {
            throw new IllegalArgumentException("network: " + what + " must be an output layer (got " + last.getClass().getSimpleName() + ")");
        }
        boolean sequence = last instanceof RnnOutputLayer || last instanceof RnnLossLayer;
        ILossFunction loss = last instanceof BaseOutputLayer o ? o.getLossFn() : ((RnnLossLayer) last).getLossFn();
        boolean cls = !sequence && (loss instanceof LossMCXENT || loss instanceof LossNegativeLogLikelihood);
        long nOut = last instanceof FeedForwardLayer f ? f.getNOut() : 0;
        long in = 0;
        if (pre instanceof FeedForwardToCnnPreProcessor f) {
            in = f.getInputHeight() * f.getInputWidth() * f.getNumChannels();
        } else if (first instanceof FeedForwardLayer ff && pre == null && !(first instanceof BaseRecurrentLayer)
                && !(first instanceof ConvolutionLayer)) {
            in = ff.getNIn();
        }
        return new NetworkSpec(in, nOut, cls, sequence, type);
    }
}
