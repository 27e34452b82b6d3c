package org.metaadamw.meta;

import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.update.Modulation;

/**
 * The module's output map (docs/algorithm.md "Output map") from G×4 logits (a, b, c, d per group)
 * and the global log step scale ρ to the modulation, and its derivative.
 * <ul>
 *   <li>{@code log} (default): α_g = exp(A·tanh((ρ + a_g)/A)) with A = ln(alphaMax) for ρ + a_g ≥ 0 and
 *       A = −ln(alphaMin) below, so α stays inside (alphaMin, alphaMax); the two branches agree at 0 in
 *       value, slope and curvature. β_g = exp(B·tanh(b_g/B)), B = ln(betaMax). Near zero this is
 *       α = e^{ρ + a}: the module and ρ move α multiplicatively, equally easily up and down.</li>
 *   <li>{@code sigmoid} (the paper, section 4): α = 1 + r_α(σ(a) − ½), β = 1 + r_β(σ(b) − ½); ρ must be 0.</li>
 * </ul>
 * λ1 = σ(c) and λ2 = σ(d) in both. Zero logits (the zero-initialised head) and ρ = 0 give α = β = 1.
 *
 * <p>Immutable; thread-safe.
 */
final class OutputMap {
    private final boolean log;
    private final double alphaScale;
    /** −ln(alphaMin), the scale of the α branch below 0 (log map only). */
    private final double alphaScaleBelow;
    private final double betaScale;

    private OutputMap(boolean log, double alphaScale, double alphaScaleBelow, double betaScale) {
        this.log = log;
        this.alphaScale = alphaScale;
        this.alphaScaleBelow = alphaScaleBelow;
        this.betaScale = betaScale;
    }

    /** The paper's map with ranges r_α, r_β in (0, 2). */
    public static OutputMap sigmoid(double alphaRange, double betaRange) {
        return new OutputMap(false, alphaRange, alphaRange, betaRange);
    }

    /** The log map with α in (1/alphaMax, alphaMax) and β in (1/betaMax, betaMax); both maxima &gt; 1. */
    public static OutputMap log(double alphaMax, double betaMax) {
        return log(1 / alphaMax, alphaMax, betaMax);
    }

    /** The log map with α in (alphaMin, alphaMax) and β in (1/betaMax, betaMax); 0 &lt; alphaMin &lt; 1 &lt; alphaMax, betaMax &gt; 1. */
    public static OutputMap log(double alphaMin, double alphaMax, double betaMax) {
        if (!(alphaMax > 1) || !(betaMax > 1) || !(alphaMin > 0 && alphaMin < 1)) {
            throw new IllegalArgumentException("log output map needs 0 < alphaMin < 1 < alphaMax and betaMax > 1 (got " + alphaMin + ", "
                    + alphaMax + ", " + betaMax + ")");
        }
        return new OutputMap(true, Math.log(alphaMax), -Math.log(alphaMin), Math.log(betaMax));
    }

    public static OutputMap of(MetaAdamWConfig cfg) {
        return cfg.logMultipliers() ? log(cfg.alphaMin(), cfg.alphaMax(), cfg.betaMax()) : sigmoid(cfg.alphaRange(), cfg.betaRange());
    }

    private double alphaScale(double z) {
        return z >= 0 ? alphaScale : alphaScaleBelow;
    }

    public boolean isLog() {
        return log;
    }

    static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    /** Modulation from G×4 logits (row-major) with ρ = 0. */
    public Modulation apply(double[] logits) {
        return apply(logits, 0.0);
    }

    /** Modulation from G×4 logits (row-major) and the global log step scale ρ (0 for the sigmoid map). */
    public Modulation apply(double[] logits, double rho) {
        int G = logits.length / ModuleShape.OUTPUTS;
        double[] a = new double[G], b = new double[G], l1 = new double[G], l2 = new double[G];
        apply(logits, rho, a, b, l1, l2);
        return new Modulation(a, b, l1, l2);
    }

    /** {@link #apply(double[], double)} into the per-group arrays α, β, λ1, λ2 (G = logits.length / 4 each). */
    void apply(double[] logits, double rho, double[] a, double[] b, double[] l1, double[] l2) {
        int G = logits.length / ModuleShape.OUTPUTS;
        for (int g = 0; g < G; g++) {
            int r = g * ModuleShape.OUTPUTS;
            if (log) {
                double z = rho + logits[r], A = alphaScale(z);
                a[g] = Math.exp(A * Math.tanh(z / A));
                b[g] = Math.exp(betaScale * Math.tanh(logits[r + 1] / betaScale));
            } else {
                a[g] = 1 + alphaScale * (sigmoid(logits[r]) - 0.5);
                b[g] = 1 + betaScale * (sigmoid(logits[r + 1]) - 0.5);
            }
            l1[g] = sigmoid(logits[r + 2]);
            l2[g] = sigmoid(logits[r + 3]);
        }
    }

    /**
     * Chain rule through the map with ρ = 0: {@code dMod} holds dL/d(α, β, λ1, λ2) per group (G×4);
     * the result holds dL/d(logits).
     */
    public double[] backward(double[] logits, double[] dMod) {
        return backward(logits, 0.0, dMod);
    }

    /**
     * Chain rule through the map at ρ: returns dL/d(logits). Since α_g depends on ρ + a_g, dL/dρ is the
     * sum over groups of the α entries of the result ({@link #scaleGradient}).
     */
    public double[] backward(double[] logits, double rho, double[] dMod) {
        double[] out = new double[logits.length];
        backward(logits, rho, dMod, out);
        return out;
    }

    /** {@link #backward(double[], double, double[])} into {@code out} (as long as the logits). */
    void backward(double[] logits, double rho, double[] dMod, double[] out) {
        for (int i = 0; i < logits.length; i++) {
            int j = i % ModuleShape.OUTPUTS;
            if (log && j < 2) {
                double z = j == 0 ? rho + logits[i] : logits[i];
                double scale = j == 0 ? alphaScale(z) : betaScale;
                double t = Math.tanh(z / scale);
                double value = Math.exp(scale * t);
                out[i] = dMod[i] * value * (1 - t * t);
            } else {
                double s = sigmoid(logits[i]);
                double scale = j == 0 ? alphaScale : j == 1 ? betaScale : 1.0;
                out[i] = dMod[i] * scale * s * (1 - s);
            }
        }
    }

    /**
     * Σ_g w_g a_g over the α logits a_g (every {@value ModuleShape#OUTPUTS}th entry of {@code logits}): the centre that
     * {@code meta.centerGroups} subtracts, so that {@code apply(logits, ρ − center)} gives α_g from ρ + a_g − Σ_j w_j a_j.
     */
    static double center(double[] logits, double[] w) {
        double c = 0;
        for (int g = 0; g < w.length; g++) {
            c += w[g] * logits[g * ModuleShape.OUTPUTS];
        }
        return c;
    }

    /**
     * Turns dL/dz (from {@link #backward} at ρ − center) into dL/d(logits) through the centring: z_g = ρ + a_g − Σ_j w_j a_j,
     * so dL/da_k = dL/dz_k − w_k Σ_g dL/dz_g. In place; the other logits' entries are unchanged.
     */
    static void centerBackward(double[] dLogits, double[] w) {
        double sum = 0;
        for (int g = 0; g < w.length; g++) {
            sum += dLogits[g * ModuleShape.OUTPUTS];
        }
        for (int k = 0; k < w.length; k++) {
            dLogits[k * ModuleShape.OUTPUTS] -= w[k] * sum;
        }
    }

    /** dL/dρ from the result of {@link #backward}: the sum of its α entries over the groups not excluded. */
    public static double scaleGradient(double[] dLogits, boolean[] exclude) {
        double sum = 0;
        for (int g = 0; g < exclude.length; g++) {
            if (!exclude[g]) {
                sum += dLogits[g * ModuleShape.OUTPUTS];
            }
        }
        return sum;
    }
}
