package org.metaadamw.ml;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Executor side of {@code transform}: restores the broadcast network once per partition and runs it
 * on minibatches of rows, appending the prediction (and, for classifiers, the probability) to each row.
 * A per-time-step output ({@link NetworkSpec#sequenceOutput()}) is appended flattened, in row-major
 * order of the network's per-example output shape.
 */
final class Predictor implements FlatMapFunction<Iterator<Row>, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<byte[]> model;
    private final RowFormat format;
    private final int batchSize;
    private final NetworkSpec spec;

    Predictor(Broadcast<byte[]> model, RowFormat format, int batchSize, NetworkSpec spec) {
        this.model = model;
        this.format = format;
        this.batchSize = batchSize;
        this.spec = spec;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        if (!rows.hasNext()) {
            return java.util.Collections.emptyIterator();
        }
        Model net;
        try {
            net = Networks.restore(model.value());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore the model's network", e);
        }
        List<Row> out = new ArrayList<>();
        List<Row> batch = new ArrayList<>(batchSize);
        long index = 0;
        while (rows.hasNext()) {
            batch.add(rows.next());
            if (batch.size() == batchSize || !rows.hasNext()) {
                INDArray y = Networks.output(net, format.features(batch, index));
                for (int i = 0; i < batch.size(); i++) {
                    INDArray yi = y.rank() == 2 ? y.getRow(i) : y.slice(i).dup('c').reshape(-1);
                    out.add(append(batch.get(i), yi.toDoubleVector()));
                }
                index += batch.size();
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
            v[n] = Stages.scalarPrediction(spec) ? (Object) y[0] : Vectors.dense(y);
        }
        return RowFactory.create(v);
    }
}
