package org.metaadamw.ml;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Executor side of {@code transform}: restores the broadcast network once per partition and runs it
 * on minibatches of rows, appending the prediction (and, for classifiers, the probability) to each row.
 */
final class Predictor implements FlatMapFunction<Iterator<Row>, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<byte[]> model;
    private final int featuresIndex, batchSize;
    private final String featuresCol;
    private final NetworkSpec spec;

    Predictor(Broadcast<byte[]> model, int featuresIndex, String featuresCol, int batchSize, NetworkSpec spec) {
        this.model = model;
        this.featuresIndex = featuresIndex;
        this.featuresCol = featuresCol;
        this.batchSize = batchSize;
        this.spec = spec;
    }

    static MultiLayerNetwork restore(byte[] zip) {
        try {
            return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(zip), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore the model's network", e);
        }
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        if (!rows.hasNext()) {
            return java.util.Collections.emptyIterator();
        }
        MultiLayerNetwork net = restore(model.value());
        List<Row> out = new ArrayList<>();
        List<Row> batch = new ArrayList<>(batchSize);
        long index = 0;
        while (rows.hasNext()) {
            batch.add(rows.next());
            if (batch.size() == batchSize || !rows.hasNext()) {
                double[][] x = new double[batch.size()][];
                for (int i = 0; i < x.length; i++) {
                    x[i] = RowBatches.features(batch.get(i).get(featuresIndex), featuresCol, spec.inputLength(), index++);
                }
                INDArray y = net.output(Nd4j.create(x).castTo(spec.dataType()), false);
                for (int i = 0; i < x.length; i++) {
                    out.add(append(batch.get(i), y.getRow(i).toDoubleVector()));
                }
                batch.clear();
            }
        }
        return out.iterator();
    }

    private Row append(Row r, double[] y) {
        int n = r.length();
        Object[] v = new Object[n + (spec.classifier() ? 2 : 1)];
        for (int i = 0; i < n; i++) {
            v[i] = r.get(i);
        }
        if (spec.classifier()) {
            int best = 0;
            for (int k = 1; k < y.length; k++) {
                if (y[k] > y[best]) {
                    best = k;
                }
            }
            v[n] = (double) best;
            v[n + 1] = Vectors.dense(y);
        } else {
            v[n] = y.length == 1 ? (Object) y[0] : Vectors.dense(y);
        }
        return RowFactory.create(v);
    }
}
