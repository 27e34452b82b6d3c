package org.metaadamw.ml;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
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
        return columns(rows, featuresCol, labelCol, batchSize, NetworkSpec.of(network));
    }

    /** As {@link #of(Dataset, String, String, int, MultiLayerConfiguration)}, for a graph with one input and one output. */
    public static JavaRDD<DataSet> of(Dataset<?> rows, String featuresCol, String labelCol, int batchSize,
                                      ComputationGraphConfiguration network) {
        return columns(rows, featuresCol, labelCol, batchSize, NetworkSpec.of(network));
    }

    /** Minibatches made by a {@link BatchConverter} (instantiated on the executors from its class name). */
    public static JavaRDD<DataSet> of(Dataset<?> rows, int batchSize, Class<? extends BatchConverter> converter) {
        return of(rows, RowFormat.converter(converter.getName()), batchSize);
    }

    private static JavaRDD<DataSet> columns(Dataset<?> rows, String featuresCol, String labelCol, int batchSize, NetworkSpec spec) {
        Stages.requireFeatures(rows.schema(), featuresCol);
        Stages.requireLabel(rows.schema(), labelCol);
        return of(rows, RowFormat.columns(featuresCol, labelCol, spec, null), batchSize);
    }

    static JavaRDD<DataSet> of(Dataset<?> rows, RowFormat format, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1 (got " + batchSize + ")");
        }
        String[] cols = format.trainingColumns();
        Dataset<org.apache.spark.sql.Row> df = cols == null ? rows.toDF() : rows.select(cols[0], java.util.Arrays.copyOfRange(cols, 1, cols.length));
        return df.toJavaRDD().mapPartitions(new RowBatches(format, batchSize));
    }
}
