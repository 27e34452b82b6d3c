package org.metaadamw.train;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code spark.metaadamw.meta.validationFraction}: the validation passes use a seeded window of the minibatch's rows. */
class ValidationFractionTest {

    /** A sequence minibatch: features [10, 3, 4], labels [10, 2, 4], both masks [10, 4]; row i holds the value i. */
    private static DataSet sequences() {
        INDArray f = Nd4j.create(DataType.DOUBLE, 10, 3, 4), l = Nd4j.create(DataType.DOUBLE, 10, 2, 4);
        INDArray fm = Nd4j.create(DataType.DOUBLE, 10, 4), lm = Nd4j.create(DataType.DOUBLE, 10, 4);
        for (int i = 0; i < 10; i++) {
            f.get(NDArrayIndex.point(i)).assign(i);
            l.get(NDArrayIndex.point(i)).assign(100 + i);
            fm.getRow(i).assign(200 + i);
            lm.getRow(i).assign(300 + i);
        }
        return new DataSet(f, l, fm, lm);
    }

    @Test
    void theWindowIsConsecutiveRowsWithTheirMasksDrawnFromTheRoundSeed() {
        DataSet ds = sequences();
        assertSame(ds, RoundWorker.validationRows(ds, 1.0, 7), "fraction 1 is the whole minibatch");
        Set<Long> offsets = new HashSet<>();
        for (long seed = 0; seed < 200; seed++) {
            var w = RoundWorker.validationRows(ds, 0.25, seed);   // ⌈2.5⌉ = 3 rows
            assertEquals(3, w.getFeatures().size(0));
            long first = (long) w.getFeatures().getDouble(0, 0, 0);
            for (int r = 0; r < 3; r++) {
                assertEquals(ds.getFeatures().get(NDArrayIndex.point(first + r)), w.getFeatures().get(NDArrayIndex.point(r)));
                assertEquals(100 + first + r, w.getLabels().getDouble(r, 1, 3));
                assertEquals(200 + first + r, w.getFeaturesMaskArray().getDouble(r, 2));
                assertEquals(300 + first + r, w.getLabelsMaskArray().getDouble(r, 0));
            }
            assertEquals(w.getFeatures(), RoundWorker.validationRows(ds, 0.25, seed).getFeatures(), "a retried task takes the same rows");
            offsets.add(first);
        }
        assertEquals(Set.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L), offsets, "every window of 3 of the 10 rows takes its turn");
        assertEquals(1, RoundWorker.validationRows(ds, 1e-6, 3).getFeatures().size(0), "at least one row");
        assertEquals(10, sequences().getFeatures().size(0), "the source is not modified");
    }

    private static INDArray train(MetaAdamWConfig cfg) {
        MultiLayerNetwork net = TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false);
        List<DataSet> data = TestNets.toDouble(TestNets.irisBatches(10, 1));
        new LocalMetaAdamWTrainer(net, cfg).fit(new ListDataSetIterator<>(data, 1), null, 3);
        return net.params().dup();
    }

    @Test
    void aFractionChangesTheSignalsAndRepeatsExactly() {
        MetaAdamWConfig whole = MetaAdamWConfig.builder().metaSignal("validation").learningRate(1e-2).averagingFrequency(3).seed(5).build();
        MetaAdamWConfig part = whole.toBuilder().metaValidationFraction(0.3).build();
        INDArray a = train(part);
        assertEquals(a, train(part), "the same seed takes the same rows: the run repeats bit for bit");
        assertNotEquals(train(whole), a, "the passes must see fewer rows");
        var e = assertThrows(IllegalArgumentException.class, () -> MetaAdamWConfig.builder().metaValidationFraction(0).build());
        assertTrue(e.getMessage().contains("spark.metaadamw.meta.validationFraction") && e.getMessage().contains("(0, 1]"), e.getMessage());
    }
}
