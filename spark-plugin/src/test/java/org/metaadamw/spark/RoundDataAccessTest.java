package org.metaadamw.spark;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A round reads only the minibatches it trains on (and the one it validates on) from the cached
 * data, not its worker's whole partition. Spark counts every element a task pulls from a cached
 * block (task input metrics, records read). The first epoch computes each round's chunk when it
 * first needs it; in the second epoch, with 600 minibatches, 2 workers and K = 2, every round reads
 * from the cache between 2 × K and 2 × (K + 1) records (before, every round walked 600). Laying
 * the data out evaluates the input RDD less than three times over.
 */
class RoundDataAccessTest {

    @Test
    void aRoundReadsItsKMinibatchesAndOneForValidation() {
        int workers = 2, K = 2;
        Map<Integer, AtomicLong> readsPerJob = new ConcurrentHashMap<>();
        Map<Integer, Integer> stageToJob = new ConcurrentHashMap<>();
        long rounds = SparkTestSupport.withSpark("local[2]", Map.of(), sc -> {
            sc.sc().addSparkListener(new SparkListener() {
                @Override
                public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart job) {
                    for (Object s : scala.collection.JavaConverters.seqAsJavaList(job.stageIds())) {
                        stageToJob.put((Integer) s, job.jobId());
                    }
                }

                @Override
                public void onTaskEnd(SparkListenerTaskEnd t) {
                    if (t.taskMetrics() != null) {
                        readsPerJob.computeIfAbsent(stageToJob.getOrDefault(t.stageId(), -1), j -> new AtomicLong())
                                .addAndGet(t.taskMetrics().inputMetrics().recordsRead());
                    }
                }
            });
            List<DataSet> data = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                data.addAll(TestNets.toDouble(TestNets.irisBatches(1, r)));
            }
            MultiLayerNetwork net = TestNets.mlp(3, DataType.DOUBLE, 1e-2, 0, false, false);
            MetaAdamWConfig cfg = MetaAdamWConfig.builder().controller("metaadamw").averagingFrequency(K).numWorkers(workers).build();
            SparkMetaAdamW trainer = new SparkMetaAdamW(sc, net, cfg);
            var reads = sc.sc().longAccumulator("input reads");
            var rdd = sc.parallelize(data, 3).map(d -> {
                reads.add(1);
                return d;
            });
            long perEpoch = trainer.roundsPerEpoch(rdd, null);
            trainer.fit(rdd, null, 2);
            try {
                sc.sc().listenerBus().waitUntilEmpty(60_000);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException(e);
            }
            trainer.releaseData();
            // set-up: a count, the index's partition sizes and one shuffle for the training and held-out layouts
            assertTrue(reads.value() <= 3L * data.size(), "the input was evaluated " + reads.value() + " element-times for "
                    + data.size() + " minibatches");
            return perEpoch;
        });
        // 600 minibatches, 300 per worker, 30 held out (1 in 10): 270 for training, 135 rounds
        assertEquals(135, rounds);
        List<Long> reads = readsPerJob.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> e.getValue().get()).toList();
        var second = reads.subList(reads.size() - (int) rounds, reads.size()).stream().mapToLong(Long::longValue).summaryStatistics();
        System.out.printf("records read from the cache per round of the second epoch: min %d, max %d over %d rounds%n",
                second.getMin(), second.getMax(), second.getCount());
        assertTrue(second.getMax() <= workers * (K + 1), "a round read " + second.getMax() + " cached records; its workers need at most "
                + workers * (K + 1));
        assertTrue(second.getMin() >= workers * K, "a round of the second epoch read " + second.getMin()
                + " cached records: its minibatches should come from the cache");
    }
}
