package org.metaadamw.update;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The one-step hypergradients of MADA's coefficients summed over local steps and workers: per
 * group g (rows) and coefficient k (columns, {@link MadaCoefficients.Coefficient} order), the sum of
 * {@link Mada#hypergradient} signals (units: loss per unit of coefficient), and how many signals
 * were summed. What {@link MadaCoefficients#hyperStep} takes. {@link #EMPTY} (no rows, count 0) is
 * the zero of {@link #merge} and what a worker returns that runs AdamW or took fewer than two
 * local steps.
 *
 * <p>Immutable (arrays are copied in and out), serializable, thread-safe. {@link #merge} is
 * associative and commutative up to floating-point rounding; the trainers sum in partition order.
 */
public final class HypergradientSum implements Serializable {
    private static final long serialVersionUID = 1L;

    /** No signal. */
    public static final HypergradientSum EMPTY = new HypergradientSum(new double[0][], 0);

    private final double[][] sum;
    private final long contributions;

    /**
     * @param sum           [G][{@link MadaCoefficients#COUNT}] summed signals (copied)
     * @param contributions how many signals {@code sum} adds up, &gt;= 0 (0 only with no rows)
     */
    public HypergradientSum(double[][] sum, long contributions) {
        if (contributions < 0 || (contributions == 0) != (sum.length == 0)) {
            throw new IllegalArgumentException("hypergradient sum: " + sum.length + " groups with " + contributions + " contributions");
        }
        double[][] c = new double[sum.length][];
        for (int g = 0; g < sum.length; g++) {
            if (sum[g].length != MadaCoefficients.COUNT) {
                throw new IllegalArgumentException("hypergradient sum: group " + g + " has " + sum[g].length + " values, expected "
                        + MadaCoefficients.COUNT + " (β1, β2, β3, ρ, c, γ)");
            }
            c[g] = sum[g].clone();
        }
        this.sum = c;
        this.contributions = contributions;
    }

    /** The summed signals as a new [G][6] array ([0][] when empty). */
    public double[][] sum() {
        double[][] out = new double[sum.length][];
        for (int g = 0; g < sum.length; g++) {
            out[g] = sum[g].clone();
        }
        return out;
    }

    /** How many one-step signals were summed. */
    public long contributions() {
        return contributions;
    }

    public boolean isEmpty() {
        return contributions == 0;
    }

    /** Whether every summed value is finite (an empty sum is). */
    public boolean isFinite() {
        for (double[] row : sum) {
            for (double x : row) {
                if (!Double.isFinite(x)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The element-wise sum of both, with the counts added; a new value. */
    public HypergradientSum merge(HypergradientSum o) {
        if (o.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return o;
        }
        if (o.sum.length != sum.length) {
            throw new IllegalArgumentException("cannot add hypergradients of " + sum.length + " and " + o.sum.length + " groups");
        }
        double[][] s = new double[sum.length][MadaCoefficients.COUNT];
        for (int g = 0; g < sum.length; g++) {
            for (int k = 0; k < MadaCoefficients.COUNT; k++) {
                s[g][k] = sum[g][k] + o.sum[g][k];
            }
        }
        return new HypergradientSum(s, contributions + o.contributions);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HypergradientSum h && contributions == h.contributions && Arrays.deepEquals(sum, h.sum);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.deepHashCode(sum) + Long.hashCode(contributions);
    }

    @Override
    public String toString() {
        return "HypergradientSum{" + contributions + " signals, " + Arrays.deepToString(sum) + "}";
    }
}
