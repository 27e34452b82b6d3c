package org.metaadamw.spark;

import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.dataset.DataSet;
import scala.Tuple2;

/**
 * Element {@code i} of {@code n} goes to partition {@code floor(i·W/n)}: W contiguous blocks whose
 * sizes differ by at most one: the workers' data as {@link ChunkedData} assigns it. The differential
 * test against DL4J hands DL4J's parameter averaging this layout ({@code Repartition.Never}).
 */
final class BlockPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;
    private final long count;

    BlockPartitioner(int partitions, long count) {
        this.partitions = partitions;
        this.count = Math.max(1, count);
    }

    /** The RDD's elements in RDD order, as W contiguous blocks, cached. */
    static JavaRDD<DataSet> blocks(JavaRDD<DataSet> rdd, int w, StorageLevel level) {
        JavaPairRDD<Long, DataSet> indexed = rdd.zipWithIndex().mapToPair(t -> new Tuple2<>(t._2(), t._1()));
        long n = rdd.count();
        JavaRDD<DataSet> out = indexed.repartitionAndSortWithinPartitions(new BlockPartitioner(w, n)).values();
        out.persist(level);
        return out;
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
