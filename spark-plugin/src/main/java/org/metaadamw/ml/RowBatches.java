package org.metaadamw.ml;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import scala.collection.Seq;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Executor side of {@code fit}: turns one partition's rows (features, label) into minibatches of
 * {@code batchSize} rows, in row order; the last minibatch of a partition may be smaller. Bad rows
 * fail the task with the column, the partition-local row index and what was expected.
 */
final class RowBatches implements FlatMapFunction<Iterator<Row>, DataSet> {
    private static final long serialVersionUID = 1L;
    private final String featuresCol, labelCol;
    private final int batchSize;
    private final NetworkSpec spec;

    RowBatches(String featuresCol, String labelCol, int batchSize, NetworkSpec spec) {
        this.featuresCol = featuresCol;
        this.labelCol = labelCol;
        this.batchSize = batchSize;
        this.spec = spec;
    }

    /** Lazy: one minibatch is built per {@code next()}, so a partition is never held in memory twice. */
    @Override
    public Iterator<DataSet> call(Iterator<Row> rows) {
        return new Iterator<>() {
            private long index;

            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public DataSet next() {
                if (!rows.hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                List<double[]> xs = new ArrayList<>(batchSize);
                List<double[]> ys = new ArrayList<>(batchSize);
                while (rows.hasNext() && xs.size() < batchSize) {
                    Row r = rows.next();
                    xs.add(features(r.get(0), featuresCol, spec.inputLength(), index));
                    ys.add(label(r.get(1), index));
                    index++;
                }
                return batch(xs, ys);
            }
        };
    }

    private DataSet batch(List<double[]> xs, List<double[]> ys) {
        INDArray f = Nd4j.create(xs.toArray(new double[0][])).castTo(spec.dataType());
        INDArray l = Nd4j.create(ys.toArray(new double[0][])).castTo(spec.dataType());
        return new DataSet(f, l);
    }

    /** A features cell as doubles: an ml Vector or an array column. */
    static double[] features(Object cell, String col, long expected, long row) {
        double[] x;
        if (cell instanceof Vector v) {
            x = v.toArray();
        } else if (cell instanceof Seq<?> s) {
            x = new double[s.size()];
            for (int i = 0; i < x.length; i++) {
                Object o = s.apply(i);
                if (!(o instanceof Number n)) {
                    throw new IllegalArgumentException("column '" + col + "', row " + row + " of its partition: element " + i + " is "
                            + (o == null ? "null" : o.getClass().getSimpleName()) + ", expected a number");
                }
                x[i] = n.doubleValue();
            }
        } else {
            throw new IllegalArgumentException("column '" + col + "', row " + row + " of its partition: "
                    + (cell == null ? "null" : cell.getClass().getSimpleName()) + ", expected an ml Vector or an array of numbers");
        }
        if (expected > 0 && x.length != expected) {
            throw new IllegalArgumentException("column '" + col + "', row " + row + " of its partition: " + x.length
                    + " values, the network's input takes " + expected);
        }
        return x;
    }

    private double[] label(Object cell, long row) {
        int k = (int) spec.outputs();
        if (spec.classifier()) {
            if (!(cell instanceof Number n)) {
                throw new IllegalArgumentException("column '" + labelCol + "', row " + row + " of its partition: "
                        + (cell == null ? "null" : cell.getClass().getSimpleName()) + ", expected a class index 0.." + (k - 1));
            }
            double c = n.doubleValue();
            if (c != Math.rint(c) || c < 0 || c >= k) {
                throw new IllegalArgumentException("column '" + labelCol + "', row " + row + " of its partition: label " + c
                        + " is not a class index of the network's " + k + " outputs (0.." + (k - 1) + ")");
            }
            double[] y = new double[k];
            y[(int) c] = 1;
            return y;
        }
        if (cell instanceof Number n && k == 1) {
            double v = n.doubleValue();
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("column '" + labelCol + "', row " + row + " of its partition: label " + v + " is not finite");
            }
            return new double[]{v};
        }
        return features(cell, labelCol, k, row);
    }
}
