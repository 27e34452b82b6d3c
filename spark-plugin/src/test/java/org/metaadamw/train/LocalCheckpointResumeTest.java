package org.metaadamw.train;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoints and resume in one JVM: a resumed run gives the parameters of an uninterrupted one, for every controller. */
class LocalCheckpointResumeTest {
    static MetaAdamWConfig cfg(String controller, Path dir) {
        return MetaAdamWConfig.builder().controller(controller).learningRate(1e-2).averagingFrequency(3).validationHoldout(4).seed(3)
                .checkpoint(dir == null ? "" : dir.toUri().toString(), 2, 2).build();
    }

    /** @param separateValidation true: a validation iterator; false: held-out training minibatches */
    static INDArray run(String controller, Path dir, int stopAfter, boolean resume, boolean separateValidation) {
        MultiLayerNetwork net = TestNets.mlp(4, DataType.DOUBLE, 1e-2, 0, false, false);
        List<DataSet> all = TestNets.toDouble(TestNets.irisBatches(10, 2));
        List<DataSet> train = separateValidation ? all.subList(0, 12) : all, val = all.subList(12, all.size());
        LocalMetaAdamWTrainer t = new LocalMetaAdamWTrainer(net, cfg(controller, dir));
        if (resume) {
            assertTrue(t.resume(), "a checkpoint must be there");
        }
        if (!KilledRun.fit(t, stopAfter,
                () -> t.fit(new ListDataSetIterator<>(train, 1), separateValidation ? new ListDataSetIterator<>(val, 1) : null, 3))) {
            return null;
        }
        return net.params().dup();
    }

    @ParameterizedTest(name = "{0}, separate validation {1}")
    @CsvSource({"metaadamw, false", "metaadamw, true", "hypergradient, false", "adamw, false", "random, false", "mada, false"})
    void aResumedRunEqualsAnUninterruptedOne(String controller, boolean separateValidation, @TempDir Path dir) {
        INDArray clean = run(controller, null, -1, false, separateValidation);
        assertNull(run(controller, dir, 7, false, separateValidation));
        INDArray resumed = run(controller, dir, -1, true, separateValidation);
        double diff = clean.sub(resumed).amaxNumber().doubleValue();
        System.out.printf("single JVM, %s, separate validation %s: resumed vs uninterrupted max |Δθ| = %.3e%n", controller,
                separateValidation, diff);
        assertEquals(0.0, diff, 0.0);
    }
}
