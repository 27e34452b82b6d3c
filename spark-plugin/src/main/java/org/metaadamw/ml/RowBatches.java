package org.metaadamw.ml;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Executor side of {@code fit}: turns one partition's rows into minibatches of {@code batchSize}
 * rows, in row order, through a {@link RowFormat}; the last minibatch of a partition may be smaller.
 * Bad rows fail the task with the column, the partition-local row index and what was expected.
 */
final class RowBatches implements FlatMapFunction<Iterator<Row>, DataSet> {
    private static final long serialVersionUID = 1L;
    private final RowFormat format;
    private final int batchSize;

    RowBatches(RowFormat format, int batchSize) {
        this.format = format;
        this.batchSize = batchSize;
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
                List<Row> batch = new ArrayList<>(batchSize);
                while (rows.hasNext() && batch.size() < batchSize) {
                    batch.add(rows.next());
                }
                DataSet d = format.batch(batch, index);
                index += batch.size();
                return d;
            }
        };
    }
}
