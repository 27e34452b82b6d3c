package org.metaadamw.meta;

import org.metaadamw.update.Modulation;

/**
 * The module's output map (algorithm.md section 4):
 * α = 1 + r_α(σ(a) − ½), β = 1 + r_β(σ(b) − ½), λ1 = σ(c), λ2 = σ(d), and its derivative.
 */
public final class OutputMap {
    private final double alphaRange;
    private final double betaRange;

    public OutputMap(double alphaRange, double betaRange) {
        this.alphaRange = alphaRange;
        this.betaRange = betaRange;
    }

    static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    /** Modulation from G×4 logits (row-major). */
    public Modulation apply(double[] logits) {
        int G = logits.length / ModuleShape.OUTPUTS;
        double[] a = new double[G], b = new double[G], l1 = new double[G], l2 = new double[G];
        for (int g = 0; g < G; g++) {
            int r = g * ModuleShape.OUTPUTS;
            a[g] = 1 + alphaRange * (sigmoid(logits[r]) - 0.5);
            b[g] = 1 + betaRange * (sigmoid(logits[r + 1]) - 0.5);
            l1[g] = sigmoid(logits[r + 2]);
            l2[g] = sigmoid(logits[r + 3]);
        }
        return new Modulation(a, b, l1, l2);
    }

    /**
     * Chain rule through the map: {@code dMod} holds dL/d(α, β, λ1, λ2) per group (G×4); the result
     * holds dL/d(logits).
     */
    public double[] backward(double[] logits, double[] dMod) {
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            double s = sigmoid(logits[i]);
            double ds = s * (1 - s);
            int j = i % ModuleShape.OUTPUTS;
            double scale = j == 0 ? alphaRange : j == 1 ? betaRange : 1.0;
            out[i] = dMod[i] * scale * ds;
        }
        return out;
    }
}
