package org.metaadamw.spark;

import org.metaadamw.stats.RoundStatistics;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;

/**
 * What the tree aggregation of one round sums: parameters, Adam moments and statistics of the
 * workers that had data in this round. Immutable: {@link #merge} returns a new value and never
 * writes its arguments (Spark may reuse the zero value and task results).
 *
 * @param params  Σ θ_end (null when empty)
 * @param m       Σ first moments
 * @param v       Σ second moments
 * @param step    Adam step count after the round (the maximum over workers)
 * @param stats   Σ statistics
 * @param workers number of worker results summed
 * @param finite  every summed result was free of NaN/Inf
 * @param steps   the maximum number of local steps of a worker in this round
 */
record PartitionResult(INDArray params, INDArray m, INDArray v, long step, RoundStatistics stats, int workers,
                       boolean finite, int steps) implements Serializable {

    static final PartitionResult EMPTY = new PartitionResult(null, null, null, 0, RoundStatistics.EMPTY, 0, true, 0);

    PartitionResult merge(PartitionResult o) {
        if (o.workers == 0) {
            return this;
        }
        if (workers == 0) {
            return o;
        }
        if (params.length() != o.params.length()) {
            throw new IllegalArgumentException("cannot average parameter vectors of " + params.length() + " and "
                    + o.params.length() + " values");
        }
        return new PartitionResult(params.add(o.params), m.add(o.m), v.add(o.v), Math.max(step, o.step),
                stats.merge(o.stats), workers + o.workers, finite && o.finite, Math.max(steps, o.steps));
    }

    /** Bytes of the statistics part of the results summed here (what the meta-learning adds to the traffic). */
    long statisticsBytes() {
        return stats.payloadBytes() * workers;
    }
}
