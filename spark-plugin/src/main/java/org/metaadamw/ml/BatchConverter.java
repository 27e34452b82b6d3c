package org.metaadamw.ml;

import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.Serializable;
import java.util.List;

/**
 * Turns DataFrame rows into network input, for data the column conventions of
 * {@link MetaAdamWEstimator} do not cover: sequences of varying length with masks, labels per time
 * step, several feature columns, token ids looked up in a vocabulary.
 *
 * <p>Set with {@link MetaAdamWEstimator#setBatchConverter(Class)}. The stages keep the class name,
 * so that a saved Estimator or Model reloads with its converter; an implementation must therefore be
 * a public class with a public no-argument constructor, on the classpath of the driver and of the
 * executors (for example in the application jar). One instance is created per partition on the
 * executors; it is used by one thread at a time.
 *
 * <p>Rows are the whole input rows, with their schema ({@code row.getAs("column")} works), in
 * partition order; a list holds at most {@code batchSize} rows and the last of a partition may hold
 * fewer. A converter that meets a bad row should throw an {@code IllegalArgumentException} naming
 * the column and what it expected; the task fails with that message.
 */
public interface BatchConverter extends Serializable {

    /**
     * One training minibatch: features (and their mask, if any) and labels (and their mask) as the
     * network takes them, with {@code rows.size()} examples.
     */
    DataSet toDataSet(List<Row> rows);

    /**
     * The network input for inference on {@code rows}, with {@code rows.size()} examples in the same
     * order; by default the features of {@link #toDataSet}, which requires the label columns to be
     * present. Override it when the rows to predict carry no labels.
     */
    default INDArray toFeatures(List<Row> rows) {
        return toDataSet(rows).getFeatures();
    }
}
