package org.metaadamw.update;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.train.LocalMetaAdamWTrainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With every multiplier at 1, MetaAdamW's update is DL4J's own Adam + decoupled weight decay
 * (WeightDecay(λ, applyLR = true)): the same real network trained both ways for 60 steps on Iris.
 */
class AdamWEquivalenceTest {

    @ParameterizedTest(name = "{0} {1} decayBiases={2} batchNorm={3}")
    @CsvSource({
            "mlp,   DOUBLE, false, false",
            "mlp,   DOUBLE, true,  false",
            "mlp,   FLOAT,  false, false",
            "mlp,   DOUBLE, false, true",
            "graph, DOUBLE, false, false",
    })
    void equalsDl4jAdamWithDecoupledWeightDecay(String kind, DataType dtype, boolean decayBiases, boolean batchNorm) {
        double lr = 5e-3, lambda = 0.05;
        int steps = 60;
        List<DataSet> batches = TestNets.irisBatches(10, 7);
        if (dtype == DataType.DOUBLE) {
            batches = TestNets.toDouble(batches);
        }
        Model reference = kind.equals("mlp") ? TestNets.mlp(42, dtype, lr, lambda, decayBiases, batchNorm)
                : TestNets.graph(42, dtype, lr, lambda);
        Model ours = kind.equals("mlp") ? TestNets.mlp(42, dtype, lr, 0, false, batchNorm)
                : TestNets.graph(42, dtype, lr, 0);
        ours.params().assign(reference.params());
        INDArray start = reference.params().dup();

        List<DataSet> sequence = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            sequence.add(batches.get(i % batches.size()));
        }
        for (DataSet d : sequence) {
            if (reference instanceof MultiLayerNetwork m) {
                m.fit(d);
            } else {
                ((ComputationGraph) reference).fit(d);
            }
        }

        MetaAdamWConfig cfg = MetaAdamWConfig.builder().shuffle(false).controller("adamw").learningRate(lr).weightDecay(lambda)
                .decayBiases(decayBiases).averagingFrequency(7).build();
        LocalMetaAdamWTrainer trainer = new LocalMetaAdamWTrainer(ours, cfg);
        // a validation iterator is given so that no training minibatch is held out (adamw never uses it)
        trainer.fit(new ListDataSetIterator<>(sequence, 1), new ListDataSetIterator<>(batches.subList(0, 1), 1), 1);

        double maxDiff = ours.params().sub(reference.params()).amaxNumber().doubleValue();
        double moved = reference.params().sub(start).amaxNumber().doubleValue();
        assertTrue(moved > 20 * lr, "the reference must actually train (moved " + moved + ")");
        System.out.printf("%s %s decayBiases=%s batchNorm=%s: max |Δθ| = %.3e%n", kind, dtype, decayBiases, batchNorm, maxDiff);
        // double: the same arithmetic in the same order; float: within the 1e-6
        double tol = dtype == DataType.DOUBLE ? 1e-12 : 1e-6;
        assertTrue(maxDiff <= tol, "max |Δθ| = " + maxDiff + " > " + tol);
        assertEquals(steps, trainer.adamState().step());
    }
}
