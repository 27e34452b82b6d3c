package org.metaadamw.spark;

import org.metaadamw.update.L3rsState;
import org.metaadamw.update.LstmState;
import org.metaadamw.update.MadaState;
import org.metaadamw.update.Modulation;
import org.metaadamw.update.UpdateRule;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

/**
 * Everything a partition needs for one round besides its data: θ_r, the optimizer state (Adam's m, v,
 * or the whole MADA state), the modulation, the workers' update rule and the round's coordinates. Broadcast once per round, destroyed after the round's aggregation.
 *
 * <p>Serialized as a {@link Wire}: θ, m, v and the trace as raw float (double) bytes ({@link ArrayWire}),
 * not through ND4J's element-by-element serialization.
 *
 * @param roundInEpoch     which K-slice of each partition's training minibatches this round uses
 * @param validationCursor index of the validation minibatch to use (modulo the partition's count),
 *                         or -1 for a round without validation passes
 * @param trace            μ·e, the driver's step trace ({@code meta.traceDecay}); null when off or on a round
 *                         without validation passes
 * @param statistics       whether the controller reads the per-group statistics (else workers send the losses only)
 * @param startGradient    whether the controller reads gv0 (else the first validation pass is forward only)
 * @param trainingSignals  a meta round whose signals come from the local steps ({@code meta.signal=training}):
 *                         no validation passes, the trace is read
 * @param rule             the workers' update rule ({@link UpdateRule#adamW()}, or MADA with this round's coefficients)
 * @param mada             the MADA state when {@code rule} is MADA's ({@code m}, {@code v} are then null), else null
 * @param momentum         L3RS's SGD momentum b when {@code rule} is L3RS's ({@code m}, {@code v} are then its Adam moments), else null;
 *                         for the coordinatewise LSTM's rule, {@code m} holds its state (4H values per parameter), {@code v} and this are null
 */
record RoundBroadcast(INDArray params, INDArray m, INDArray v, long step, Modulation modulation, long round,
                      int roundInEpoch, long validationCursor, double timeFraction, long roundSeed, INDArray trace,
                      boolean statistics, boolean startGradient, boolean trainingSignals, UpdateRule rule, MadaState mada,
                      INDArray momentum)
        implements Serializable {

    /** A round of AdamW or MADA workers. */
    RoundBroadcast(INDArray params, INDArray m, INDArray v, long step, Modulation modulation, long round,
                   int roundInEpoch, long validationCursor, double timeFraction, long roundSeed, INDArray trace,
                   boolean statistics, boolean startGradient, boolean trainingSignals, UpdateRule rule, MadaState mada) {
        this(params, m, v, step, modulation, round, roundInEpoch, validationCursor, timeFraction, roundSeed, trace, statistics,
                startGradient, trainingSignals, rule, mada, null);
    }

    /**
     * A round of L3RS workers: θ_r, the L3RS state (its m, v in {@code m}, {@code v}, its SGD momentum in
     * {@code momentum}) and {@code rule}'s φ; no validation, statistics or trace.
     */
    static RoundBroadcast l3rs(INDArray params, L3rsState st, UpdateRule rule, Modulation modulation, long round, int roundInEpoch,
                               double timeFraction, long roundSeed) {
        return new RoundBroadcast(params, st.m(), st.v(), st.step(), modulation, round, roundInEpoch, -1, timeFraction, roundSeed, null,
                false, false, false, rule, null, st.b());
    }

    /** The L3RS state of this round's start (only for an L3RS rule). */
    L3rsState l3rsState() {
        return new L3rsState(m, v, momentum, step);
    }

    /** A round of LSTM workers: θ_r, the LSTM state (in {@code m}) and {@code rule}'s φ; no validation, statistics or trace. */
    static RoundBroadcast lstm(INDArray params, LstmState st, UpdateRule rule, Modulation modulation, long round, int roundInEpoch,
                               double timeFraction, long roundSeed) {
        return new RoundBroadcast(params, st.values(), null, st.step(), modulation, round, roundInEpoch, -1, timeFraction, roundSeed, null,
                false, false, false, rule, null, null);
    }

    /** The LSTM state of this round's start (only for an LSTM rule). */
    LstmState lstmState() {
        return new LstmState(m, 4 * rule.lstm().hidden(), step);
    }

    /** A round of AdamW workers. */
    RoundBroadcast(INDArray params, INDArray m, INDArray v, long step, Modulation modulation, long round,
                   int roundInEpoch, long validationCursor, double timeFraction, long roundSeed, INDArray trace,
                   boolean statistics, boolean startGradient, boolean trainingSignals) {
        this(params, m, v, step, modulation, round, roundInEpoch, validationCursor, timeFraction, roundSeed, trace, statistics,
                startGradient, trainingSignals, UpdateRule.adamW(), null);
    }

    /** A round of MADA workers: θ_r, the MADA state and {@code rule}'s coefficients; no validation, statistics or trace. */
    static RoundBroadcast mada(INDArray params, MadaState mada, UpdateRule rule, Modulation modulation, long round, int roundInEpoch,
                               double timeFraction, long roundSeed) {
        return new RoundBroadcast(params, null, null, mada.step(), modulation, round, roundInEpoch, -1, timeFraction, roundSeed, null,
                false, false, false, rule, mada, null);
    }

    /** Java serialization writes the {@link Wire} in place of the record (records ignore writeObject). */
    private Object writeReplace() {
        return new Wire(this);
    }

    /**
     * The serialized form of a {@link RoundBroadcast}: its fields in declaration order, the arrays
     * through {@link ArrayWire}. Deserializes back into the record ({@code readResolve}). One instance
     * per (de)serialization, used by one thread.
     */
    private static final class Wire implements Serializable {
        private static final long serialVersionUID = 1L;
        private transient RoundBroadcast value;

        Wire(RoundBroadcast value) {
            this.value = value;
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            RoundBroadcast b = value;
            ArrayWire.write(out, b.params);
            ArrayWire.write(out, b.m);
            ArrayWire.write(out, b.v);
            out.writeLong(b.step);
            out.writeObject(b.modulation);
            out.writeLong(b.round);
            out.writeInt(b.roundInEpoch);
            out.writeLong(b.validationCursor);
            out.writeDouble(b.timeFraction);
            out.writeLong(b.roundSeed);
            ArrayWire.write(out, b.trace);
            out.writeBoolean(b.statistics);
            out.writeBoolean(b.startGradient);
            out.writeBoolean(b.trainingSignals);
            out.writeObject(b.rule);
            out.writeBoolean(b.mada != null);
            if (b.mada != null) {
                writeMada(out, b.mada);
            }
            ArrayWire.write(out, b.momentum);
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            INDArray params = ArrayWire.read(in), m = ArrayWire.read(in), v = ArrayWire.read(in);
            long step = in.readLong();
            Modulation modulation = (Modulation) in.readObject();
            long round = in.readLong();
            int roundInEpoch = in.readInt();
            long validationCursor = in.readLong();
            double timeFraction = in.readDouble();
            long roundSeed = in.readLong();
            INDArray trace = ArrayWire.read(in);
            boolean statistics = in.readBoolean(), startGradient = in.readBoolean(), trainingSignals = in.readBoolean();
            UpdateRule rule = (UpdateRule) in.readObject();
            MadaState mada = in.readBoolean() ? readMada(in) : null;
            INDArray momentum = ArrayWire.read(in);
            value = new RoundBroadcast(params, m, v, step, modulation, round, roundInEpoch, validationCursor, timeFraction,
                    roundSeed, trace, statistics, startGradient, trainingSignals, rule, mada, momentum);
        }

        private Object readResolve() {
            return value;
        }
    }

    /** A MADA state's six arrays through {@link ArrayWire}, then its step count. */
    static void writeMada(ObjectOutputStream out, MadaState s) throws IOException {
        for (INDArray a : new INDArray[]{s.m(), s.v(), s.n(), s.vBar(), s.gPrev(), s.lion()}) {
            ArrayWire.write(out, a);
        }
        out.writeLong(s.step());
    }

    static MadaState readMada(ObjectInputStream in) throws IOException, ClassNotFoundException {
        INDArray[] a = new INDArray[6];
        for (int i = 0; i < a.length; i++) {
            a[i] = ArrayWire.read(in);
        }
        return new MadaState(a[0], a[1], a[2], a[3], a[4], a[5], in.readLong());
    }
}
