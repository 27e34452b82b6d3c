package org.metaadamw.spark;

import org.apache.spark.Partitioner;

/**
 * Element {@code i} of {@code n} goes to partition {@code floor(i·W/n)}: W contiguous blocks whose
 * sizes differ by at most one. Deterministic, so that the data each worker sees depends only on
 * the data order and W (not on cores, executors or scheduling).
 */
final class BlockPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;
    private final long count;

    BlockPartitioner(int partitions, long count) {
        this.partitions = partitions;
        this.count = Math.max(1, count);
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public int getPartition(Object key) {
        long i = (Long) key;
        return (int) Math.min(partitions - 1, i * partitions / count);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockPartitioner b && b.partitions == partitions && b.count == count;
    }

    @Override
    public int hashCode() {
        return partitions * 31 + Long.hashCode(count);
    }
}
