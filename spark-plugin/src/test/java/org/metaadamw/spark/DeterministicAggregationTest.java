package org.metaadamw.spark;

import org.apache.spark.api.java.JavaRDD;
import org.junit.jupiter.api.Test;
import org.metaadamw.stats.RoundStatistics;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.dataset.DataSet;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.metaadamw.config.MetaAdamWConfig;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The round's results are summed in partition order whatever order the tasks finish in (a sum in
 * arrival order differs in its last bits from three workers on), on both paths: the driver's (up to
 * 8 workers) and the grouped one; and a round whose results cannot reach the driver is refused up front.
 */
class DeterministicAggregationTest {

    /** Results whose float sums depend on the order: magnitudes spread over many decades. */
    private static PartitionResult result(int p) {
        SplittableRandom r = new SplittableRandom(p);
        float[] x = new float[64];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble(-1, 1) * Math.pow(10, r.nextInt(-6, 7)));
        }
        INDArray a = Nd4j.createFromArray(x);
        RoundStatistics s = new RoundStatistics(1, 1, new double[]{x[0]}, new double[RoundStatistics.Signal.COUNT], 0, 0, x[1], 1, 0);
        return new PartitionResult(a, a.mul(3), a.mul(a), 1, s, 1, true, 1);
    }

    /** The fixed order: one sum in partition order up to 8 results; beyond, sums of groups of ⌈√n⌉ consecutive partitions, added in order. */
    private static PartitionResult inOrder(int n) {
        int size = n <= SparkMetaAdamW.DIRECT_RESULTS ? n : (int) Math.ceil(Math.sqrt(n));
        PartitionResult t = PartitionResult.EMPTY;
        for (int g = 0; g < n; g += size) {
            PartitionResult s = PartitionResult.EMPTY;
            for (int p = g; p < Math.min(n, g + size); p++) {
                s = s.merge(result(p));
            }
            t = t.merge(s);
        }
        return t;
    }

    @Test
    void resultsAreSummedInPartitionOrderWhateverTheTaskOrder() {
        for (int n : new int[]{4, 8, 13}) {
            PartitionResult[] got = SparkTestSupport.withSpark("local[4]", Map.of(), sc -> {
                // later partitions finish first: arrival order is the reverse of partition order
                JavaRDD<Integer> idx = sc.parallelize(IntStream.range(0, n).boxed().toList(), n);
                JavaRDD<PartitionResult> results = idx.mapPartitionsWithIndex((p, it) -> {
                    Thread.sleep(40L * (n - p));
                    return List.of(result(p)).iterator();
                }, true);
                PartitionResult agg = SparkMetaAdamW.aggregate(results, n);
                PartitionResult arrival = results.treeAggregate(PartitionResult.EMPTY, PartitionResult::merge, PartitionResult::merge, 2);
                return new PartitionResult[]{agg, arrival};
            });
            PartitionResult want = inOrder(n);
            // bit equality (INDArray.equals allows a tolerance)
            assertArrayEquals(want.params().toFloatVector(), got[0].params().toFloatVector(), n + " partitions: parameters");
            assertArrayEquals(want.m().toFloatVector(), got[0].m().toFloatVector(), n + " partitions: m");
            assertArrayEquals(want.v().toFloatVector(), got[0].v().toFloatVector(), n + " partitions: v");
            assertEquals(want.stats(), got[0].stats(), n + " partitions: statistics");
            assertEquals(n, got[0].workers());
            if (n == 13) {
                // what Spark's own aggregation gives here: not the in-order sum (the test's order sensitivity is real)
                assertTrue(!java.util.Arrays.equals(want.params().toFloatVector(), got[1].params().toFloatVector()),
                        "arrival-order sum equal to the in-order one: the test cannot tell them apart");
            }
        }
        assertEquals(8, SparkMetaAdamW.driverResults(8));
        assertEquals(3, SparkMetaAdamW.driverResults(9));
        assertEquals(8, SparkMetaAdamW.driverResults(64));
    }

    @Test
    void aRoundWhoseResultsExceedMaxResultSizeIsRefusedBeforeAnyWork() {
        IllegalStateException e = SparkTestSupport.withSpark("local[2]", Map.of("spark.driver.maxResultSize", "1m"), sc -> {
            var conf = new NeuralNetConfiguration.Builder().seed(1).list()
                    .layer(new DenseLayer.Builder().nIn(784).nOut(200).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(200).nOut(10).activation(Activation.SOFTMAX).build())
                    .build();
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            net.init();
            List<DataSet> data = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                data.add(new DataSet(Nd4j.rand(DataType.FLOAT, 8, 784), Nd4j.zeros(DataType.FLOAT, 8, 10)));
            }
            var trainer = new SparkMetaAdamW(sc, net, MetaAdamWConfig.builder().numWorkers(2).build());
            return assertThrows(IllegalStateException.class, () -> trainer.fit(sc.parallelize(data, 2), null, 1));
        });
        assertTrue(e.getMessage().contains("2 result(s) of 2 MB") && e.getMessage().contains("more than spark.driver.maxResultSize=1m")
                && e.getMessage().contains("set spark.driver.maxResultSize to at least 4m"), e.getMessage());
    }
}
