package org.metaadamw.train;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.junit.jupiter.api.Test;
import org.metaadamw.LogCapture;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NaN/Inf produced during training is detected, rolled back and never propagated. */
class NonFiniteTrainingTest {

    private static DataSet poisoned(DataSet d) {
        DataSet copy = d.copy();
        copy.getFeatures().putScalar(0, 0, Double.NaN);
        return copy;
    }

    @Test
    void aRoundThatProducesNaNIsRolledBackAndTrainingContinues() {
        List<DataSet> batches = new ArrayList<>(TestNets.irisBatches(10, 3));
        batches.set(6, poisoned(batches.get(6)));   // inside round 1 (K = 5)
        var net = TestNets.mlp(5, DataType.FLOAT, 1e-2, 0, false, false);
        var trainer = new LocalMetaAdamWTrainer(net, MetaAdamWConfig.builder().shuffle(false).averagingFrequency(5).build());
        try (LogCapture log = new LogCapture(RoundCoordinator.class)) {
            trainer.fit(new ListDataSetIterator<>(batches, 1), new ListDataSetIterator<>(batches.subList(0, 2), 1), 2);
            assertTrue(log.messages().stream().anyMatch(m -> m.startsWith("WARN") && m.contains("round 1") && m.contains("rolled back")),
                    log.messages().toString());
        }
        assertTrue(RoundWorker.isFinite(net.params()));
        long rolledBack = trainer.history().stream().filter(RoundRecord::rolledBack).count();
        assertEquals(2, rolledBack, "the poisoned round of each epoch");
        // the round after a rollback runs with neutral multipliers
        for (int i = 0; i < trainer.history().size() - 1; i++) {
            if (trainer.history().get(i).rolledBack()) {
                for (double a : trainer.history().get(i + 1).alpha()) {
                    assertEquals(1.0, a, 0);
                }
            }
        }
        assertFalse(trainer.history().get(trainer.history().size() - 1).rolledBack());
    }

    @Test
    void repeatedNonFiniteRoundsStopWithAClearErrorAndKeepTheLastFiniteParameters() {
        List<DataSet> batches = new ArrayList<>();
        for (DataSet d : TestNets.irisBatches(10, 3)) {
            batches.add(poisoned(d));
        }
        var net = TestNets.mlp(5, DataType.FLOAT, 1e-2, 0, false, false);
        INDArray start = net.params().dup();
        var trainer = new LocalMetaAdamWTrainer(net, MetaAdamWConfig.builder().shuffle(false).maxNonFiniteRounds(3).build());
        var e = assertThrows(NonFiniteTrainingException.class,
                () -> trainer.fit(new ListDataSetIterator<>(batches, 1), new ListDataSetIterator<>(batches, 1), 1));
        assertTrue(e.getMessage().contains("3 consecutive rounds") && e.getMessage().contains("spark.metaadamw.learningRate"),
                e.getMessage());
        assertArrayEquals(start.toDoubleVector(), net.params().toDoubleVector(), 0.0, "bit for bit");
    }

    @Test
    void aRunWhoseRoundsWereAllRolledBackFailsInsteadOfReportingTheUntrainedNetwork() {
        List<DataSet> batches = new ArrayList<>();
        for (DataSet d : TestNets.irisBatches(10, 3)) {
            batches.add(poisoned(d));
        }
        // 15 minibatches, K = 5: 3 rounds, fewer than maxNonFiniteRounds = 10, so only the end of the run can tell
        var net = TestNets.mlp(5, DataType.FLOAT, 1e-2, 0, false, false);
        var trainer = new LocalMetaAdamWTrainer(net, MetaAdamWConfig.builder().shuffle(false).maxNonFiniteRounds(10).controller("adamw").build());
        var e = assertThrows(NonFiniteTrainingException.class, () -> trainer.fit(new ListDataSetIterator<>(batches, 1), null, 1));
        assertTrue(e.getMessage().contains("all 3 rounds") && e.getMessage().contains("never took a finite step"), e.getMessage());
    }
}
