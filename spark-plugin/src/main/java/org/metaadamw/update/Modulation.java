package org.metaadamw.update;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The per-group modulation m_r = (α, β, λ1, λ2) of one round (algorithm.md sections 4-5).
 * α_g multiplies the learning rate and β_g the weight decay of group g; λ1, λ2 weigh the
 * gradient-alignment term of the meta-objective and do not touch the update.
 *
 * <p>Immutable (arrays are copied in and out) and serializable: it is broadcast to every worker.
 */
public final class Modulation implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double[] alpha, beta, lambda1, lambda2;

    public Modulation(double[] alpha, double[] beta, double[] lambda1, double[] lambda2) {
        int g = alpha.length;
        if (beta.length != g || lambda1.length != g || lambda2.length != g) {
            throw new IllegalArgumentException("modulation arrays differ in length: " + alpha.length + ", "
                    + beta.length + ", " + lambda1.length + ", " + lambda2.length);
        }
        for (int i = 0; i < g; i++) {
            if (!(alpha[i] > 0) || !Double.isFinite(alpha[i]) || !(beta[i] >= 0) || !Double.isFinite(beta[i])) {
                throw new IllegalArgumentException("modulation of group " + i + " must have finite α > 0 and β >= 0 (got α="
                        + alpha[i] + ", β=" + beta[i] + ")");
            }
        }
        this.alpha = alpha.clone();
        this.beta = beta.clone();
        this.lambda1 = lambda1.clone();
        this.lambda2 = lambda2.clone();
    }

    /** α = β = 1 (plain AdamW), λ1 = λ2 = ½ (σ(0), what a zero head produces). */
    public static Modulation neutral(int groups) {
        double[] one = new double[groups], half = new double[groups];
        Arrays.fill(one, 1.0);
        Arrays.fill(half, 0.5);
        return new Modulation(one, one, half, half);
    }

    public int groups() {
        return alpha.length;
    }

    public double alpha(int g) {
        return alpha[g];
    }

    public double beta(int g) {
        return beta[g];
    }

    public double lambda1(int g) {
        return lambda1[g];
    }

    public double lambda2(int g) {
        return lambda2[g];
    }

    public double[] alphas() {
        return alpha.clone();
    }

    public double[] betas() {
        return beta.clone();
    }

    public double[] lambda1s() {
        return lambda1.clone();
    }

    public double[] lambda2s() {
        return lambda2.clone();
    }

    /** True when every α and β is exactly 1. */
    public boolean isNeutral() {
        for (int i = 0; i < alpha.length; i++) {
            if (alpha[i] != 1.0 || beta[i] != 1.0) {
                return false;
            }
        }
        return true;
    }

    /** A copy in which the listed groups get α = β = 1. */
    public Modulation neutralizing(boolean[] groups) {
        double[] a = alpha.clone(), b = beta.clone();
        for (int i = 0; i < groups.length; i++) {
            if (groups[i]) {
                a[i] = 1.0;
                b[i] = 1.0;
            }
        }
        return new Modulation(a, b, lambda1, lambda2);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Modulation m && Arrays.equals(alpha, m.alpha) && Arrays.equals(beta, m.beta)
                && Arrays.equals(lambda1, m.lambda1) && Arrays.equals(lambda2, m.lambda2);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(alpha) * 31 + Arrays.hashCode(beta);
    }

    @Override
    public String toString() {
        return "Modulation{α=" + Arrays.toString(alpha) + ", β=" + Arrays.toString(beta) + "}";
    }
}
