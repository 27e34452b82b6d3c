package org.metaadamw.meta;

import java.io.Serializable;

/**
 * Priority-injected homoscedastic uncertainty weighting (algorithm.md section 6):
 * L_meta = Σ_i ½e^{−s_i} L_i + ½ p_i s_i with learned s_i = log σ_i² clamped to [−6, 6].
 * The module receives Σ_i ½e^{−s_i} ∂L_i ({@link #weights()}). In the default mode s_i's own
 * gradient uses |L_i| (the literal formula is unbounded below when L_i &lt; 0), giving the
 * equilibrium weight ½p_i/|L_i|; {@code paper} keeps the literal formula.
 *
 * <p>Mutable; driver-only, single-threaded.
 */
final class Huw implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final double CLAMP = 6.0;

    private final double[] priorities;
    private final boolean paper;
    private final double[] s;
    private final Adam adam;
    /** Scratch for {@link #update}'s gradient (re-created after deserialisation). */
    private transient double[] grad;

    public Huw(double[] priorities, boolean paper, double learningRate) {
        for (double p : priorities) {
            if (!(p > 0) || !Double.isFinite(p)) {
                throw new IllegalArgumentException("HUW priorities must be finite and > 0 (got " + java.util.Arrays.toString(priorities) + ")");
            }
        }
        this.priorities = priorities.clone();
        this.paper = paper;
        this.s = new double[priorities.length];
        this.adam = new Adam(priorities.length, learningRate, 0.9, 0.999, 1e-8, 0.0);
    }

    /** Current weights ½e^{−s_i} applied to each term's gradient. */
    public double[] weights() {
        double[] w = new double[s.length];
        weights(w);
        return w;
    }

    /** {@link #weights()} into {@code w}. */
    void weights(double[] w) {
        for (int i = 0; i < s.length; i++) {
            w[i] = 0.5 * Math.exp(-s[i]);
        }
    }

    public double[] logVariances() {
        return s.clone();
    }

    /** L_meta for term values {@code L} at the current s. */
    public double metaLoss(double[] L) {
        double out = 0;
        for (int i = 0; i < s.length; i++) {
            out += 0.5 * Math.exp(-s[i]) * L[i] + 0.5 * priorities[i] * s[i];
        }
        return out;
    }

    /** Gradient of L_meta with respect to s (with |L_i| in the default mode). */
    public double[] gradient(double[] L) {
        double[] g = new double[s.length];
        gradient(L, g);
        return g;
    }

    private void gradient(double[] L, double[] g) {
        for (int i = 0; i < s.length; i++) {
            double li = paper ? L[i] : Math.abs(L[i]);
            g[i] = -0.5 * Math.exp(-s[i]) * li + 0.5 * priorities[i];
        }
    }

    /** One Adam step on s for the term values {@code L}; then clamps s to [−6, 6]. Non-finite L is ignored. */
    public void update(double[] L) {
        for (double v : L) {
            if (!Double.isFinite(v)) {
                return;
            }
        }
        if (grad == null) {
            grad = new double[s.length];
        }
        gradient(L, grad);
        adam.step(s, grad);
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.max(-CLAMP, Math.min(CLAMP, s[i]));
        }
    }

    /** Makes this HUW's log-variances and optimizer state those of {@code other} (same number of terms), without allocating. */
    void copyFrom(Huw other) {
        System.arraycopy(other.s, 0, s, 0, s.length);
        adam.copyFrom(other.adam);
    }

    void restore(double[] logVariances, Adam.State state) {
        System.arraycopy(logVariances, 0, s, 0, s.length);
        adam.restore(state);
    }

    Adam adam() {
        return adam;
    }
}
