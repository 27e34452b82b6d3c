package org.metaadamw.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.train.NetModel;
import org.metaadamw.train.RoundWorker;
import org.metaadamw.train.WorkerResult;
import org.metaadamw.update.AdamWState;
import org.nd4j.linalg.dataset.DataSet;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * The executor side of a round: turns one partition's minibatches into one {@link PartitionResult}.
 * A pure function of (the broadcasts, the partition's data, the round seed): ND4J's random generator
 * is seeded from the round seed and the partition index before any computation, and statistics
 * leave only inside the returned value (never through accumulators), so a retried task neither
 * changes the result nor counts twice.
 *
 * <p>Each executor thread keeps one network per job (rebuilt from the configuration JSON on first
 * use); tasks never share a network.
 */
final class PartitionTrainer implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Test hook: {@code -Dmetaadamw.test.failFirstAttempt=ROUND:PARTITION} throws in that task's first attempt. */
    static final String FAIL_FIRST_ATTEMPT = "metaadamw.test.failFirstAttempt";

    /** Faults injected by the test hook in this JVM. */
    static final java.util.concurrent.atomic.AtomicInteger INJECTED = new java.util.concurrent.atomic.AtomicInteger();

    private static final ThreadLocal<Context> CONTEXT = new ThreadLocal<>();

    private final Broadcast<JobSetup> setup;
    private final Broadcast<RoundBroadcast> round;

    PartitionTrainer(Broadcast<JobSetup> setup, Broadcast<RoundBroadcast> round) {
        this.setup = setup;
        this.round = round;
    }

    private record Context(String jobId, RoundWorker worker) {
    }

    /** Partition seed: the round seed for partition 0 (so one partition equals the single-JVM trainer). */
    static long partitionSeed(long roundSeed, int partition) {
        return roundSeed ^ (partition * 0xD1B54A32D192ED03L);
    }

    Iterator<PartitionResult> train(int partition, Iterator<DataSet> data, Iterator<DataSet> validationData) {
        long t0 = System.nanoTime();
        JobSetup job = setup.value();
        RoundBroadcast rb = round.value();
        injectFault(rb.round(), partition);
        // the iterators hold one chunk of this worker's training (validation) minibatches, see ChunkedData
        int K = job.averagingFrequency();
        long from = (long) rb.roundInEpoch() * K, count = job.trainCounts()[partition];
        if (from >= count) {
            return Collections.singletonList(PartitionResult.EMPTY).iterator();
        }
        List<DataSet> batches = take(data, from % job.trainChunkSize(), (int) Math.min(K, count - from));
        long held = job.validationCounts()[partition];
        DataSet val = null;
        if (rb.validationCursor() >= 0 && held > 0 && validationData != null) {
            long q = rb.validationCursor() % held;
            List<DataSet> one = take(validationData, q % job.validationChunkSize(), 1);
            val = one.isEmpty() ? null : one.get(0);
        }
        Context ctx = context(job);
        if (rb.rule().isMada()) {
            WorkerResult r = ctx.worker().runMada(rb.params(), rb.mada(), rb.rule(), batches, partitionSeed(rb.roundSeed(), partition));
            ExecutorMetrics.recordRound(System.nanoTime() - t0);
            return Collections.singletonList(PartitionResult.mada(r.params(), r.mada(), r.hypergradients(), r.stats(), 1, r.finite(),
                    r.steps())).iterator();
        }
        if (rb.rule().isL3rs()) {
            WorkerResult r = ctx.worker().runL3rs(rb.params(), rb.l3rsState(), rb.rule(), batches, rb.timeFraction(),
                    partitionSeed(rb.roundSeed(), partition));
            ExecutorMetrics.recordRound(System.nanoTime() - t0);
            return Collections.singletonList(PartitionResult.l3rs(r.params(), r.l3rs(), r.stats(), 1, r.finite(), r.steps())).iterator();
        }
        if (rb.rule().isLstm()) {
            WorkerResult r = ctx.worker().runLstm(rb.params(), rb.lstmState(), rb.rule(), batches, partitionSeed(rb.roundSeed(), partition));
            ExecutorMetrics.recordRound(System.nanoTime() - t0);
            return Collections.singletonList(PartitionResult.lstm(r.params(), r.lstm(), r.stats(), 1, r.finite(), r.steps())).iterator();
        }
        WorkerResult r = ctx.worker().run(rb.params(), new AdamWState(rb.m(), rb.v(), rb.step()), rb.modulation(), batches,
                val, rb.timeFraction(), partitionSeed(rb.roundSeed(), partition), val != null || rb.trainingSignals() ? rb.trace() : null, rb.statistics(), rb.startGradient(),
                rb.trainingSignals());
        ExecutorMetrics.recordRound(System.nanoTime() - t0);
        return Collections.singletonList(new PartitionResult(r.params(), r.state().m(), r.state().v(), r.state().step(),
                r.stats(), 1, r.finite(), r.steps())).iterator();
    }

    /** {@code n} elements of {@code it} after skipping {@code skip}. */
    private static List<DataSet> take(Iterator<DataSet> it, long skip, int n) {
        for (long i = 0; i < skip && it.hasNext(); i++) {
            it.next();
        }
        List<DataSet> out = new ArrayList<>(n);
        while (out.size() < n && it.hasNext()) {
            out.add(it.next());
        }
        if (out.size() < n) {
            throw new IllegalStateException("a data chunk holds fewer minibatches than its layout says (" + out.size() + " of "
                    + n + " after " + skip + "): was the input RDD nondeterministic?");
        }
        return out;
    }

    private static Context context(JobSetup job) {
        Context c = CONTEXT.get();
        if (c == null || !c.jobId().equals(job.id())) {
            NetModel net = new NetModel(job.newNetwork());
            ParamGroups groups = ParamGroups.of(net.network(), org.metaadamw.grouping.GroupingStrategy.of(job.config()));
            c = new Context(job.id(), new RoundWorker(net, groups, job.config()));
            CONTEXT.set(c);
        }
        return c;
    }

    private static void injectFault(long round, int partition) {
        String spec = System.getProperty(FAIL_FIRST_ATTEMPT);
        TaskContext tc = TaskContext.get();
        if (spec != null && tc != null && tc.attemptNumber() == 0 && spec.equals(round + ":" + partition)) {
            INJECTED.incrementAndGet();
            throw new IllegalStateException("injected fault (" + FAIL_FIRST_ATTEMPT + "=" + spec + ")");
        }
    }
}
