package org.metaadamw.grouping;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.metaadamw.TestNets;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParamGroupsTest {

    @Test
    void fineGroupingOfAnMlpWithBatchNorm() {
        MultiLayerNetwork net = TestNets.mlp(1, DataType.FLOAT, 1e-3, 0, false, true);
        ParamGroups g = ParamGroups.of(net, GroupingStrategy.FINE);
        // layers: 0 dense (depth 0: shallow), 1 batchnorm (1/3: middle), 2 dense (2/3: deep), 3 output (1: deep)
        assertEquals(List.of("dense/shallow/weights", "dense/shallow/bias", "dense/deep/weights", "dense/deep/bias",
                "normalization/middle/bias", "output/deep/weights", "output/deep/bias"), g.names());
        assertEquals(List.of("1_gamma", "1_beta"), g.members(4).stream().map(ParamTensor::name).toList());
        // running mean / variance are not optimised
        assertTrue(g.describe().contains("not optimised"), g.describe());
        long grouped = 0;
        for (int i = 0; i < g.count(); i++) {
            grouped += g.size(i);
        }
        assertEquals(net.numParams() - 32, grouped);
        assertEquals(1.0, g.biasRatio(4), 0);
        assertEquals(0.0, g.biasRatio(0), 0);
    }

    @Test
    void layerAndSingleGrouping() {
        MultiLayerNetwork net = TestNets.mlp(1, DataType.FLOAT, 1e-3, 0, false, false);
        ParamGroups layer = ParamGroups.of(net, GroupingStrategy.LAYER);
        assertEquals(List.of("0/weights", "0/bias", "1/weights", "1/bias", "2/weights", "2/bias"), layer.names());
        ParamGroups single = ParamGroups.of(net, GroupingStrategy.SINGLE);
        assertEquals(1, single.count());
        assertEquals(net.numParams(), single.size(0));
    }

    @Test
    void computationGraphGroupsAreNamedByVertex() {
        var cg = TestNets.graph(3, DataType.FLOAT, 1e-3, 0);
        ParamGroups layer = ParamGroups.of(cg, GroupingStrategy.LAYER);
        assertTrue(layer.names().containsAll(List.of("left/weights", "right/bias", "out/weights")), layer.names().toString());
        ParamGroups fine = ParamGroups.of(cg, GroupingStrategy.FINE);
        assertTrue(fine.names().contains("output/deep/weights"), fine.names().toString());
    }

    @Test
    void groupingIsDeterministic() {
        var a = ParamGroups.of(TestNets.mlp(1, DataType.FLOAT, 1e-3, 0, false, true), GroupingStrategy.FINE);
        var b = ParamGroups.of(TestNets.mlp(99, DataType.FLOAT, 1e-3, 0, false, true), GroupingStrategy.FINE);
        assertEquals(a.describe(), b.describe());
    }

    @Test
    void layerKindsOfRecurrentConvolutionalAndEmbeddingNetworks() {
        var conf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new EmbeddingSequenceLayer.Builder().nIn(20).nOut(8).build())
                .layer(new LSTM.Builder().nIn(8).nOut(8).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(20)
                        .activation(Activation.SOFTMAX).build())
                .build();
        var rnn = new MultiLayerNetwork(conf);
        rnn.init();
        var names = ParamGroups.of(rnn, GroupingStrategy.FINE).names();
        assertEquals(List.of("embedding/shallow/weights", "recurrent/middle/weights", "recurrent/middle/bias",
                "output/deep/weights", "output/deep/bias"), names);

        var cnnConf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).build())
                .layer(new GlobalPoolingLayer.Builder().build())
                .layer(new DenseLayer.Builder().nOut(8).build())
                .layer(new OutputLayer.Builder().nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(8, 8, 1)).build();
        var cnn = new MultiLayerNetwork(cnnConf);
        cnn.init();
        var cnnNames = ParamGroups.of(cnn, GroupingStrategy.FINE).names();
        assertTrue(cnnNames.get(0).startsWith("convolution/shallow"), cnnNames.toString());
    }

    @Test
    void dl4jRegularizationIsRefusedWithTheLayerNamed() {
        var net = TestNets.mlp(1, DataType.FLOAT, 1e-3, 0.01, false, false);
        var e = assertThrows(IllegalArgumentException.class, () -> ParamGroups.of(net, GroupingStrategy.FINE));
        assertTrue(e.getMessage().contains("layer '0'") && e.getMessage().contains("spark.metaadamw.weightDecay"), e.getMessage());
    }

    @Test
    void gradientNormalizationIsRefused() {
        var conf = new NeuralNetConfiguration.Builder().seed(1)
                .gradientNormalization(GradientNormalization.ClipL2PerLayer).list()
                .layer(new OutputLayer.Builder().nIn(3).nOut(2).activation(Activation.SOFTMAX).build()).build();
        var net = new MultiLayerNetwork(conf);
        net.init();
        var e = assertThrows(IllegalArgumentException.class, () -> ParamGroups.of(net, GroupingStrategy.FINE));
        assertTrue(e.getMessage().contains("gradient normalization"), e.getMessage());
    }

    @Test
    void aNetworkWithNoTrainableParametersIsRefused() {
        var conf = new NeuralNetConfiguration.Builder().seed(1).updater(new NoOp()).list()
                .layer(new OutputLayer.Builder().nIn(3).nOut(2).activation(Activation.SOFTMAX).build()).build();
        var net = new MultiLayerNetwork(conf);
        net.init();
        var e = assertThrows(IllegalArgumentException.class, () -> ParamGroups.of(net, GroupingStrategy.SINGLE));
        assertTrue(e.getMessage().contains("no trainable parameters"), e.getMessage());
    }

    @Test
    void unknownGroupingNameIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> GroupingStrategy.fromName("coarse"));
        assertTrue(e.getMessage().contains("fine, layer, single") && e.getMessage().contains("coarse"));
        assertFalse(e.getMessage().isEmpty());
    }
}
