package org.metaadamw.spark;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.stats.RoundStatistics;
import org.metaadamw.train.KilledRun;
import org.metaadamw.train.LocalMetaAdamWTrainer;
import org.metaadamw.update.L3rsParams;
import org.metaadamw.update.L3rsState;
import org.metaadamw.update.Modulation;
import org.metaadamw.update.UpdateRule;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code l3rs} controller on Spark with a fixed φ: one partition is the single-JVM trainer bit for
 * bit, two partitions are deterministic (run twice, and local[1] against local[2]), a resumed run equals
 * an uninterrupted one, and the L3RS state crosses the wire unchanged.
 */
class L3rsSparkTest {
    static MetaAdamWConfig cfg(Path phi, int workers) {
        return MetaAdamWConfig.builder().controller("l3rs").l3rsParams(phi.toString()).learningRate(1e-2).averagingFrequency(3)
                .numWorkers(workers).seed(5).build();
    }

    static Path phi(Path dir) throws IOException {
        MultiLayerNetwork net = TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false);
        List<String> names = ParamGroups.of(net, GroupingStrategy.of(MetaAdamWConfig.defaults())).names();
        Path f = dir.resolve("phi.json");
        Files.writeString(f, L3rsParams.initial(8, 4, names, 0.9, 0.02, 0.5, 21).toJson());
        return f;
    }

    static List<DataSet> iris() {
        return TestNets.toDouble(TestNets.irisBatches(10, 1));
    }

    record Run(INDArray params, INDArray m, INDArray v, int rounds) {
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
            return new Run(net.params().dup(), t.adamState().m(), t.adamState().v(), t.history().size());
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
        double dTheta = diff(spark.params(), net.params()), dM = diff(spark.m(), local.adamState().m()), dV = diff(spark.v(), local.adamState().v());
        System.out.printf(Locale.ROOT, "l3rs, 1 partition vs single JVM, %d rounds: max |Δθ| = %.3e, |Δm| = %.3e, |Δv| = %.3e%n",
                spark.rounds(), dTheta, dM, dV);
        assertEquals(0.0, dTheta, 0.0);
        assertEquals(0.0, dM, 0.0);
        assertEquals(0.0, dV, 0.0);
    }

    @Test
    void twoPartitionsAreDeterministicAndResumeBitForBit(@TempDir Path dir) throws IOException {
        MetaAdamWConfig cfg = cfg(phi(dir), 2);
        Run a = sparkRun("local[2]", cfg, null, -1, false), b = sparkRun("local[2]", cfg, null, -1, false),
                c = sparkRun("local[1]", cfg, null, -1, false);
        Path ck = dir.resolve("ck");
        assertNull(sparkRun("local[2]", cfg, ck, 5, false));
        Run r = sparkRun("local[2]", cfg, ck, -1, true);
        System.out.printf(Locale.ROOT, "l3rs, 2 partitions, %d rounds: run vs rerun max |Δθ| = %.3e, local[2] vs local[1] %.3e, "
                + "resumed after round 5 vs uninterrupted %.3e (|Δm| %.3e, |Δv| %.3e)%n", a.rounds(), diff(a.params(), b.params()),
                diff(a.params(), c.params()), diff(a.params(), r.params()), diff(a.m(), r.m()), diff(a.v(), r.v()));
        assertEquals(0.0, diff(a.params(), b.params()), 0.0);
        assertEquals(0.0, diff(a.params(), c.params()), 0.0);
        assertEquals(0.0, diff(a.params(), r.params()), 0.0);
        assertEquals(0.0, diff(a.m(), r.m()), 0.0);
        assertEquals(0.0, diff(a.v(), r.v()), 0.0);
        assertEquals(a.rounds(), r.rounds());
    }

    @SuppressWarnings("unchecked")
    static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    @Test
    void theL3rsStateAndPhiCrossTheWireUnchanged() throws Exception {
        INDArray theta = Nd4j.rand(DataType.FLOAT, 50);
        L3rsState st = new L3rsState(Nd4j.rand(DataType.FLOAT, 50), Nd4j.rand(DataType.FLOAT, 50), Nd4j.rand(DataType.FLOAT, 50), 7);
        UpdateRule rule = UpdateRule.l3rs(L3rsParams.initial(4, 2, List.of("a", "b"), 0.9, 0.05, 0.3, 1));
        RoundBroadcast back = roundTrip(RoundBroadcast.l3rs(theta, st, rule, Modulation.neutral(2), 3, 1, 0.25, 99));
        assertEquals(theta, back.params());
        L3rsState s = back.l3rsState();
        assertEquals(st.m(), s.m());
        assertEquals(st.v(), s.v());
        assertEquals(st.b(), s.b());
        assertEquals(7, s.step());
        assertEquals(rule, back.rule());
        PartitionResult res = roundTrip(PartitionResult.l3rs(theta, st, RoundStatistics.EMPTY, 1, true, 3));
        PartitionResult sum = res.merge(res);
        assertEquals(st.b().mul(2), sum.momentum());
        assertEquals(st.m().mul(2), sum.m());
    }
}
