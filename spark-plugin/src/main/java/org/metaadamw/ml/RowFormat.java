package org.metaadamw.ml;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import scala.collection.Seq;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * How rows become network input, on the executors: the column convention (a flat features column,
 * optionally reshaped per row, and a label column) or a user's {@link BatchConverter}. Serializable,
 * immutable; a converter is instantiated once per deserialized copy (one per task).
 */
abstract class RowFormat implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A training minibatch of {@code rows}; {@code first} is the partition-local index of the first row (for messages). */
    abstract DataSet batch(List<Row> rows, long first);

    /** The network input for {@code rows} (inference). */
    abstract INDArray features(List<Row> rows, long first);

    /** The columns {@code fit} needs, or null for all of them (a converter may read any column). */
    abstract String[] trainingColumns();

    static RowFormat columns(String featuresCol, String labelCol, NetworkSpec spec, int[] featuresShape) {
        return new Columns(featuresCol, labelCol, spec, featuresShape);
    }

    static RowFormat converter(String className) {
        instantiate(className); // fail on the driver, before any task
        return new Converter(className);
    }

    /** A converter from its class name, checked: implementing BatchConverter, with a public no-argument constructor. */
    static BatchConverter instantiate(String className) {
        Class<?> c;
        try {
            c = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("batchConverter: class " + className + " is not on the classpath", e);
        }
        if (!BatchConverter.class.isAssignableFrom(c)) {
            throw new IllegalArgumentException("batchConverter: " + className + " does not implement " + BatchConverter.class.getName());
        }
        try {
            return (BatchConverter) c.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("batchConverter: " + className + " needs a public no-argument constructor ("
                    + e.getClass().getSimpleName() + ")", e);
        }
    }

    private static final class Converter extends RowFormat {
        private static final long serialVersionUID = 1L;
        private final String className;
        private transient BatchConverter converter;

        Converter(String className) {
            this.className = className;
        }

        private BatchConverter get() {
            if (converter == null) {
                converter = instantiate(className);
            }
            return converter;
        }

        @Override
        DataSet batch(List<Row> rows, long first) {
            DataSet d = get().toDataSet(rows);
            check(d == null ? null : d.getFeatures(), rows.size(), "toDataSet", first);
            check(d.getLabels(), rows.size(), "toDataSet (labels)", first);
            return d;
        }

        @Override
        INDArray features(List<Row> rows, long first) {
            INDArray f = get().toFeatures(rows);
            check(f, rows.size(), "toFeatures", first);
            return f;
        }

        private void check(INDArray a, int n, String what, long first) {
            if (a == null || a.rank() < 2 || a.size(0) != n) {
                throw new IllegalArgumentException("batchConverter " + className + "." + what + " on rows " + first + ".." + (first + n - 1)
                        + " of the partition returned " + (a == null ? "null" : "shape " + Arrays.toString(a.shape()))
                        + "; expected an array of rank >= 2 with " + n + " examples in dimension 0");
            }
        }

        @Override
        String[] trainingColumns() {
            return null;
        }
    }

    private static final class Columns extends RowFormat {
        private static final long serialVersionUID = 1L;
        private final String featuresCol, labelCol;
        private final NetworkSpec spec;
        private final int[] shape;
        private final long length;

        Columns(String featuresCol, String labelCol, NetworkSpec spec, int[] featuresShape) {
            this.featuresCol = featuresCol;
            this.labelCol = labelCol;
            this.spec = spec;
            this.shape = featuresShape == null ? new int[0] : featuresShape.clone();
            long n = 1;
            for (int d : shape) {
                if (d < 1) {
                    throw new IllegalArgumentException("featuresShape " + Arrays.toString(shape) + ": every dimension must be >= 1");
                }
                n *= d;
            }
            if (shape.length > 0 && spec.inputLength() > 0 && n != spec.inputLength()) {
                throw new IllegalArgumentException("featuresShape " + Arrays.toString(shape) + " holds " + n
                        + " values per row, the network's input takes " + spec.inputLength());
            }
            this.length = shape.length > 0 ? n : spec.inputLength();
        }

        @Override
        String[] trainingColumns() {
            return new String[]{featuresCol, labelCol};
        }

        @Override
        DataSet batch(List<Row> rows, long first) {
            double[][] ys = new double[rows.size()][];
            for (int i = 0; i < ys.length; i++) {
                ys[i] = label(rows.get(i).getAs(labelCol), first + i);
            }
            return new DataSet(features(rows, first), Nd4j.create(ys).castTo(spec.dataType()));
        }

        @Override
        INDArray features(List<Row> rows, long first) {
            double[][] xs = new double[rows.size()][];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = values(rows.get(i).getAs(featuresCol), featuresCol, length, "the network's input takes", first + i);
            }
            INDArray f = Nd4j.create(xs).castTo(spec.dataType());
            if (shape.length == 0) {
                return f;
            }
            long[] s = new long[shape.length + 1];
            s[0] = xs.length;
            for (int i = 0; i < shape.length; i++) {
                s[i + 1] = shape[i];
            }
            return f.reshape('c', s);
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
            return values(cell, labelCol, k, "the network's output has", row);
        }
    }

    /** A cell as doubles: an ml Vector or an array column, of {@code expected} values when that is &gt; 0. */
    static double[] values(Object cell, String col, long expected, String whatExpects, long row) {
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
                    + " values, " + whatExpects + " " + expected);
        }
        return x;
    }
}
