package org.metaadamw.update;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.io.Serializable;

/**
 * Explicit state of {@link Lstm} over a network's n flattened parameters: per coordinate the hidden and
 * cell states of both LSTM layers, 4H values (80 for H = 20), in one flat array of n·4H values of the
 * parameters' data type laid out as four n × H row-major blocks h1, c1, h2, c2 (value j of coordinate i of
 * block k at k·n·H + i·H + j: each block's rows for a range of coordinates are contiguous, which the batched
 * products need); and the number of steps taken. Parameter averaging averages the array like the parameters and keeps the
 * step count ({@link #plus}, {@link #times}). Memory: 4H times the parameters (80× for H = 20).
 *
 * <p>Mutable; owned by one thread at a time (a worker during its local steps, the driver between
 * rounds). {@link #values()} returns a copy: only {@link Lstm} (same package) writes the array.
 */
public final class LstmState implements Serializable {
    private static final long serialVersionUID = 1L;

    final INDArray s;
    private final int width;
    private long step;

    /**
     * @param values n·width values (flat)
     * @param width  4H, the state values per coordinate, &gt;= 4
     * @param step   steps taken, &gt;= 0
     */
    public LstmState(INDArray values, int width, long step) {
        if (width < 4 || width % 4 != 0 || values.length() % width != 0) {
            throw new IllegalArgumentException("LSTM state: " + values.length() + " values are not a whole number of rows of " + width
                    + " (4 × hidden units)");
        }
        if (step < 0) {
            throw new IllegalArgumentException("LSTM state: step must be >= 0 (got " + step + ")");
        }
        this.s = values.reshape(values.length());
        this.width = width;
        this.step = step;
    }

    /** Zero state (step 0) for parameters shaped like {@code params}, for H hidden units per layer. */
    public static LstmState zeros(INDArray params, int hidden) {
        return new LstmState(org.nd4j.linalg.factory.Nd4j.zeros(params.dataType(), params.length() * 4L * hidden), 4 * hidden, 0);
    }

    /** n, the coordinates this state is for. */
    public long coordinates() {
        return s.length() / width;
    }

    /** 4H, the values per coordinate. */
    public int width() {
        return width;
    }

    /** A copy of the flat n·4H values. */
    public INDArray values() {
        return s.dup();
    }

    public long step() {
        return step;
    }

    void advance() {
        step++;
    }

    public void assign(LstmState other) {
        check(other, "assign");
        s.assign(other.s);
        step = other.step;
    }

    /** This state's values plus {@code other}'s and the larger step count (the sum that averaging divides). */
    public LstmState plus(LstmState other) {
        check(other, "add");
        return new LstmState(s.add(other.s), width, Math.max(step, other.step));
    }

    public LstmState times(double factor) {
        return new LstmState(s.mul(factor), width, step);
    }

    public boolean isFinite() {
        return !BooleanIndexing.or(s, Conditions.notFinite());
    }

    public LstmState copy() {
        return new LstmState(s.dup(), width, step);
    }

    private void check(LstmState other, String what) {
        if (other.s.length() != s.length() || other.width != width) {
            throw new IllegalArgumentException("LSTM state: cannot " + what + " " + other.s.length() + " values (width " + other.width
                    + ") to " + s.length() + " (width " + width + ")");
        }
    }
}
