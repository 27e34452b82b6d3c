package org.metaadamw.update;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;

/**
 * Explicit AdamW state over a network's flattened parameter vector: first moment m, second
 * moment v (both the same length and data type as the parameters) and the number of steps
 * taken. Parameter averaging averages m and v like the parameters and keeps the step count.
 *
 * <p>Mutable; owned by one thread at a time (a worker during its local steps, the driver
 * between rounds). Serializable so it can be broadcast.
 */
public final class AdamWState implements Serializable {
    private static final long serialVersionUID = 1L;

    private final INDArray m;
    private final INDArray v;
    private long step;

    public AdamWState(INDArray m, INDArray v, long step) {
        if (m.length() != v.length()) {
            throw new IllegalArgumentException("Adam state: m has " + m.length() + " values, v has " + v.length());
        }
        if (step < 0) {
            throw new IllegalArgumentException("Adam state: step must be >= 0 (got " + step + ")");
        }
        this.m = m;
        this.v = v;
        this.step = step;
    }

    /** Zero moments for parameters shaped like {@code params}. */
    public static AdamWState zeros(INDArray params) {
        return new AdamWState(params.reshape(params.length()).like().assign(0),
                params.reshape(params.length()).like().assign(0), 0);
    }

    public INDArray m() {
        return m;
    }

    public INDArray v() {
        return v;
    }

    /** Steps taken so far (the bias-correction exponent t of the next step is {@code step + 1}). */
    public long step() {
        return step;
    }

    void advance() {
        step++;
    }

    /** Copies {@code other}'s moments and step count into this state. */
    public void assign(AdamWState other) {
        m.assign(other.m);
        v.assign(other.v);
        step = other.step;
    }

    public AdamWState copy() {
        return new AdamWState(m.dup(), v.dup(), step);
    }
}
