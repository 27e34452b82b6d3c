package org.metaadamw.update;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.io.Serializable;

/**
 * Explicit state of {@link Mada} over a network's flattened parameter vector, every array the
 * same length and data type as the parameters:
 * <ul>
 *   <li>{@code m}: first moment of the gradient (gradient units);</li>
 *   <li>{@code v}: second moment of the (Adan-corrected, Yogi-interpolated) gradient (squared gradient units);</li>
 *   <li>{@code n}: moving average of the gradient difference g_t − g_{t−1} (Adan's momentum term; gradient units);</li>
 *   <li>{@code vBar}: AVGrad's running mean (1/t)·Σ_τ v_τ of the second moment (squared gradient units);</li>
 *   <li>{@code gPrev}: the previous step's preprocessed gradient (zero before the first step);</li>
 *   <li>{@code lion}: Lion's momentum (gradient units);</li>
 * </ul>
 * and the number of steps taken. Parameter averaging can average every array like the parameters
 * and keep the step count.
 *
 * <p>Mutable; owned by one thread at a time (a worker during its local steps, the driver between
 * rounds). The accessors return copies: only {@link Mada} (same package) writes the arrays.
 * Serializable so it can be broadcast (the trainers send its arrays in their compact wire form instead).
 */
public final class MadaState implements Serializable {
    private static final long serialVersionUID = 1L;

    final INDArray m, v, n, vBar, gPrev, lion;
    private long step;

    public MadaState(INDArray m, INDArray v, INDArray n, INDArray vBar, INDArray gPrev, INDArray lion, long step) {
        INDArray[] all = {m, v, n, vBar, gPrev, lion};
        String[] names = {"m", "v", "n", "vBar", "gPrev", "lion"};
        for (int i = 1; i < all.length; i++) {
            if (all[i].length() != m.length()) {
                throw new IllegalArgumentException("MADA state: " + names[i] + " has " + all[i].length() + " values, m has " + m.length());
            }
            if (all[i].dataType() != m.dataType()) {
                throw new IllegalArgumentException("MADA state: " + names[i] + " is " + all[i].dataType() + ", m is " + m.dataType());
            }
        }
        if (step < 0) {
            throw new IllegalArgumentException("MADA state: step must be >= 0 (got " + step + ")");
        }
        this.m = m;
        this.v = v;
        this.n = n;
        this.vBar = vBar;
        this.gPrev = gPrev;
        this.lion = lion;
        this.step = step;
    }

    /** Zero state (step 0) for parameters shaped like {@code params}, in their data type. */
    public static MadaState zeros(INDArray params) {
        INDArray z = params.reshape(params.length()).like().assign(0);
        return new MadaState(z, z.dup(), z.dup(), z.dup(), z.dup(), z.dup(), 0);
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

    public INDArray n() {
        return n.dup();
    }

    public INDArray vBar() {
        return vBar.dup();
    }

    public INDArray gPrev() {
        return gPrev.dup();
    }

    public INDArray lion() {
        return lion.dup();
    }

    /** Steps taken so far (the bias-correction exponent t of the next step is {@code step + 1}). */
    public long step() {
        return step;
    }

    void advance() {
        step++;
    }

    /** Copies {@code other}'s arrays and step count into this state. */
    public void assign(MadaState other) {
        if (other.length() != length()) {
            throw new IllegalArgumentException("MADA state: cannot assign " + other.length() + " values to " + length());
        }
        m.assign(other.m);
        v.assign(other.v);
        n.assign(other.n);
        vBar.assign(other.vBar);
        gPrev.assign(other.gPrev);
        lion.assign(other.lion);
        step = other.step;
    }

    /**
     * A new state holding this state's arrays plus {@code other}'s, element by element, and the larger
     * step count: the sum that parameter averaging divides by the number of workers ({@link #times}).
     */
    public MadaState plus(MadaState other) {
        if (other.length() != length()) {
            throw new IllegalArgumentException("MADA state: cannot add " + other.length() + " values to " + length());
        }
        return new MadaState(m.add(other.m), v.add(other.v), n.add(other.n), vBar.add(other.vBar), gPrev.add(other.gPrev),
                lion.add(other.lion), Math.max(step, other.step));
    }

    /** A new state with every array times {@code factor} and the same step count (1/W of a sum: the average). */
    public MadaState times(double factor) {
        return new MadaState(m.mul(factor), v.mul(factor), n.mul(factor), vBar.mul(factor), gPrev.mul(factor), lion.mul(factor), step);
    }

    /** Whether no array holds NaN or ±Inf. */
    public boolean isFinite() {
        for (INDArray a : new INDArray[]{m, v, n, vBar, gPrev, lion}) {
            if (BooleanIndexing.or(a, Conditions.notFinite())) {
                return false;
            }
        }
        return true;
    }

    public MadaState copy() {
        return new MadaState(m.dup(), v.dup(), n.dup(), vBar.dup(), gPrev.dup(), lion.dup(), step);
    }
}
