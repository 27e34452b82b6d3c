package org.metaadamw.ml;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The bridge from a DataFrame to the minibatch RDD that {@link org.metaadamw.spark.SparkMetaAdamW}
 * trains on, for users who drive the trainer themselves (per-epoch evaluation, listeners). The
 * conversion runs on the executors, partition by partition, in row order; nothing is collected to
 * the driver. The same conversion as {@link MetaAdamWEstimator#fit}.
 *
 * <p>Reproducibility: minibatches never span two input partitions, so they depend on how the
 * DataFrame is partitioned. A file source's partitioning follows {@code spark.sql.files.maxPartitionBytes}
 * and, through the bytes per core, the executors registered when the files are listed. On the
 * standalone cluster, two runs of the integration suite over Parquet with the same content ended at
 * different losses (0.196 and 0.203), most likely for that reason (not isolated further). For
 * bit-identical reruns, read with a fixed partitioning: set
 * {@code spark.default.parallelism} and {@code spark.sql.files.maxPartitionBytes}, or
 * {@code repartition(n, col)} and {@code sortWithinPartitions} on a key.
 */
public final class Minibatches {
    private Minibatches() {
    }

    /**
     * @param rows        the data; {@code featuresCol} holds an ml Vector or an array of numbers, {@code labelCol}
     *                    a class index (classifier) or number/vector (regressor)
     * @param batchSize   rows per minibatch (&gt;= 1); a partition's last minibatch may be smaller
     * @param network     the network the minibatches are for: its input length, output width, loss and data type
     *                    decide the shapes, the label encoding (one-hot for classifiers) and the checks
     */
    public static JavaRDD<DataSet> of(Dataset<?> rows, String featuresCol, String labelCol, int batchSize,
                                      MultiLayerConfiguration network) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1 (got " + batchSize + ")");
        }
        Stages.requireFeatures(rows.schema(), featuresCol);
        Stages.requireLabel(rows.schema(), labelCol);
        NetworkSpec spec = NetworkSpec.of(network);
        return rows.select(featuresCol, labelCol).toJavaRDD().mapPartitions(new RowBatches(featuresCol, labelCol, batchSize, spec));
    }
}
