package org.metaadamw.ml;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossNegativeLogLikelihood;

import java.io.Serializable;

/**
 * What the Estimator needs to know about a network: the flat input length, the output width, whether
 * it is a classifier, its data type. Immutable, serializable (shipped to executors).
 *
 * @param inputLength flat features per row (0 when it cannot be told from the configuration)
 * @param outputs     nOut of the output layer
 * @param classifier  true for an output layer with an MCXENT or negative log-likelihood loss
 */
record NetworkSpec(long inputLength, long outputs, boolean classifier, DataType dataType) implements Serializable {

    static NetworkSpec of(MultiLayerConfiguration conf) {
        int n = conf.getConfs().size();
        if (n == 0) {
            throw new IllegalArgumentException("network: the MultiLayerConfiguration has no layers");
        }
        Layer last = conf.getConf(n - 1).getLayer();
        if (!(last instanceof BaseOutputLayer out)) {
            throw new IllegalArgumentException("network: the last layer must be an output layer (got "
                    + last.getClass().getSimpleName() + ")");
        }
        boolean cls = out.getLossFn() instanceof LossMCXENT || out.getLossFn() instanceof LossNegativeLogLikelihood;
        long in = 0;
        InputPreProcessor pre = conf.getInputPreProcess(0);
        if (pre instanceof FeedForwardToCnnPreProcessor f) {
            in = f.getInputHeight() * f.getInputWidth() * f.getNumChannels();
        } else if (conf.getConf(0).getLayer() instanceof FeedForwardLayer ff && pre == null) {
            in = ff.getNIn();
        }
        return new NetworkSpec(in, out.getNOut(), cls, conf.getDataType());
    }

    static MultiLayerConfiguration parse(String json) {
        if (json == null || json.isBlank()) {
            throw new IllegalArgumentException("network is not set: call setNetwork(MultiLayerConfiguration) or set the network Param to its JSON");
        }
        try {
            return MultiLayerConfiguration.fromJson(json);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("network: not a DL4J MultiLayerConfiguration JSON (" + e.getMessage() + ")", e);
        }
    }
}
