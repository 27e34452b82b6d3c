package org.metaadamw.examples.io;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Fashion-MNIST as Parquet, for jobs whose executors read their data: columns {@code features}
 * (array of 784 floats in [0, 1], not null) and {@code label} (the class index 0–9 as a double).
 */
public final class ImageParquet {
    private ImageParquet() {
    }

    /** The column types written. */
    public static final StructType SCHEMA = new StructType()
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("label", DataTypes.DoubleType, false);

    /**
     * Writes the first {@code n} images of the training or test set (IDX order, one file) to
     * {@code path}, any Hadoop path ({@code file:}, {@code hdfs:}, ...), replacing what is there.
     */
    public static void writeFashionMnist(SparkSession spark, boolean train, int n, String path) throws IOException {
        DataSet d = ImageData.fashionMnist(train, n, true);
        List<Row> rows = new ArrayList<>(d.numExamples());
        for (int i = 0; i < d.numExamples(); i++) {
            float[] x = d.getFeatures().getRow(i).toFloatVector();
            Float[] boxed = new Float[x.length];
            for (int j = 0; j < x.length; j++) {
                boxed[j] = x[j];
            }
            rows.add(RowFactory.create(boxed, (double) d.getLabels().getRow(i).argMax().getInt(0)));
        }
        spark.createDataFrame(rows, SCHEMA).coalesce(1).write().mode("overwrite").parquet(path);
    }
}
