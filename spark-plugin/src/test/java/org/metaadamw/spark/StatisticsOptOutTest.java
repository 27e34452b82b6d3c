package org.metaadamw.spark;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.junit.jupiter.api.Test;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.meta.ModulationController;
import org.metaadamw.stats.RoundSummary;
import org.metaadamw.train.LocalMetaAdamWTrainer;
import org.metaadamw.update.Modulation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A controller that reads no statistics ({@link ModulationController#usesStatistics()} false, e.g.
 * {@code adamw}) gets summaries without features or signals (workers skip the pass over the
 * parameters) but with the training loss, and training is unchanged; one that reads them gets them.
 * On Spark (2 partitions) and in one JVM, Iris.
 */
class StatisticsOptOutTest {

    /** Neutral multipliers; records what its summaries held. */
    static final class Recording implements ModulationController {
        private static final long serialVersionUID = 1L;
        final boolean statistics;
        final List<Double> featureSums = new ArrayList<>(), losses = new ArrayList<>();
        int groups;

        Recording(boolean statistics) {
            this.statistics = statistics;
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public boolean usesStatistics() {
            return statistics;
        }

        @Override
        public Modulation initial(ParamGroups g) {
            groups = g.count();
            return Modulation.neutral(groups);
        }

        @Override
        public Modulation next(RoundSummary s, long round, long totalRounds) {
            double sum = 0;
            for (double[] row : s.features() == null ? new double[0][] : s.features()) {
                for (double x : row) {
                    sum += Math.abs(x);
                }
            }
            for (double[] row : s.signals() == null ? new double[0][] : s.signals()) {
                for (double x : row == null ? new double[0] : row) {  // no signals without validation passes
                    sum += Math.abs(x);
                }
            }
            featureSums.add(sum);
            losses.add(s.lossTrain());
            return Modulation.neutral(groups);
        }

        @Override
        public Modulation rolledBack(long round) {
            return Modulation.neutral(groups);
        }

        @Override
        public ModulationController copy() {
            return new Recording(statistics);
        }
    }

    private static final MetaAdamWConfig CFG = MetaAdamWConfig.builder().numWorkers(2).averagingFrequency(2).learningRate(1e-2).build();

    @Test
    void workersSkipTheStatisticsOnlyForControllersThatDoNotReadThem() {
        List<DataSet> data = TestNets.toDouble(TestNets.irisBatches(10, 3));
        Recording with = new Recording(true), without = new Recording(false);
        INDArray[] spark = SparkTestSupport.withSpark("local[2]", Map.of(), sc -> {
            var a = TestNets.mlp(5, DataType.DOUBLE, 1e-2, 0, false, false);
            new SparkMetaAdamW(sc, a, CFG, with).fit(sc.parallelize(data, 2), null, 2);
            var b = TestNets.mlp(5, DataType.DOUBLE, 1e-2, 0, false, false);
            new SparkMetaAdamW(sc, b, CFG, without).fit(sc.parallelize(data, 2), null, 2);
            return new INDArray[]{a.params().dup(), b.params().dup()};
        });
        assertEquals(spark[0], spark[1], "the same training with and without statistics");
        assertEquals(with.losses, without.losses, "the training loss is reported either way");
        assertTrue(with.featureSums.stream().allMatch(x -> x > 0), "statistics sent to a controller that reads them");
        assertTrue(without.featureSums.stream().allMatch(x -> x == 0), "no statistics computed for one that does not: " + without.featureSums);
        assertEquals(with.losses.size(), without.losses.size());

        Recording local = new Recording(false);
        var c = TestNets.mlp(5, DataType.DOUBLE, 1e-2, 0, false, false);
        new LocalMetaAdamWTrainer(c, CFG.toBuilder().numWorkers(1).build(), local).fit(new ListDataSetIterator<>(data, 1), null, 1);
        assertTrue(!local.featureSums.isEmpty() && local.featureSums.stream().allMatch(x -> x == 0), "single JVM: " + local.featureSums);
        assertTrue(local.losses.stream().allMatch(Double::isFinite));
    }
}
