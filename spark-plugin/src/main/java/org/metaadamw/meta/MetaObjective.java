package org.metaadamw.meta;

import org.metaadamw.stats.RoundStatistics.Signal;
import org.metaadamw.stats.RoundSummary;

/**
 * The three first-order meta-loss terms of algorithm.md section 5 step 4 and their gradients with
 * respect to the modulation outputs (α, β, λ1, λ2).
 *
 * <p>Each term is written as a function of the outputs through the first-order model of the round
 * that was just run with (α⁰, β⁰): the step of group g scales with s_g = α_g/α⁰_g and its
 * weight-decay part with β_g/β⁰_g, and the validation gradient moves along y = gv1 − gv0. At the
 * used outputs the gradients are exactly the formulas of the specification; elsewhere they are
 * the exact gradients of the model, which is what the finite-difference tests check.
 *
 * <p>Stateless; thread-safe.
 */
final class MetaObjective {
    /** Term indices (also the order of HUW priorities). */
    public static final int ALIGNMENT = 0, LOSS_DECREASE = 1, GAP = 2, TERMS = 3;

    private MetaObjective() {
    }

    /**
     * @param values term values L_i
     * @param grads  per term, G×4 row-major gradient with respect to (α, β, λ1, λ2) of each group
     */
    public record Terms(double[] values, double[][] grads) {
    }

    /** {@link #evaluate(RoundSummary, double[], double[], double[], double[], double[], double[], boolean[], boolean)} with the paper's alignment term. */
    public static Terms evaluate(RoundSummary s, double[] alpha0, double[] beta0,
                                 double[] alpha, double[] beta, double[] l1, double[] l2, boolean[] exclude) {
        return evaluate(s, alpha0, beta0, alpha, beta, l1, l2, exclude, true);
    }

    /**
     * Evaluates the terms at outputs (alpha, beta, l1, l2) for a round run with (alpha0, beta0).
     *
     * @param exclude        groups left out (non-finite statistics): zero gradient, no contribution
     * @param paperAlignment true: the paper's L_grad = (1/G)Σ λ1‖gv1‖² − λ2 cos(gv0, gv1), largest at a zero
     *                       step; false: L_grad = (1/G)Σ ½cos²(gv0, gv1), zero when successive validation
     *                       gradients are orthogonal (λ1, λ2 then get no gradient)
     */
    public static Terms evaluate(RoundSummary s, double[] alpha0, double[] beta0,
                                 double[] alpha, double[] beta, double[] l1, double[] l2, boolean[] exclude,
                                 boolean paperAlignment) {
        double[][] grads = new double[TERMS][s.groups() * ModuleShape.OUTPUTS];
        double[] values = new double[TERMS];
        evaluate(s, alpha0, beta0, alpha, beta, l1, l2, exclude, paperAlignment, values, grads);
        return new Terms(values, grads);
    }

    /**
     * {@link #evaluate(RoundSummary, double[], double[], double[], double[], double[], double[], boolean[], boolean)}
     * into {@code values} ({@link #TERMS}) and {@code grads} ({@link #TERMS} rows of G×4, overwritten), for the
     * driver's meta-step, which reuses them.
     */
    static void evaluate(RoundSummary s, double[] alpha0, double[] beta0,
                         double[] alpha, double[] beta, double[] l1, double[] l2, boolean[] exclude,
                         boolean paperAlignment, double[] values, double[][] grads) {
        int G = s.groups(), O = ModuleShape.OUTPUTS;
        double[][] sig = s.signals();
        for (double[] row : grads) {
            java.util.Arrays.fill(row, 0, G * O, 0.0);
        }
        int valid = 0;
        for (boolean e : exclude) {
            valid += e ? 0 : 1;
        }
        double invG = valid == 0 ? 0 : 1.0 / valid;
        double loss = s.lossValEnd() - s.lossValStart();
        double gapLin = s.lossValEnd() - s.lossTrain();
        double align = 0;
        for (int g = 0; g < G; g++) {
            if (exclude[g]) {
                continue;
            }
            double sa = alpha[g] / alpha0[g] - 1, sb = beta[g] / beta0[g] - 1;
            double[] x = sig[g];
            // loss decrease: L_val(θ_end(α, β)) to first order
            // ⟨gv1, Δ⟩, or its averaged-step estimate when the driver measured ‖Δ̄‖² (meta.stepEstimate=averaged),
            // plus ⟨gv1, μe⟩ for the trace of earlier steps (meta.traceDecay)
            double slope = s.lossSlope(g);
            loss += sa * slope + sb * x[Signal.GV1_DELTA_WD];
            grads[LOSS_DECREASE][g * O] = slope / alpha0[g];
            grads[LOSS_DECREASE][g * O + 1] = x[Signal.GV1_DELTA_WD] / beta0[g];
            // generalization gap: L_val(θ_end) − L_tr along the same step
            gapLin += sa * (x[Signal.GV1_DELTA] - x[Signal.GTK_DELTA]) + sb * (x[Signal.GV1_DELTA_WD] - x[Signal.GTK_DELTA_WD]);
            // gradient alignment with gv1(s) = gv0 + s·y
            double A = x[Signal.GV0_SQ], B = x[Signal.GV1_SQ], P = x[Signal.GV0_GV1];
            double st = alpha[g] / alpha0[g];
            double n1 = A + 2 * st * (P - A) + st * st * (B - 2 * P + A);
            double dn1 = 2 * (P - A) + 2 * st * (B - 2 * P + A);
            double cos = 0, dcos = 0;
            if (A > 1e-30 && n1 > 1e-30) {
                double ra = Math.sqrt(A), rn = Math.sqrt(n1);
                double num = A + st * (P - A);
                cos = num / (ra * rn);
                dcos = (P - A) / (ra * rn) - num * dn1 / (2 * ra * n1 * rn);
            }
            if (paperAlignment) {
                align += invG * (l1[g] * n1 - l2[g] * cos);
                grads[ALIGNMENT][g * O] = invG * (l1[g] * dn1 - l2[g] * dcos) / alpha0[g];
                grads[ALIGNMENT][g * O + 2] = invG * n1;
                grads[ALIGNMENT][g * O + 3] = -invG * cos;
            } else {
                align += invG * 0.5 * cos * cos;
                grads[ALIGNMENT][g * O] = invG * cos * dcos / alpha0[g];
            }
        }
        double sign = Math.signum(gapLin);
        for (int g = 0; g < G; g++) {
            if (exclude[g]) {
                continue;
            }
            double[] x = sig[g];
            grads[GAP][g * O] = sign * (x[Signal.GV1_DELTA] - x[Signal.GTK_DELTA]) / alpha0[g];
            grads[GAP][g * O + 1] = sign * (x[Signal.GV1_DELTA_WD] - x[Signal.GTK_DELTA_WD]) / beta0[g];
        }
        values[ALIGNMENT] = align;
        values[LOSS_DECREASE] = loss;
        values[GAP] = Math.abs(gapLin);
    }
}
