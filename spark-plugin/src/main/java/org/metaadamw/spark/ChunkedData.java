package org.metaadamw.spark;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.apache.spark.storage.StorageLevel;
import org.metaadamw.train.Holdout;
import org.nd4j.linalg.dataset.DataSet;
import scala.Tuple2;
import scala.reflect.ClassTag$;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One input's minibatches, laid out so that a round reads only what it uses. Worker {@code w} gets
 * the contiguous block of minibatches {@code i} with {@code floor(i·W/n) = w} (as
 * {@link BlockPartitioner}), in input order. Of those it keeps either its training minibatches (its
 * block without the held-out ones) or its validation minibatches (the held-out ones, or the block of
 * a validation input). They are cached in {@code W × M} chunks, each of {@code chunkSize}
 * consecutive minibatches of one worker; partition {@code w·M + m} is chunk {@code m} of worker
 * {@code w}.
 *
 * <p>A round prunes the RDD to one chunk per worker (PartitionPruningRDD), so its tasks read that
 * chunk and nothing else of the cached data. With at most {@link #MAX_CHUNKS} chunks per worker,
 * a chunk holds {@code ceil(count / MAX_CHUNKS)} minibatches, rounded up to the averaging
 * frequency for training. A round reads K minibatches while an epoch has at most 256 rounds, and
 * proportionally more beyond. Before this layout every round walked its worker's whole partition,
 * O(n²/K) per epoch. Driver-side; not thread-safe.
 */
final class ChunkedData {
    /** Chunks per worker at most: bounds the partitions of the cached RDD (W × 256) and of the set-up shuffle. */
    static final int MAX_CHUNKS = 256;

    private final JavaRDD<DataSet> chunks;
    private final int workers, chunksPerWorker;
    private final long chunkSize;
    private final long[] counts, blockSizes;

    private ChunkedData(JavaRDD<DataSet> chunks, int workers, int chunksPerWorker, long chunkSize, long[] counts, long[] blockSizes) {
        this.chunks = chunks;
        this.workers = workers;
        this.chunksPerWorker = chunksPerWorker;
        this.chunkSize = chunkSize;
        this.counts = counts;
        this.blockSizes = blockSizes;
    }

    /** Which minibatches of a worker's block an input contributes. */
    enum Part { ALL, TRAIN, HELD_OUT }

    /**
     * Lays out the part {@code part} of {@code input} for {@code w} workers and caches it.
     *
     * @param holdout 1 in this many minibatches of a worker's block is held out (TRAIN/HELD_OUT); 0 for none
     * @param align   the chunk size is a multiple of this (the averaging frequency for training, 1 else)
     */
    static ChunkedData of(JavaRDD<DataSet> input, int w, Part part, int holdout, int align, StorageLevel level) {
        long n = input.count();
        long[] start = new long[w + 1];
        for (int k = 0; k <= w; k++) {
            start[k] = ceilDiv((long) k * n, w);   // the first i with floor(i·w/n) >= k
        }
        long[] counts = new long[w], blocks = new long[w];
        for (int k = 0; k < w; k++) {
            long nk = start[k + 1] - start[k], held = holdout > 0 ? nk / holdout : 0;
            blocks[k] = nk;
            counts[k] = part == Part.ALL ? nk : part == Part.TRAIN ? nk - held : held;
        }
        long max = Arrays.stream(counts).max().orElse(0);
        long size = Math.max(1, ceilDiv(max, MAX_CHUNKS));
        size = ceilDiv(size, align) * align;
        int m = (int) Math.max(1, ceilDiv(max, size));
        long chunkSize = size;
        int parts = w * m;
        JavaPairRDD<Long, DataSet> keyed = input.zipWithIndex().flatMapToPair(t -> {
            long i = t._2();
            int k = (int) Math.min(w - 1, i * w / Math.max(1, n));
            long j = i - start[k];
            boolean held = Holdout.isHeldOut(j, holdout);
            long pos;
            if (part == Part.ALL) {
                pos = j;
            } else if (part == Part.TRAIN && !held) {
                pos = j - (holdout > 0 ? (j + 1) / holdout : 0);   // minus the held-out ones before it
            } else if (part == Part.HELD_OUT && held) {
                pos = j / holdout;
            } else {
                return java.util.Collections.emptyIterator();
            }
            long p = (long) k * m + pos / chunkSize;
            return java.util.Collections.singletonList(new Tuple2<>(p << 32 | pos % chunkSize, t._1())).iterator();
        });
        JavaRDD<DataSet> out = keyed.repartitionAndSortWithinPartitions(new ChunkPartitioner(parts)).values();
        out.persist(level);
        return new ChunkedData(out, w, m, chunkSize, counts, blocks);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** Minibatches per worker. */
    long[] counts() {
        return counts.clone();
    }

    /** Minibatches of each worker's block of the input, before the part was taken. */
    long[] blockSizes() {
        return blockSizes.clone();
    }

    long chunkSize() {
        return chunkSize;
    }

    /**
     * One chunk per worker, in worker order: chunk {@code chunk[w]} of worker {@code w}. Partition
     * {@code w} of the result is worker {@code w}'s.
     */
    JavaRDD<DataSet> select(int[] chunk) {
        int[] c = chunk.clone();
        int m = chunksPerWorker;
        var keep = new ChunkFilter(c, m);
        PartitionPruningRDD<DataSet> pruned = PartitionPruningRDD.create(chunks.rdd(), keep);
        return new JavaRDD<>(pruned, ClassTag$.MODULE$.apply(DataSet.class));
    }

    /** The chunk holding minibatch {@code index} of a worker (0 when the worker has none). */
    int chunkOf(long index) {
        return (int) Math.min(chunksPerWorker - 1, index / chunkSize);
    }

    int workers() {
        return workers;
    }

    void release() {
        chunks.unpersist(false);
    }

    /** Key {@code partition << 32 | position}: partition from the high half; sorting orders positions. */
    private static final class ChunkPartitioner extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int partitions;

        ChunkPartitioner(int partitions) {
            this.partitions = partitions;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return (int) ((Long) key >>> 32);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ChunkPartitioner c && c.partitions == partitions;
        }

        @Override
        public int hashCode() {
            return partitions;
        }
    }

    /** Keeps partition {@code w·m + chunk[w]} of every worker {@code w}. */
    private static final class ChunkFilter extends scala.runtime.AbstractFunction1<Object, Object> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final int[] chunk;
        private final int m;

        ChunkFilter(int[] chunk, int m) {
            this.chunk = chunk;
            this.m = m;
        }

        @Override
        public Object apply(Object partition) {
            int p = (Integer) partition;
            return chunk[p / m] == p % m;
        }
    }
}
