package org.metaadamw.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.train.Holdout;
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
        List<DataSet> all = new ArrayList<>();
        data.forEachRemaining(all::add);
        List<DataSet> train = new ArrayList<>(all.size());
        List<DataSet> heldOut = new ArrayList<>();
        if (job.validationGiven()) {
            train = all;
            if (validationData != null) {
                validationData.forEachRemaining(heldOut::add);
            }
        } else {
            for (int i = 0; i < all.size(); i++) {
                (Holdout.isHeldOut(i, job.validationHoldout()) ? heldOut : train).add(all.get(i));
            }
        }
        int K = job.averagingFrequency();
        int from = rb.roundInEpoch() * K;
        if (from >= train.size()) {
            return Collections.singletonList(PartitionResult.EMPTY).iterator();
        }
        List<DataSet> batches = train.subList(from, Math.min(train.size(), from + K));
        DataSet val = rb.validationCursor() >= 0 && !heldOut.isEmpty()
                ? heldOut.get((int) (rb.validationCursor() % heldOut.size())) : null;
        Context ctx = context(job);
        WorkerResult r = ctx.worker().run(rb.params(), new AdamWState(rb.m(), rb.v(), rb.step()), rb.modulation(), batches,
                val, rb.timeFraction(), partitionSeed(rb.roundSeed(), partition), val != null ? rb.trace() : null);
        ExecutorMetrics.recordRound(System.nanoTime() - t0);
        return Collections.singletonList(new PartitionResult(r.params(), r.state().m(), r.state().v(), r.state().step(),
                r.stats(), 1, r.finite(), r.steps())).iterator();
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
