package org.metaadamw.spark;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.train.LocalMetaAdamWTrainer;
import org.metaadamw.train.RoundRecord;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Spark trainer is a distribution of the single-JVM algorithm, deterministic and retry-safe. */
class SparkTrainerTest {
    static final MetaAdamWConfig META = MetaAdamWConfig.builder().learningRate(1e-2).averagingFrequency(3)
            .validationHoldout(4).numWorkers(2).seed(5).build();

    @AfterEach
    void clearFaultHook() {
        System.clearProperty(PartitionTrainer.FAIL_FIRST_ATTEMPT);
    }

    static INDArray sparkRun(String master, MetaAdamWConfig cfg, int epochs, List<RoundRecord>[] history) {
        return SparkTestSupport.withSpark(master, Map.of(), sc -> {
            MultiLayerNetwork net = TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false);
            List<DataSet> data = TestNets.toDouble(TestNets.irisBatches(10, 1));
            SparkMetaAdamW t = new SparkMetaAdamW(sc, net, cfg);
            t.fit(sc.parallelize(data, 3), null, epochs);
            if (history != null) {
                history[0] = t.history();
            }
            return net.params().dup();
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void localOneAndLocalTwoGiveTheSameParameters() {
        List<RoundRecord>[] h = new List[1];
        INDArray one = sparkRun("local[1]", META, 3, null);
        INDArray two = sparkRun("local[2]", META, 3, h);
        double diff = one.sub(two).amaxNumber().doubleValue();
        System.out.printf("local[1] vs local[2]: max |Δθ| = %.3e over %d rounds%n", diff, h[0].size());
        assertTrue(diff <= 1e-5, "max |Δθ| = " + diff);
        assertTrue(h[0].stream().anyMatch(r -> Math.abs(r.alpha()[0] - 1) > 1e-4), "the controller must be learning");
    }

    /** holdout 12 &gt; 2K: the only held-out batch comes after the first meta rounds (and a trailing round exists). */
    @org.junit.jupiter.params.ParameterizedTest(name = "validationHoldout={0}, traceDecay={1}, shuffle={2}")
    @org.junit.jupiter.params.provider.CsvSource({"4, 0, true", "12, 0, true", "4, 0.9, true", "4, 0, false"})
    void onePartitionEqualsTheSingleJvmTrainer(int holdout, double traceDecay, boolean shuffle) {
        MetaAdamWConfig cfg = META.toBuilder().numWorkers(1).validationHoldout(holdout).metaTraceDecay(traceDecay).shuffle(shuffle).build();
        INDArray spark = sparkRun("local[2]", cfg, 2, null);
        MultiLayerNetwork net = TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false);
        List<DataSet> data = TestNets.toDouble(TestNets.irisBatches(10, 1));
        new LocalMetaAdamWTrainer(net, cfg).fit(new ListDataSetIterator<>(data, 1), null, 2);
        double diff = spark.sub(net.params()).amaxNumber().doubleValue();
        System.out.printf("1 partition vs single JVM: max |Δθ| = %.3e%n", diff);
        assertTrue(diff <= 1e-5, "max |Δθ| = " + diff);
    }

    @Test
    void computationGraphsTrainOnSparkAsInOneJvm() {
        MetaAdamWConfig cfg = META.toBuilder().numWorkers(1).build();
        List<DataSet> data = TestNets.toDouble(TestNets.irisBatches(10, 6));
        INDArray[] r = SparkTestSupport.withSpark("local[2]", Map.of(), sc -> {
            var g = TestNets.graph(8, DataType.DOUBLE, 1e-2, 0);
            new SparkMetaAdamW(sc, g, cfg).fit(sc.parallelize(data, 2), null, 2);
            var g2 = TestNets.graph(8, DataType.DOUBLE, 1e-2, 0);
            DataSet iris = DataSet.merge(data);   // the standardised set it trains on, not the raw features
            double before = g2.score(iris);
            new SparkMetaAdamW(sc, g2, META).fit(sc.parallelize(data, 2), null, 3);
            double after = g2.score(iris);
            assertTrue(after < 0.5 * before, "graph loss " + before + " -> " + after);
            return new INDArray[]{g.params().dup()};
        });
        var local = TestNets.graph(8, DataType.DOUBLE, 1e-2, 0);
        new LocalMetaAdamWTrainer(local, cfg).fit(new ListDataSetIterator<>(data, 1), null, 2);
        double diff = r[0].sub(local.params()).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-5, "ComputationGraph, 1 partition vs single JVM: max |Δθ| = " + diff);
    }

    @Test
    void aTaskFailingOnItsFirstAttemptChangesNothing() {
        INDArray clean = sparkRun("local[2,4]", META, 2, null);
        System.setProperty(PartitionTrainer.FAIL_FIRST_ATTEMPT, "2:1");
        int before = PartitionTrainer.INJECTED.get();
        INDArray faulty = sparkRun("local[2,4]", META, 2, null);
        assertEquals(before + 1, PartitionTrainer.INJECTED.get(), "the fault must have been injected once");
        assertEquals(clean, faulty, "a retried task must return exactly the same result");
    }

    @Test
    void adamwControllerEqualsDl4jParameterAveraging() {
        double lr = 5e-3, lambda = 0.02;
        int workers = 2, K = 5, epochs = 3;
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().shuffle(false).controller("adamw").learningRate(lr).weightDecay(lambda)
                .averagingFrequency(K).numWorkers(workers).build();
        INDArray[] results = SparkTestSupport.withSpark("local[2]", Map.of(), sc -> {
            // exactly one DL4J split per fit: workers × K minibatches of 10 examples
            List<DataSet> data = TestNets.toDouble(TestNets.irisBatches(10, 2)).subList(0, workers * K);
            var rdd = BlockPartitioner.blocks(sc.parallelize(data, 3), workers, org.apache.spark.storage.StorageLevel.MEMORY_ONLY());

            MultiLayerNetwork reference = TestNets.mlp(4, DataType.DOUBLE, lr, lambda, false, false);
            MultiLayerNetwork ours = TestNets.mlp(4, DataType.DOUBLE, lr, 0, false, false);
            ours.params().assign(reference.params());

            var tm = new ParameterAveragingTrainingMaster.Builder(workers, 10).batchSizePerWorker(10)
                    .averagingFrequency(K).workerPrefetchNumBatches(0).saveUpdater(true)
                    .repartionData(Repartition.Never).rngSeed(1).build();
            SparkDl4jMultiLayer dl4j = new SparkDl4jMultiLayer(sc, reference, tm);
            for (int e = 0; e < epochs; e++) {
                dl4j.fit(rdd);
            }
            SparkMetaAdamW mine = new SparkMetaAdamW(sc, ours, cfg);
            mine.fit(rdd, null, epochs);
            return new INDArray[]{dl4j.getNetwork().params().dup(), ours.params().dup()};
        });
        double diff = results[0].sub(results[1]).amaxNumber().doubleValue();
        System.out.printf("adamw controller vs DL4J ParameterAveragingTrainingMaster: max |Δθ| = %.3e%n", diff);
        assertTrue(diff <= 1e-5, "max |Δθ| = " + diff);
    }
}
