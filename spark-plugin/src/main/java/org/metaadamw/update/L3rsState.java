package org.metaadamw.update;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.io.Serializable;

/**
 * Explicit state of {@link L3rs} over a network's flattened parameter vector, every array the same
 * length and data type as the parameters: Adam's first and second moments {@code m} (gradient units)
 * and {@code v} (squared gradient units), the SGD momentum buffer {@code b} (gradient units), and the
 * number of steps taken. Parameter averaging averages the three arrays like the parameters and keeps
 * the step count ({@link #plus}, {@link #times}).
 *
 * <p>Mutable; owned by one thread at a time (a worker during its local steps, the driver between
 * rounds). The accessors return copies: only {@link L3rs} (same package) writes the arrays.
 * Serializable so it can be broadcast (the trainers send its arrays in their compact wire form instead).
 */
public final class L3rsState implements Serializable {
    private static final long serialVersionUID = 1L;

    final INDArray m, v, b;
    private long step;

    public L3rsState(INDArray m, INDArray v, INDArray b, long step) {
        if (v.length() != m.length() || b.length() != m.length()) {
            throw new IllegalArgumentException("L3RS state: m has " + m.length() + " values, v " + v.length() + ", b " + b.length());
        }
        if (v.dataType() != m.dataType() || b.dataType() != m.dataType()) {
            throw new IllegalArgumentException("L3RS state: m is " + m.dataType() + ", v " + v.dataType() + ", b " + b.dataType());
        }
        if (step < 0) {
            throw new IllegalArgumentException("L3RS state: step must be >= 0 (got " + step + ")");
        }
        this.m = m;
        this.v = v;
        this.b = b;
        this.step = step;
    }

    /** Zero state (step 0) for parameters shaped like {@code params}, in their data type. */
    public static L3rsState zeros(INDArray params) {
        INDArray z = params.reshape(params.length()).like().assign(0);
        return new L3rsState(z, z.dup(), z.dup(), 0);
    }

    public long length() {
        return m.length();
    }

    public INDArray m() {
        return m.dup();
    }

    public INDArray v() {
        return v.dup();
    }

    /** The SGD momentum buffer. */
    public INDArray b() {
        return b.dup();
    }

    /** Steps taken so far (the bias-correction exponent t of the next step is {@code step + 1}). */
    public long step() {
        return step;
    }

    void advance() {
        step++;
    }

    /** Copies {@code other}'s arrays and step count into this state. */
    public void assign(L3rsState other) {
        if (other.length() != length()) {
            throw new IllegalArgumentException("L3RS state: cannot assign " + other.length() + " values to " + length());
        }
        m.assign(other.m);
        v.assign(other.v);
        b.assign(other.b);
        step = other.step;
    }

    /** A new state: this one's arrays plus {@code other}'s and the larger step count (the sum that averaging divides). */
    public L3rsState plus(L3rsState other) {
        if (other.length() != length()) {
            throw new IllegalArgumentException("L3RS state: cannot add " + other.length() + " values to " + length());
        }
        return new L3rsState(m.add(other.m), v.add(other.v), b.add(other.b), Math.max(step, other.step));
    }

    /** A new state with every array times {@code factor} and the same step count. */
    public L3rsState times(double factor) {
        return new L3rsState(m.mul(factor), v.mul(factor), b.mul(factor), step);
    }

    /** Whether no array holds NaN or ±Inf. */
    public boolean isFinite() {
        for (INDArray a : new INDArray[]{m, v, b}) {
            if (BooleanIndexing.or(a, Conditions.notFinite())) {
                return false;
            }
        }
        return true;
    }

    public L3rsState copy() {
        return new L3rsState(m.dup(), v.dup(), b.dup(), step);
    }
}
