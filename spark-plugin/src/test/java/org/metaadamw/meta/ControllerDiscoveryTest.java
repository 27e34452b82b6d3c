package org.metaadamw.meta;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.train.LocalMetaAdamWTrainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Controllers are found through ServiceLoader: a provider listed in META-INF/services of another jar
 * (here the test resources) is usable by name with no change to the library, and an unknown name is
 * refused listing the known ones.
 */
class ControllerDiscoveryTest {

    private static INDArray train(String controller, double lr) {
        MultiLayerNetwork net = TestNets.mlp(5, DataType.DOUBLE, lr, 0, false, false);
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().controller(controller).learningRate(lr).weightDecay(1e-2)
                .averagingFrequency(3).build();
        List<DataSet> data = TestNets.toDouble(TestNets.irisBatches(10, 1));
        var trainer = new LocalMetaAdamWTrainer(net, cfg);
        trainer.fit(new ListDataSetIterator<>(data, 1), null, 2);
        assertEquals(controller, trainer.controllerName());
        return net.params().dup();
    }

    @Test
    void aProviderOnTheClassPathIsUsableByName() {
        assertTrue(Controllers.names().containsAll(List.of("adamw", "half-step", "hypergradient", "metaadamw", "random")),
                Controllers.names().toString());
        // α = 0.5 at base rate 2η is AdamW at η: the same parameters, bit for bit
        assertEquals(train("adamw", 1e-3), train("half-step", 2e-3));
    }

    @Test
    void anUnknownControllerIsRefusedListingTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Controllers.create(MetaAdamWConfig.builder().controller("metadamw").build()));
        assertTrue(e.getMessage().startsWith("spark.metaadamw.controller: no controller named 'metadamw' (did you mean metaadamw?)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("half-step: test controller"), e.getMessage());
        var bad = assertThrows(IllegalArgumentException.class, () -> MetaAdamWConfig.builder().controller("meta adamw").build());
        assertTrue(bad.getMessage().contains("spark.metaadamw.controller"), bad.getMessage());
    }
}
