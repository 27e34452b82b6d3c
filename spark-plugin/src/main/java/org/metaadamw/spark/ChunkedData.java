package org.metaadamw.spark;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.PartitionPruningRDD;
import org.apache.spark.storage.StorageLevel;
import org.metaadamw.train.Holdout;
import org.metaadamw.train.MinibatchOrder;
import org.nd4j.linalg.dataset.DataSet;
import scala.Tuple2;
import scala.reflect.ClassTag$;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One input's minibatches, laid out so that a round reads only what it uses. Worker {@code w} gets
 * the contiguous block of minibatches {@code i} with {@code floor(i·W/n) = w}, in input order: W
 * blocks whose sizes differ by at most one, so that the data each worker sees depends only on the
 * data order and W (not on cores, executors or scheduling). A layout holds either the workers' training minibatches
 * (each block without the held-out ones) or their validation minibatches (the held-out ones, or the
 * blocks of a validation input), in {@code W × M} chunks of {@code chunkSize} consecutive minibatches
 * of one worker: partition {@code offset + w·M + m} is chunk {@code m} of worker {@code w}. The
 * training and held-out layouts of one input share one cached RDD, made by one shuffle. With
 * {@code spark.metaadamw.shuffle} a worker's training minibatches are laid out in the seeded order
 * of {@link MinibatchOrder} instead of input order (the block, and so each worker's data, is the same).
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
    /** This layout's partitions of {@link #chunks} start here (the held-out part follows the training part). */
    private final int offset;
    private final int workers, chunksPerWorker;
    private final long chunkSize;
    private final long[] counts, blockSizes;

    private ChunkedData(JavaRDD<DataSet> chunks, int offset, int workers, int chunksPerWorker, long chunkSize, long[] counts,
                        long[] blockSizes) {
        this.chunks = chunks;
        this.offset = offset;
        this.workers = workers;
        this.chunksPerWorker = chunksPerWorker;
        this.chunkSize = chunkSize;
        this.counts = counts;
        this.blockSizes = blockSizes;
    }

    /** The minibatch counts and chunking of one part of every worker's block. */
    private record Shape(long[] counts, long chunkSize, int chunksPerWorker) {
        static Shape of(long[] counts, int align) {
            long max = Arrays.stream(counts).max().orElse(0);
            long size = Math.max(1, ceilDiv(max, MAX_CHUNKS));
            size = ceilDiv(size, align) * align;
            return new Shape(counts, size, (int) Math.max(1, ceilDiv(max, size)));
        }
    }

    /**
     * All of {@code input}'s minibatches, for {@code w} workers, cached.
     *
     * @param align the training chunk size is a multiple of this (the averaging frequency)
     */
    static ChunkedData of(JavaRDD<DataSet> input, int w, int align, StorageLevel level) {
        return split(input, w, 0, align, level, null)[0];
    }

    /** As {@link #of(JavaRDD, int, int, StorageLevel)}, each worker's minibatches in the order {@link MinibatchOrder} gives for {@code orderSeed} (null: input order). */
    static ChunkedData of(JavaRDD<DataSet> input, int w, int align, StorageLevel level, Long orderSeed) {
        return split(input, w, 0, align, level, orderSeed)[0];
    }

    /**
     * The training minibatches (each worker's block without the held-out ones) and the held-out ones
     * of {@code input}, for {@code w} workers: two layouts of one cached RDD, made by one shuffle.
     *
     * @param holdout 1 in this many minibatches of a worker's block is held out; 0 for none (the second
     *                layout is then empty)
     * @param align   the training chunk size is a multiple of this (the averaging frequency)
     * @param orderSeed the seed of the training minibatches' order within each worker ({@link MinibatchOrder},
     *                  {@code spark.metaadamw.shuffle}), or null for input order; the held-out ones keep input order
     * @return {training, held out}
     */
    static ChunkedData[] split(JavaRDD<DataSet> input, int w, int holdout, int align, StorageLevel level, Long orderSeed) {
        long n = input.count();
        long[] start = new long[w + 1];
        for (int k = 0; k <= w; k++) {
            start[k] = ceilDiv((long) k * n, w);   // the first i with floor(i·w/n) >= k
        }
        long[] trainCounts = new long[w], heldCounts = new long[w], blocks = new long[w];
        for (int k = 0; k < w; k++) {
            long nk = start[k + 1] - start[k], held = holdout > 0 ? nk / holdout : 0;
            blocks[k] = nk;
            trainCounts[k] = nk - held;
            heldCounts[k] = held;
        }
        Shape train = Shape.of(trainCounts, align), held = Shape.of(heldCounts, 1);
        int heldOffset = w * train.chunksPerWorker(), parts = heldOffset + w * held.chunksPerWorker();
        long trainSize = train.chunkSize(), heldSize = held.chunkSize();
        int mt = train.chunksPerWorker(), mh = held.chunksPerWorker();
        JavaPairRDD<Long, DataSet> keyed = input.zipWithIndex().mapToPair(t -> {
            long i = t._2();
            int k = (int) Math.min(w - 1, i * w / Math.max(1, n));
            long j = i - start[k];
            long p, pos;
            if (Holdout.isHeldOut(j, holdout)) {
                pos = j / holdout;
                p = heldOffset + (long) k * mh + pos / heldSize;
                pos %= heldSize;
            } else {
                pos = j - (holdout > 0 ? (j + 1) / holdout : 0);   // minus the held-out ones before it
                if (orderSeed != null) {
                    pos = MinibatchOrder.position(pos, trainCounts[k], orderSeed, k);
                }
                p = (long) k * mt + pos / trainSize;
                pos %= trainSize;
            }
            return new Tuple2<>(p << 32 | pos, t._1());
        });
        JavaRDD<DataSet> out = keyed.repartitionAndSortWithinPartitions(new ChunkPartitioner(parts)).values();
        out.persist(level);
        return new ChunkedData[]{new ChunkedData(out, 0, w, mt, trainSize, trainCounts, blocks),
                new ChunkedData(out, heldOffset, w, mh, heldSize, heldCounts, blocks)};
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
        var keep = new ChunkFilter(c, chunksPerWorker, offset);
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

    /** Unpersists the cached RDD (shared by the two layouts of {@link #split}: releasing one releases both). */
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

    /** Keeps partition {@code offset + w·m + chunk[w]} of every worker {@code w}. */
    private static final class ChunkFilter extends scala.runtime.AbstractFunction1<Object, Object> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final int[] chunk;
        private final int m, offset;

        ChunkFilter(int[] chunk, int m, int offset) {
            this.chunk = chunk;
            this.m = m;
            this.offset = offset;
        }

        @Override
        public Object apply(Object partition) {
            int p = (Integer) partition - offset;
            return p >= 0 && p < chunk.length * m && chunk[p / m] == p % m;
        }
    }
}
