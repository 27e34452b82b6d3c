package org.metaadamw.examples;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.train.LocalMetaAdamWTrainer;
import org.metaadamw.train.RoundRecord;
import org.metaadamw.examples.io.ImageData;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MetaAdamW on real data: a subset of Fashion-MNIST (Debian package dataset-fashion-mnist, fetched
 * by examples/data/fetch-data.sh during the build). The loss falls and the multipliers stay finite
 * and inside their range while the controller really learns.
 */
class FashionMnistSmokeTest {

    @Test
    void metaAdamWTrainsOnFashionMnist() throws Exception {
        DataSet train = ImageData.fashionMnist(true, 3000, true);
        DataSet test = ImageData.fashionMnist(false, 1000, true);
        assertEquals(784, train.getFeatures().size(1));
        var conf = new NeuralNetConfiguration.Builder().seed(7).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(64).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(64).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        double before = net.score(test);
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().learningRate(1e-3).averagingFrequency(5).build();
        LocalMetaAdamWTrainer trainer = new LocalMetaAdamWTrainer(net, cfg);
        trainer.fit(new ListDataSetIterator<>(train.batchBy(50), 1), new ListDataSetIterator<>(test.batchBy(100), 1), 3);
        double after = net.score(test);
        var eval = net.evaluate(new ListDataSetIterator<>(test.batchBy(200), 1));
        System.out.printf("Fashion-MNIST subset: test loss %.4f -> %.4f, accuracy %.3f, groups %s, final %s, meta-steps %s%n",
                before, after, eval.accuracy(), trainer.groups().names(), trainer.modulation(),
                trainer.controllerMetrics().get("meta.steps"));
        assertTrue(after < 0.35 * before, "loss " + before + " -> " + after);
        assertTrue(eval.accuracy() > 0.75, "accuracy " + eval.accuracy());
        var m = trainer.modulation();
        boolean moved = false;
        for (int g = 0; g < m.groups(); g++) {
            assertTrue(m.alpha(g) > cfg.alphaMin() && m.alpha(g) < cfg.alphaMax()
                    && m.beta(g) > 1 / cfg.betaMax() && m.beta(g) < cfg.betaMax(), m.toString());
            moved |= Math.abs(m.alpha(g) - 1) > 1e-3;
        }
        assertTrue(moved, "the controller learned nothing: " + m);
        assertTrue(trainer.controllerMetrics().get("meta.steps") >= 30);
        for (RoundRecord r : trainer.history()) {
            assertTrue(Double.isFinite(r.lossTrain()) && !r.rolledBack());
        }
    }
}
