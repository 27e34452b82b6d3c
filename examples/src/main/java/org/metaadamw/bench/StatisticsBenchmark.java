package org.metaadamw.bench;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.stats.FeatureSet;
import org.metaadamw.stats.StatisticsExtractor;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * Worker-side statistics extraction (features and meta-signals of one round) on a real DL4J
 * network of 1.07 M parameters (784-1024-256-10 MLP, float), fine grouping.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class StatisticsBenchmark {

    @Param({"basic+", "enhanced"})
    public String features;

    private StatisticsExtractor extractor;
    private StatisticsExtractor.Inputs inputs;

    @Setup
    public void setUp() {
        var conf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(1024).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(1024).nOut(256).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder().nIn(256).nOut(10).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        ParamGroups groups = ParamGroups.of(net, GroupingStrategy.FINE);
        long n = net.numParams();
        if (n < 1_000_000) {
            throw new IllegalStateException("benchmark network has only " + n + " parameters");
        }
        Nd4j.getRandom().setSeed(1);
        INDArray p0 = net.params().reshape(n).dup();
        INDArray p1 = p0.add(Nd4j.randn(DataType.FLOAT, n).muli(1e-3));
        extractor = new StatisticsExtractor(groups, FeatureSet.Version.fromName(features));
        double[] c = new double[groups.count()];
        java.util.Arrays.fill(c, 5e-5);
        inputs = new StatisticsExtractor.Inputs(p0, p1, Nd4j.randn(DataType.FLOAT, n), Nd4j.randn(DataType.FLOAT, n),
                Nd4j.rand(DataType.FLOAT, n), Nd4j.randn(DataType.FLOAT, n), Nd4j.randn(DataType.FLOAT, n), c, false,
                0.5, 1.0, 0.9, 0.8);
    }

    @Benchmark
    public Object extract() {
        return extractor.extract(inputs);
    }
}
