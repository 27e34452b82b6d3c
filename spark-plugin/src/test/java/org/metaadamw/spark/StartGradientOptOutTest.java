package org.metaadamw.spark;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.junit.jupiter.api.Test;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.meta.MetaAdamWController;
import org.metaadamw.meta.ModulationController;
import org.metaadamw.stats.RoundSummary;
import org.metaadamw.train.LocalMetaAdamWTrainer;
import org.metaadamw.train.NetModel;
import org.metaadamw.update.Modulation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default objective reads no start-of-round validation gradient, so the workers' first
 * validation pass is a forward pass only; training is the same, bit for bit, as with the full
 * forward-backward pass (here forced by a controller that asks for gv0 but otherwise is metaadamw).
 * Objectives that read gv0 (the alignment term) still get it. Iris, one JVM and Spark.
 */
class StartGradientOptOutTest {

    /** metaadamw asking for gv0. */
    static final class WithStartGradient implements ModulationController {
        private static final long serialVersionUID = 1L;
        final MetaAdamWConfig cfg;
        final MetaAdamWController c;

        WithStartGradient(MetaAdamWConfig cfg) {
            this.cfg = cfg;
            c = new MetaAdamWController(cfg);
        }

        @Override public String name() { return "metaadamw"; }
        @Override public Modulation initial(ParamGroups g) { return c.initial(g); }
        @Override public Modulation next(RoundSummary s, long r, long t) { return c.next(s, r, t); }
        @Override public Modulation rolledBack(long r) { return c.rolledBack(r); }
        @Override public boolean usesValidation() { return c.usesValidation(); }
        @Override public boolean wantsValidation(long r) { return c.wantsValidation(r); }
        @Override public boolean usesStartGradient() { return true; }
        @Override public String saveState(long r) { return c.saveState(r); }
        @Override public void restoreState(String s) { c.restoreState(s); }
        @Override public Map<String, Double> metrics() { return c.metrics(); }
        @Override public ModulationController copy() { return new WithStartGradient(cfg); }
    }

    private static final MetaAdamWConfig CFG = MetaAdamWConfig.builder().numWorkers(2).averagingFrequency(2).learningRate(1e-2)
            .validationHoldout(4).build();

    @Test
    void theForwardOnlyStartPassTrainsExactlyAsTheFullOne() {
        assertFalse(new MetaAdamWController(CFG).usesStartGradient(), "the default objective reads no gv0");
        assertTrue(new MetaAdamWController(CFG.toBuilder().metaTerms("alignment,lossDecrease").build()).usesStartGradient());
        assertTrue(new MetaAdamWController(CFG.toBuilder().stepEstimate("averaged").build()).usesStartGradient());

        List<DataSet> data = TestNets.toDouble(TestNets.irisBatches(10, 3));
        // the loss of the forward pass is the loss of the forward-backward pass, to the last bit
        var probe = new NetModel(TestNets.mlp(5, DataType.DOUBLE, 1e-2, 0, false, false));
        for (DataSet d : data) {
            assertEquals(probe.computeGradient(d), probe.loss(d), 0.0);
        }
        var gprobe = new NetModel(TestNets.graph(5, DataType.DOUBLE, 1e-2, 0));
        assertEquals(gprobe.computeGradient(data.get(0)), gprobe.loss(data.get(0)), 0.0);

        double[][] spark = SparkTestSupport.withSpark("local[2]", Map.of(), sc -> {
            var a = TestNets.mlp(5, DataType.DOUBLE, 1e-2, 0, false, false);
            var ta = new SparkMetaAdamW(sc, a, CFG);
            ta.fit(sc.parallelize(data, 2), null, 4);
            var b = TestNets.mlp(5, DataType.DOUBLE, 1e-2, 0, false, false);
            var tb = new SparkMetaAdamW(sc, b, CFG, new WithStartGradient(CFG));
            tb.fit(sc.parallelize(data, 2), null, 4);
            assertTrue(ta.history().stream().anyMatch(r -> Math.abs(r.alpha()[0] - 1) > 1e-3), "meta-steps were taken");
            return new double[][]{a.params().toDoubleVector(), b.params().toDoubleVector(),
                    ta.history().get(ta.history().size() - 1).alpha(), tb.history().get(tb.history().size() - 1).alpha()};
        });
        assertArrayEquals(spark[1], spark[0], 0.0, "Spark: parameters, forward-only start pass vs full");
        assertArrayEquals(spark[3], spark[2], 0.0, "Spark: final α");

        var c = TestNets.mlp(5, DataType.DOUBLE, 1e-2, 0, false, false);
        new LocalMetaAdamWTrainer(c, CFG.toBuilder().numWorkers(1).build()).fit(new ListDataSetIterator<>(data, 1), null, 3);
        var d = TestNets.mlp(5, DataType.DOUBLE, 1e-2, 0, false, false);
        MetaAdamWConfig one = CFG.toBuilder().numWorkers(1).build();
        new LocalMetaAdamWTrainer(d, one, new WithStartGradient(one)).fit(new ListDataSetIterator<>(data, 1), null, 3);
        assertArrayEquals(d.params().toDoubleVector(), c.params().toDoubleVector(), 0.0, "one JVM");
    }
}
