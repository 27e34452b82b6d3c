package org.metaadamw.spark;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.stats.RoundStatistics;
import org.metaadamw.train.KilledRun;
import org.metaadamw.train.LocalMetaAdamWTrainer;
import org.metaadamw.update.LstmParams;
import org.metaadamw.update.LstmState;
import org.metaadamw.update.Modulation;
import org.metaadamw.update.UpdateRule;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code lstm} controller on Spark with a fixed φ: one partition is the single-JVM trainer bit for bit
 * (θ and the LSTM state); two partitions are deterministic (run twice, and local[1] against local[2]) and a
 * run resumed after round 5 equals an uninterrupted one; the LSTM state crosses the wire unchanged.
 */
class LstmSparkTest {
    static MetaAdamWConfig cfg(Path phi, int workers) {
        return MetaAdamWConfig.builder().controller("lstm").lstmParams(phi.toString()).learningRate(1e-2).averagingFrequency(3)
                .numWorkers(workers).seed(5).build();
    }

    static Path phi(Path dir) throws IOException {
        Path f = dir.resolve("lstm.json");
        Files.writeString(f, LstmParams.initial(20, LstmParams.PAPER_P, 1.0, 0.05, 21).toJson());
        return f;
    }

    static List<DataSet> iris() {
        return TestNets.toDouble(TestNets.irisBatches(10, 1));
    }

    record Run(INDArray params, INDArray state, int rounds) {
    }

    static Run sparkRun(String master, MetaAdamWConfig cfg, Path checkpoint, int stopAfter, boolean resume) {
        return SparkTestSupport.withSpark(master, Map.of(), sc -> {
            MultiLayerNetwork net = TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false);
            SparkMetaAdamW t = new SparkMetaAdamW(sc, net, checkpoint == null ? cfg
                    : cfg.toBuilder().checkpoint(checkpoint.toUri().toString(), 2, 2).build());
            if (resume) {
                assertTrue(t.resume(), "a checkpoint must be there");
            }
            if (!KilledRun.fit(t, stopAfter, () -> t.fit(sc.parallelize(iris(), 3), null, 2))) {
                return null;
            }
            return new Run(net.params().dup(), t.lstmState().values(), t.history().size());
        });
    }

    static double diff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    @Test
    void onePartitionEqualsTheSingleJvmTrainerBitForBit(@TempDir Path dir) throws IOException {
        MetaAdamWConfig cfg = cfg(phi(dir), 1);
        Run spark = sparkRun("local[2]", cfg, null, -1, false);
        MultiLayerNetwork net = TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false);
        LocalMetaAdamWTrainer local = new LocalMetaAdamWTrainer(net, cfg);
        local.fit(new ListDataSetIterator<>(iris(), 1), null, 2);
        double dTheta = diff(spark.params(), net.params()), dState = diff(spark.state(), local.lstmState().values());
        System.out.printf(Locale.ROOT, "lstm, 1 partition vs single JVM, %d rounds: max |Δθ| = %.3e, |Δstate| = %.3e%n", spark.rounds(), dTheta, dState);
        assertEquals(0.0, dTheta, 0.0);
        assertEquals(0.0, dState, 0.0);
        assertTrue(spark.rounds() > 0);
    }

    @Test
    void twoPartitionsAreDeterministicAndResumeBitForBit(@TempDir Path dir) throws IOException {
        MetaAdamWConfig cfg = cfg(phi(dir), 2);
        Run a = sparkRun("local[2]", cfg, null, -1, false), b = sparkRun("local[2]", cfg, null, -1, false),
                c = sparkRun("local[1]", cfg, null, -1, false);
        Path ck = dir.resolve("ck");
        assertNull(sparkRun("local[2]", cfg, ck, 5, false));
        Run r = sparkRun("local[2]", cfg, ck, -1, true);
        System.out.printf(Locale.ROOT, "lstm, 2 partitions, %d rounds: run vs rerun max |Δθ| = %.3e, local[2] vs local[1] %.3e, "
                + "resumed after round 5 vs uninterrupted %.3e (|Δstate| %.3e)%n", a.rounds(), diff(a.params(), b.params()),
                diff(a.params(), c.params()), diff(a.params(), r.params()), diff(a.state(), r.state()));
        assertEquals(0.0, diff(a.params(), b.params()), 0.0);
        assertEquals(0.0, diff(a.params(), c.params()), 0.0);
        assertEquals(0.0, diff(a.params(), r.params()), 0.0);
        assertEquals(0.0, diff(a.state(), r.state()), 0.0);
        assertEquals(a.rounds(), r.rounds());
    }

    @Test
    void theLstmStateAndPhiCrossTheWireUnchanged() throws Exception {
        INDArray theta = Nd4j.rand(DataType.FLOAT, 50);
        LstmState st = new LstmState(Nd4j.rand(DataType.FLOAT, 50 * 16), 16, 7);
        UpdateRule rule = UpdateRule.lstm(LstmParams.initial(4, 10, 1.0, 0.1, 1));
        RoundBroadcast back = L3rsSparkTest.roundTrip(RoundBroadcast.lstm(theta, st, rule, Modulation.neutral(2), 3, 1, 0.25, 99));
        assertEquals(theta, back.params());
        LstmState s = back.lstmState();
        assertEquals(st.values(), s.values());
        assertEquals(7, s.step());
        assertEquals(rule, back.rule());
        PartitionResult res = L3rsSparkTest.roundTrip(PartitionResult.lstm(theta, st, RoundStatistics.EMPTY, 1, true, 3));
        PartitionResult sum = res.merge(res);
        assertEquals(st.values().mul(2), sum.m());
        assertEquals(theta.mul(2), sum.params());
    }
}
