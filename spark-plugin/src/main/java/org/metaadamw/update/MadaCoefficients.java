package org.metaadamw.update;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;

/**
 * The coefficients (β1, β2, β3, ρ, c, γ) of MADA's parameterised optimizer ({@link Mada}), either
 * one global set that every parameter group uses ({@link #sets()} = 1) or one set per group, and
 * the driver's projected hypergradient step on them ({@link #hyperStep}).
 *
 * <p>Allowed ranges (those of the MADA paper and its official code, where β2 ≥ 0.501 keeps the
 * second moment an average): β1 ∈ [0.01, 0.99], β2 ∈ [0.501, 0.99], β3 ∈ [0, 0.99],
 * ρ, c, γ ∈ [0, 1]. Every value is checked when a set is built; a value outside its range (or not
 * finite) is refused with an {@link IllegalArgumentException} that names the coefficient and its
 * range. All coefficients are dimensionless.
 *
 * <p>Corners (see {@link Mada}): {@link #adam} (β3 = 0, ρ = 1, c = 1, γ = 1), {@link #avgrad}
 * (ρ = 0), {@link #yogi} (c = 0), {@link #adan} (β3 &gt; 0), {@link #lion} (γ = 0).
 *
 * <p>Immutable (arrays are copied in and out), serializable, thread-safe: the driver broadcasts it.
 */
public final class MadaCoefficients implements Serializable {
    private static final long serialVersionUID = 1L;

    /** One of MADA's six coefficients, with its allowed closed range. */
    public enum Coefficient {
        BETA1("β1", 0.01, 0.99),
        BETA2("β2", 0.501, 0.99),
        BETA3("β3", 0.0, 0.99),
        RHO("ρ", 0.0, 1.0),
        C("c", 0.0, 1.0),
        GAMMA("γ", 0.0, 1.0);

        private final String label;
        private final double min, max;

        Coefficient(String label, double min, double max) {
            this.label = label;
            this.min = min;
            this.max = max;
        }

        /** The coefficient's symbol as the paper writes it (β1, β2, β3, ρ, c, γ). */
        public String label() {
            return label;
        }

        public double min() {
            return min;
        }

        public double max() {
            return max;
        }

        /** The range as written in messages, for example {@code [0.501, 0.99]}. */
        public String range() {
            return "[" + fmt(min) + ", " + fmt(max) + "]";
        }

        /** x clamped into the range (the projection of the hypergradient step). */
        public double project(double x) {
            return Math.max(min, Math.min(max, x));
        }

        private static String fmt(double x) {
            return x == Math.rint(x) ? String.format(Locale.ROOT, "%.0f", x) : Double.toString(x);
        }
    }

    /** Number of coefficients per set (6); the column order of every per-set array is {@link Coefficient#ordinal()}. */
    public static final int COUNT = Coefficient.values().length;

    /** The hypergradient is clipped to ±CLIP before a step (the official code clips each coefficient's gradient at 10). */
    public static final double CLIP = 10.0;

    private final double[][] values;

    private MadaCoefficients(double[][] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("MADA coefficients: at least one set is needed (got 0)");
        }
        double[][] v = new double[values.length][];
        for (int s = 0; s < values.length; s++) {
            if (values[s].length != COUNT) {
                throw new IllegalArgumentException("MADA coefficients: set " + s + " has " + values[s].length
                        + " values, expected " + COUNT + " (β1, β2, β3, ρ, c, γ)");
            }
            v[s] = values[s].clone();
            for (Coefficient k : Coefficient.values()) {
                check(k, v[s][k.ordinal()], values.length == 1 ? -1 : s);
            }
        }
        this.values = v;
    }

    private static void check(Coefficient k, double x, int set) {
        if (!(x >= k.min() && x <= k.max())) {
            throw new IllegalArgumentException("MADA coefficient " + k.label() + (set < 0 ? "" : " of group " + set)
                    + " must be in " + k.range() + " (got " + x + ")");
        }
    }

    /** One global set, used by every group. */
    public static MadaCoefficients global(double beta1, double beta2, double beta3, double rho, double c, double gamma) {
        return new MadaCoefficients(new double[][]{{beta1, beta2, beta3, rho, c, gamma}});
    }

    /** One set per group: {@code perGroup[g]} = (β1, β2, β3, ρ, c, γ) of group g. */
    public static MadaCoefficients of(double[][] perGroup) {
        return new MadaCoefficients(perGroup);
    }

    /** One set per group, given coefficient by coefficient (all arrays of the same length G). */
    public static MadaCoefficients perGroup(double[] beta1, double[] beta2, double[] beta3, double[] rho, double[] c, double[] gamma) {
        double[][] cols = {beta1, beta2, beta3, rho, c, gamma};
        for (Coefficient k : Coefficient.values()) {
            if (cols[k.ordinal()].length != beta1.length) {
                throw new IllegalArgumentException("MADA coefficient " + k.label() + " has " + cols[k.ordinal()].length
                        + " values, " + Coefficient.BETA1.label() + " has " + beta1.length + " (one per group)");
            }
        }
        double[][] sets = new double[beta1.length][COUNT];
        for (int g = 0; g < beta1.length; g++) {
            for (int k = 0; k < COUNT; k++) {
                sets[g][k] = cols[k][g];
            }
        }
        return new MadaCoefficients(sets);
    }

    /** Adam: β3 = 0, ρ = 1, c = 1, γ = 1. */
    public static MadaCoefficients adam(double beta1, double beta2) {
        return global(beta1, beta2, 0, 1, 1, 1);
    }

    /** AVGrad (AMSGrad with the running maximum of v replaced by its running mean): ρ = 0, otherwise Adam. */
    public static MadaCoefficients avgrad(double beta1, double beta2) {
        return global(beta1, beta2, 0, 0, 1, 1);
    }

    /** Yogi (sign-controlled additive second moment): c = 0, otherwise Adam. */
    public static MadaCoefficients yogi(double beta1, double beta2) {
        return global(beta1, beta2, 0, 1, 0, 1);
    }

    /** Adan-like Nesterov momentum through the gradient difference with weight β3 &gt; 0, otherwise Adam. */
    public static MadaCoefficients adan(double beta1, double beta2, double beta3) {
        return global(beta1, beta2, beta3, 1, 1, 1);
    }

    /** Lion (sign of an interpolated momentum, with {@link Mada}'s fixed Lion betas): γ = 0; β1, β2 do not act. */
    public static MadaCoefficients lion() {
        return global(0.9, 0.99, 0, 1, 1, 0);
    }

    /** 1 for one global set, else the number of groups G. */
    public int sets() {
        return values.length;
    }

    public boolean isGlobal() {
        return values.length == 1;
    }

    /** The value of {@code k} in set {@code set} (0 for a global set). */
    public double get(int set, Coefficient k) {
        return values[set][k.ordinal()];
    }

    /** The value of {@code k} for group {@code group} (the global value when {@link #isGlobal()}). */
    public double ofGroup(int group, Coefficient k) {
        return values[isGlobal() ? 0 : group][k.ordinal()];
    }

    /** {@code k}'s value per group, for {@code groups} groups (the global value repeated when global); a new array. */
    public double[] perGroup(Coefficient k, int groups) {
        double[] out = new double[groups];
        for (int g = 0; g < groups; g++) {
            out[g] = ofGroup(g, k);
        }
        return out;
    }

    /** The sets as a new [sets][6] array. */
    public double[][] toArray() {
        double[][] out = new double[values.length][];
        for (int s = 0; s < values.length; s++) {
            out[s] = values[s].clone();
        }
        return out;
    }

    /** A copy with {@code k} of set {@code set} replaced by {@code value} (checked like every value). */
    public MadaCoefficients with(int set, Coefficient k, double value) {
        double[][] v = toArray();
        v[set][k.ordinal()] = value;
        return new MadaCoefficients(v);
    }

    /** These coefficients as one set per group (a global set repeated {@code groups} times). */
    public MadaCoefficients perGroupCopy(int groups) {
        if (!isGlobal()) {
            if (groups != values.length) {
                throw new IllegalArgumentException("MADA coefficients for " + values.length + " groups, asked for " + groups);
            }
            return this;
        }
        double[][] v = new double[groups][];
        for (int g = 0; g < groups; g++) {
            v[g] = values[0].clone();
        }
        return new MadaCoefficients(v);
    }

    /**
     * The official code's hypergradient learning rates (β1, β2: 5e-4; β3, ρ, c, γ: 0.1), in
     * {@link Coefficient} order; a new array.
     */
    public static double[] defaultMetaLearningRates() {
        return new double[]{5e-4, 5e-4, 0.1, 0.1, 0.1, 0.1};
    }

    /**
     * The driver's projected hypergradient step, pure and deterministic:
     * <pre>
     *   h = hypergradientSum / contributions          (the mean over the workers' one-step signals)
     *   h = Σ_g h[g]                                   (global coefficients only: one coefficient, all groups)
     *   k ← Π_range( k − metaLr_k · clip(h, −10, 10) )
     * </pre>
     *
     * @param hypergradientSum per group g (rows, G of them) and coefficient (columns, {@link Coefficient}
     *                         order), the sum of the workers' {@link Mada#hypergradient} signals; for
     *                         per-group coefficients G must equal {@link #sets()}
     * @param contributions    how many signals were summed (&gt;= 1), so that the step uses their mean
     * @param metaLr           per coefficient, the hypergradient learning rate (&gt;= 0, finite; units:
     *                         coefficient per unit of hypergradient, i.e. per unit of loss)
     * @return the new coefficients (this object is not changed)
     * @throws IllegalArgumentException on wrong shapes, a non-finite hypergradient, a bad learning rate or count
     */
    public MadaCoefficients hyperStep(double[][] hypergradientSum, long contributions, double[] metaLr) {
        if (contributions < 1) {
            throw new IllegalArgumentException("hypergradient step: contributions must be >= 1 (got " + contributions + ")");
        }
        if (metaLr.length != COUNT) {
            throw new IllegalArgumentException("hypergradient step: " + metaLr.length + " learning rates, expected " + COUNT
                    + " (β1, β2, β3, ρ, c, γ)");
        }
        for (Coefficient k : Coefficient.values()) {
            double lr = metaLr[k.ordinal()];
            if (!(lr >= 0) || !Double.isFinite(lr)) {
                throw new IllegalArgumentException("hypergradient learning rate of " + k.label() + " must be finite and >= 0 (got "
                        + lr + ")");
            }
        }
        int groups = hypergradientSum.length;
        if (groups == 0 || (!isGlobal() && groups != values.length)) {
            throw new IllegalArgumentException("hypergradient step: " + groups + " groups of hypergradients for coefficients of "
                    + values.length + (isGlobal() ? " global set" : " groups"));
        }
        double[][] h = new double[values.length][COUNT];
        for (int g = 0; g < groups; g++) {
            if (hypergradientSum[g].length != COUNT) {
                throw new IllegalArgumentException("hypergradient step: group " + g + " has " + hypergradientSum[g].length
                        + " hypergradients, expected " + COUNT + " (β1, β2, β3, ρ, c, γ)");
            }
            for (Coefficient k : Coefficient.values()) {
                double x = hypergradientSum[g][k.ordinal()];
                if (!Double.isFinite(x)) {
                    throw new IllegalArgumentException("hypergradient of " + k.label() + " of group " + g + " is not finite (" + x + ")");
                }
                h[isGlobal() ? 0 : g][k.ordinal()] += x / contributions;
            }
        }
        double[][] next = toArray();
        for (int s = 0; s < next.length; s++) {
            for (Coefficient k : Coefficient.values()) {
                double clipped = Math.max(-CLIP, Math.min(CLIP, h[s][k.ordinal()]));
                next[s][k.ordinal()] = k.project(next[s][k.ordinal()] - metaLr[k.ordinal()] * clipped);
            }
        }
        return new MadaCoefficients(next);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MadaCoefficients m && Arrays.deepEquals(values, m.values);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("MadaCoefficients{");
        for (int s = 0; s < values.length; s++) {
            sb.append(s == 0 ? "" : "; ").append(isGlobal() ? "global" : "group " + s).append(':');
            for (Coefficient k : Coefficient.values()) {
                sb.append(' ').append(k.label()).append('=').append(values[s][k.ordinal()]);
            }
        }
        return sb.append('}').toString();
    }
}
