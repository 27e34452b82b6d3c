package org.metaadamw.spark;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.meta.Controllers;
import org.metaadamw.train.LocalMetaAdamWTrainer;
import org.metaadamw.train.NetModel;
import org.metaadamw.train.RoundCoordinator;
import org.metaadamw.train.RoundWorker;
import org.metaadamw.train.WorkerResult;
import org.metaadamw.update.HypergradientSum;
import org.metaadamw.update.MadaCoefficients;
import org.metaadamw.update.MadaCoefficients.Coefficient;
import org.metaadamw.update.MadaState;
import org.metaadamw.update.UpdateRule;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code mada} controller on Spark: one partition is the single-JVM trainer, two are deterministic, and the driver's step is hyperStep of the summed worker signals. */
class MadaSparkTest {
    static final MetaAdamWConfig MADA = MetaAdamWConfig.builder().shuffle(false).controller("mada").learningRate(1e-2).averagingFrequency(3)
            .numWorkers(2).seed(5).build();

    record Run(INDArray params, INDArray m, INDArray v, Map<String, Double> metrics, int rounds) {
    }

    static Run sparkRun(String master, MetaAdamWConfig cfg, List<DataSet> data, int epochs) {
        return SparkTestSupport.withSpark(master, Map.of(), sc -> {
            MultiLayerNetwork net = TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false);
            SparkMetaAdamW t = new SparkMetaAdamW(sc, net, cfg);
            t.fit(sc.parallelize(data, 3), null, epochs);
            return new Run(net.params().dup(), t.adamState().m(), t.adamState().v(), t.controllerMetrics(), t.history().size());
        });
    }

    static List<DataSet> iris() {
        return TestNets.toDouble(TestNets.irisBatches(10, 1));
    }

    static double diff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    @Test
    void onePartitionEqualsTheSingleJvmTrainerBitForBit() {
        MetaAdamWConfig cfg = MADA.toBuilder().numWorkers(1).build();
        Run spark = sparkRun("local[2]", cfg, iris(), 2);
        MultiLayerNetwork net = TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false);
        LocalMetaAdamWTrainer local = new LocalMetaAdamWTrainer(net, cfg);
        local.fit(new ListDataSetIterator<>(iris(), 1), null, 2);
        double dTheta = diff(spark.params(), net.params()), dM = diff(spark.m(), local.adamState().m()), dV = diff(spark.v(), local.adamState().v());
        System.out.printf(Locale.ROOT, "mada, 1 partition vs single JVM, %d rounds: max |Δθ| = %.3e, |Δm| = %.3e, |Δv| = %.3e; γ %s vs %s%n",
                spark.rounds(), dTheta, dM, dV, spark.metrics().get("mada.gamma"), local.controllerMetrics().get("mada.gamma"));
        assertEquals(0.0, dTheta, 0.0);
        assertEquals(0.0, dM, 0.0);
        assertEquals(0.0, dV, 0.0);
        assertEquals(local.controllerMetrics(), spark.metrics(), "the coefficients");
        assertNotEquals(1.0, spark.metrics().get("mada.gamma"), "the coefficients must have moved");
    }

    @Test
    void twoPartitionsAreDeterministic() {
        Run a = sparkRun("local[2]", MADA, iris(), 2), b = sparkRun("local[2]", MADA, iris(), 2), c = sparkRun("local[1]", MADA, iris(), 2);
        System.out.printf(Locale.ROOT, "mada, 2 partitions, %d rounds: run vs rerun max |Δθ| = %.3e, local[2] vs local[1] %.3e; β3 = %s%n",
                a.rounds(), diff(a.params(), b.params()), diff(a.params(), c.params()), a.metrics().get("mada.beta3"));
        assertEquals(0.0, diff(a.params(), b.params()), 0.0);
        assertEquals(0.0, diff(a.m(), b.m()), 0.0);
        assertEquals(0.0, diff(a.params(), c.params()), 0.0);
        assertEquals(a.metrics(), b.metrics());
        assertEquals(a.metrics(), c.metrics());
    }

    /**
     * One round on two partitions of K = 3 minibatches each (partition p gets the p-th contiguous
     * block): two workers run by hand from the same start give the averaged parameters and, summed in
     * partition order, the hypergradients whose hyperStep must be the driver's new coefficients, bit for bit.
     */
    @Test
    void theDriverStepIsHyperStepOfTheSummedWorkerSignals() {
        List<DataSet> six = iris().subList(0, 6);
        Run spark = sparkRun("local[2]", MADA, six, 1);
        assertEquals(1, spark.rounds());

        MultiLayerNetwork net = TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false);
        ParamGroups groups = ParamGroups.of(net, GroupingStrategy.of(MADA));
        long roundSeed = new RoundCoordinator(MADA, groups, Controllers.create(MADA)).roundSeed();
        MadaCoefficients start = MadaCoefficients.adam(0.9, 0.99);   // beta2 = 0.999 projected onto [0.501, 0.99]
        UpdateRule rule = UpdateRule.mada(start, 0.95, 0.98);
        INDArray theta0 = net.params().dup();
        RoundWorker worker = new RoundWorker(new NetModel(TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false)), groups, MADA);
        WorkerResult w0 = worker.runMada(theta0, MadaState.zeros(theta0), rule, six.subList(0, 3), PartitionTrainer.partitionSeed(roundSeed, 0));
        WorkerResult w1 = worker.runMada(theta0, MadaState.zeros(theta0), rule, six.subList(3, 6), PartitionTrainer.partitionSeed(roundSeed, 1));
        HypergradientSum sum = HypergradientSum.EMPTY.merge(w0.hypergradients()).merge(w1.hypergradients());
        assertEquals(4, sum.contributions());
        MadaCoefficients expected = start.hyperStep(sum.sum(), sum.contributions(), MADA.madaLearningRates());
        INDArray avg = w0.params().add(w1.params()).muli(0.5);
        StringBuilder sb = new StringBuilder();
        for (Coefficient k : Coefficient.values()) {
            String name = "mada." + k.name().toLowerCase(Locale.ROOT);
            assertEquals(expected.get(0, k), spark.metrics().get(name), 0.0, name);
            double mean = 0;
            for (double[] group : sum.sum()) {
                mean += group[k.ordinal()] / sum.contributions();
            }
            sb.append(String.format(Locale.ROOT, " %s %.6g→%.6g (mean h %.3e)", k.label(), start.get(0, k), expected.get(0, k), mean));
        }
        double dTheta = diff(avg, spark.params());
        System.out.printf(Locale.ROOT, "mada, 2 workers, 1 round: driver = hyperStep(Σ of %d worker signals):%s; averaged θ max |Δ| = %.3e%n",
                sum.contributions(), sb, dTheta);
        assertEquals(0.0, dTheta, 0.0);
        assertTrue(!expected.equals(start), "the step must move the coefficients");
    }
}
