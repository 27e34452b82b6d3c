package org.metaadamw.spark;

import org.metaadamw.stats.RoundStatistics;
import org.metaadamw.update.HypergradientSum;
import org.metaadamw.update.L3rsState;
import org.metaadamw.update.LstmState;
import org.metaadamw.update.MadaState;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

/**
 * What the tree aggregation of one round sums: parameters, Adam moments and statistics of the
 * workers that had data in this round. Immutable: {@link #merge} returns a new value and never
 * writes its arguments (Spark may reuse the zero value and task results).
 *
 * <p>Serialized (as a task result, or in the grouped aggregation's shuffle) as a {@link Wire}: θ, m
 * and v as raw float (double) bytes ({@link ArrayWire}), not through ND4J's element-by-element
 * serialization.
 *
 * @param params  Σ θ_end (null when empty)
 * @param m       Σ first moments
 * @param v       Σ second moments
 * @param step    Adam step count after the round (the maximum over workers)
 * @param stats   Σ statistics
 * @param workers number of worker results summed
 * @param finite  every summed result was free of NaN/Inf
 * @param steps   the maximum number of local steps of a worker in this round
 * @param mada    Σ MADA states when the workers run MADA ({@code m}, {@code v} are then null), else null
 * @param hypergradients Σ of the workers' MADA hypergradient sums ({@link HypergradientSum#EMPTY} for AdamW)
 * @param momentum Σ L3RS SGD momenta when the workers run L3RS ({@code m}, {@code v} are then Σ of their Adam moments), else null;
 *                 when the workers run the coordinatewise LSTM, {@code m} is Σ of their LSTM states and {@code v} and this are null
 */
record PartitionResult(INDArray params, INDArray m, INDArray v, long step, RoundStatistics stats, int workers,
                       boolean finite, int steps, MadaState mada, HypergradientSum hypergradients, INDArray momentum)
        implements Serializable {

    /** The result of AdamW or MADA workers. */
    PartitionResult(INDArray params, INDArray m, INDArray v, long step, RoundStatistics stats, int workers, boolean finite, int steps,
                    MadaState mada, HypergradientSum hypergradients) {
        this(params, m, v, step, stats, workers, finite, steps, mada, hypergradients, null);
    }

    /** The result of L3RS workers: Σ θ_end, Σ of their Adam moments in m, v and Σ SGD momenta in {@code momentum}. */
    static PartitionResult l3rs(INDArray params, L3rsState st, RoundStatistics stats, int workers, boolean finite, int steps) {
        return new PartitionResult(params, st.m(), st.v(), st.step(), stats, workers, finite, steps, null, HypergradientSum.EMPTY, st.b());
    }

    /** The result of LSTM workers: Σ θ_end and Σ LSTM states in m. */
    static PartitionResult lstm(INDArray params, LstmState st, RoundStatistics stats, int workers, boolean finite, int steps) {
        return new PartitionResult(params, st.values(), null, st.step(), stats, workers, finite, steps, null, HypergradientSum.EMPTY, null);
    }

    static final PartitionResult EMPTY = new PartitionResult(null, null, null, 0, RoundStatistics.EMPTY, 0, true, 0);

    /** The result of AdamW workers. */
    PartitionResult(INDArray params, INDArray m, INDArray v, long step, RoundStatistics stats, int workers, boolean finite, int steps) {
        this(params, m, v, step, stats, workers, finite, steps, null, HypergradientSum.EMPTY);
    }

    /** The result of MADA workers: Σ θ_end, Σ MADA states (m, v are null), Σ hypergradients. */
    static PartitionResult mada(INDArray params, MadaState mada, HypergradientSum hypergradients, RoundStatistics stats, int workers,
                                boolean finite, int steps) {
        return new PartitionResult(params, null, null, mada.step(), stats, workers, finite, steps, mada, hypergradients);
    }

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
        if ((mada == null) != (o.mada == null)) {
            throw new IllegalArgumentException("cannot add the result of AdamW workers to that of MADA workers");
        }
        if ((m == null) != (o.m == null) || (v == null) != (o.v == null) || (m != null && m.length() != o.m.length())) {
            throw new IllegalArgumentException("cannot add the optimizer states of workers running different rules ("
                    + (m == null ? 0 : m.length()) + " and " + (o.m == null ? 0 : o.m.length()) + " values)");
        }
        if ((momentum == null) != (o.momentum == null)) {
            throw new IllegalArgumentException("cannot add the result of L3RS workers to that of other workers");
        }
        return new PartitionResult(params.add(o.params), m == null ? null : m.add(o.m), v == null ? null : v.add(o.v),
                Math.max(step, o.step), stats.merge(o.stats), workers + o.workers, finite && o.finite, Math.max(steps, o.steps),
                mada == null ? null : mada.plus(o.mada), hypergradients.merge(o.hypergradients),
                momentum == null ? null : momentum.add(o.momentum));
    }

    /** Java serialization writes the {@link Wire} in place of the record (records ignore writeObject). */
    private Object writeReplace() {
        return new Wire(this);
    }

    /**
     * The serialized form of a {@link PartitionResult}: its fields in declaration order, the arrays
     * through {@link ArrayWire}. Deserializes back into the record ({@code readResolve}). One instance
     * per (de)serialization, used by one thread.
     */
    private static final class Wire implements Serializable {
        private static final long serialVersionUID = 1L;
        private transient PartitionResult value;

        Wire(PartitionResult value) {
            this.value = value;
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            PartitionResult r = value;
            ArrayWire.write(out, r.params);
            ArrayWire.write(out, r.m);
            ArrayWire.write(out, r.v);
            out.writeLong(r.step);
            out.writeObject(r.stats);
            out.writeInt(r.workers);
            out.writeBoolean(r.finite);
            out.writeInt(r.steps);
            out.writeBoolean(r.mada != null);
            if (r.mada != null) {
                RoundBroadcast.writeMada(out, r.mada);
            }
            out.writeObject(r.hypergradients);
            ArrayWire.write(out, r.momentum);
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            INDArray params = ArrayWire.read(in), m = ArrayWire.read(in), v = ArrayWire.read(in);
            long step = in.readLong();
            RoundStatistics stats = (RoundStatistics) in.readObject();
            int workers = in.readInt();
            boolean finite = in.readBoolean();
            int steps = in.readInt();
            MadaState mada = in.readBoolean() ? RoundBroadcast.readMada(in) : null;
            HypergradientSum hypergradients = (HypergradientSum) in.readObject();
            INDArray momentum = ArrayWire.read(in);
            value = new PartitionResult(params, m, v, step, stats, workers, finite, steps, mada, hypergradients, momentum);
        }

        private Object readResolve() {
            return value;
        }
    }

    /** Bytes of the statistics part of the results summed here (what the meta-learning adds to the traffic). */
    long statisticsBytes() {
        return stats.payloadBytes() * workers;
    }
}
