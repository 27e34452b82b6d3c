package org.metaadamw.spark;

import com.codahale.metrics.Histogram;
import com.codahale.metrics.SlidingTimeWindowArrayReservoir;

import java.util.concurrent.TimeUnit;

/** Executor-side measurements, exposed by {@link MetaAdamWExecutorPlugin}. Thread-safe. */
public final class ExecutorMetrics {
    /** Worker time per round and partition, in microseconds (last 10 minutes). */
    static final Histogram WORKER_ROUND_MICROS = new Histogram(new SlidingTimeWindowArrayReservoir(10, TimeUnit.MINUTES));

    private ExecutorMetrics() {
    }

    static void recordRound(long nanos) {
        WORKER_ROUND_MICROS.update(nanos / 1000);
    }
}
