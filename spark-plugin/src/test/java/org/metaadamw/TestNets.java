package org.metaadamw;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;

/** Real DL4J networks and the Iris data (shipped inside deeplearning4j-datasets) for tests. */
public final class TestNets {
    private TestNets() {
    }

    /**
     * Iris (UCI, 150 examples, 4 features, 3 classes), standardised, shuffled with a fixed seed,
     * split into minibatches.
     */
    public static List<DataSet> irisBatches(int batchSize, long seed) {
        DataSet all = iris();
        all.shuffle(seed);
        var f = all.getFeatures();
        var mean = f.mean(0);
        var std = f.std(0);
        all.setFeatures(f.subRowVector(mean).divRowVector(std));
        List<DataSet> out = new ArrayList<>();
        for (DataSet d : all.batchBy(batchSize)) {
            out.add(d);
        }
        return out;
    }

    /**
     * The 150 lines of {@code iris.dat} ("5.1,3.5,1.4,0.2,0": four measurements in cm, the class index), a resource
     * inside the deeplearning4j-core jar (no download).
     */
    public static String[] irisLines() {
        try (var in = TestNets.class.getResourceAsStream("/iris.dat")) {
            if (in == null) {
                throw new IllegalStateException("iris.dat not on the classpath (it ships in deeplearning4j-core)");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim().split("\\R");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The 150 Iris rows of {@link #irisLines()} as float features and one-hot labels. */
    public static DataSet iris() {
        String[] lines = irisLines();
        float[][] x = new float[lines.length][4];
        float[][] y = new float[lines.length][3];
        for (int i = 0; i < lines.length; i++) {
            String[] c = lines[i].split(",");
            for (int j = 0; j < 4; j++) {
                x[i][j] = Float.parseFloat(c[j]);
            }
            y[i][Integer.parseInt(c[4].trim())] = 1f;
        }
        return new DataSet(org.nd4j.linalg.factory.Nd4j.create(x), org.nd4j.linalg.factory.Nd4j.create(y));
    }

    public static List<DataSet> toDouble(List<DataSet> in) {
        List<DataSet> out = new ArrayList<>();
        for (DataSet d : in) {
            out.add(new DataSet(d.getFeatures().castTo(DataType.DOUBLE), d.getLabels().castTo(DataType.DOUBLE)));
        }
        return out;
    }

    /** A 4-16-16-3 MLP; with {@code lambda > 0} DL4J's own Adam + decoupled weight decay are configured. */
    public static MultiLayerNetwork mlp(long seed, DataType dtype, double lr, double lambda, boolean decayBias, boolean batchNorm) {
        List<Regularization> reg = lambda > 0 ? List.of(new WeightDecay(lambda, true)) : List.of();
        List<Regularization> regBias = lambda > 0 && decayBias ? List.of(new WeightDecay(lambda, true)) : List.of();
        var b = new NeuralNetConfiguration.Builder().seed(seed).dataType(dtype).weightInit(WeightInit.XAVIER)
                .updater(new Adam(lr, 0.9, 0.999, 1e-8)).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(16).activation(Activation.TANH)
                        .regularization(reg).regularizationBias(regBias).build());
        if (batchNorm) {
            b.layer(new BatchNormalization.Builder().nOut(16).build());
        }
        b.layer(new DenseLayer.Builder().nIn(16).nOut(16).activation(Activation.RELU)
                        .regularization(reg).regularizationBias(regBias).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(3)
                        .activation(Activation.SOFTMAX).regularization(reg).regularizationBias(regBias).build());
        MultiLayerConfiguration conf = b.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** A two-branch graph (4 → {8 tanh, 8 relu} → merge → 3 softmax). */
    public static ComputationGraph graph(long seed, DataType dtype, double lr, double lambda) {
        List<Regularization> reg = lambda > 0 ? List.of(new WeightDecay(lambda, true)) : List.of();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(dtype)
                .weightInit(WeightInit.XAVIER).updater(new Adam(lr, 0.9, 0.999, 1e-8)).graphBuilder()
                .addInputs("in")
                .addLayer("left", new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.TANH).regularization(reg).build(), "in")
                .addLayer("right", new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.RELU).regularization(reg).build(), "in")
                .addVertex("merge", new MergeVertex(), "left", "right")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(3)
                        .activation(Activation.SOFTMAX).regularization(reg).build(), "merge")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }
}
