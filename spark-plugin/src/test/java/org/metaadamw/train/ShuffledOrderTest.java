package org.metaadamw.train;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** {@code spark.metaadamw.shuffle}: the single-JVM trainer trains in {@link MinibatchOrder}'s order, the held-out minibatches stay put. */
class ShuffledOrderTest {
    private static final MetaAdamWConfig CFG = MetaAdamWConfig.builder().metaSignal("validation").learningRate(1e-2).averagingFrequency(3).seed(11).build();

    private static INDArray train(MetaAdamWConfig cfg, List<DataSet> data, int epochs) {
        MultiLayerNetwork net = TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false);
        new LocalMetaAdamWTrainer(net, cfg).fit(new ListDataSetIterator<>(data, 1), null, epochs);
        return net.params().dup();
    }

    @Test
    void shuffledTrainingIsInputOrderTrainingOnThePermutedMinibatches() {
        List<DataSet> data = TestNets.toDouble(TestNets.irisBatches(10, 1));   // 15 minibatches
        int holdout = CFG.validationHoldout();
        // what shuffle=true must train on: the minibatches that are not held out, permuted, with the
        // held-out ones back at their input positions (shuffle=false holds out by input position)
        List<DataSet> kept = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            if (!Holdout.isHeldOut(i, holdout)) {
                kept.add(data.get(i));
            }
        }
        DataSet[] permuted = new DataSet[kept.size()];
        for (int j = 0; j < kept.size(); j++) {
            permuted[(int) MinibatchOrder.position(j, kept.size(), CFG.seed(), 0)] = kept.get(j);
        }
        List<DataSet> manual = new ArrayList<>(Arrays.asList(permuted));
        for (int i = 0; i < data.size(); i++) {
            if (Holdout.isHeldOut(i, holdout)) {
                manual.add(i, data.get(i));
            }
        }
        assertEquals(data.size(), manual.size());
        INDArray shuffled = train(CFG, data, 2);
        INDArray byHand = train(CFG.toBuilder().shuffle(false).build(), manual, 2);
        INDArray inputOrder = train(CFG.toBuilder().shuffle(false).build(), data, 2);
        assertEquals(byHand, shuffled, "shuffle=true must train exactly on the permuted order");
        assertNotEquals(inputOrder, shuffled, "the order must matter");
    }
}
