package org.metaadamw.meta;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.metaadamw.stats.RoundStatistics.Signal;
import org.metaadamw.stats.RoundSummary;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gradients of the three meta-loss terms and of the HUW-weighted meta-loss, against finite differences. */
class MetaObjectiveGradientTest {

    private static RoundSummary randomSummary(SplittableRandom r, int G) {
        double[][] f = new double[G][6];
        double[][] s = new double[G][Signal.COUNT];
        for (int g = 0; g < G; g++) {
            double[] x = s[g];
            x[Signal.GV1_DELTA] = r.nextDouble(-1, 1);
            x[Signal.GV1_DELTA_WD] = r.nextDouble(-0.1, 0.1);
            x[Signal.GTK_DELTA] = r.nextDouble(-1, 1);
            x[Signal.GTK_DELTA_WD] = r.nextDouble(-0.1, 0.1);
            double a = r.nextDouble(0.5, 2), b = r.nextDouble(0.5, 2);
            x[Signal.GV0_SQ] = a * a;
            x[Signal.GV1_SQ] = b * b;
            x[Signal.GV0_GV1] = a * b * r.nextDouble(-0.9, 0.9);
        }
        // keep the gap well away from the kink of |.|
        return new RoundSummary(f, s, 1.0, 0.9, 0.3, 2);
    }

    @RepeatedTest(5)
    void termGradientsMatchFiniteDifferences(RepetitionInfo info) {
        SplittableRandom r = new SplittableRandom(info.getCurrentRepetition());
        int G = 1 + r.nextInt(6);
        RoundSummary s = randomSummary(r, G);
        double[] a0 = new double[G], b0 = new double[G], a = new double[G], b = new double[G], l1 = new double[G], l2 = new double[G];
        for (int g = 0; g < G; g++) {
            a0[g] = r.nextDouble(0.6, 1.4);
            b0[g] = r.nextDouble(0.6, 1.4);
            a[g] = a0[g] * r.nextDouble(0.9, 1.1);
            b[g] = b0[g] * r.nextDouble(0.9, 1.1);
            l1[g] = r.nextDouble(0.1, 0.9);
            l2[g] = r.nextDouble(0.1, 0.9);
        }
        boolean[] none = new boolean[G];
        for (boolean paper : new boolean[]{true, false}) {
        MetaObjective.Terms t = MetaObjective.evaluate(s, a0, b0, a, b, l1, l2, none, paper);
        double h = 1e-6;
        double[][] vars = {a, b, l1, l2};
        for (int term = 0; term < MetaObjective.TERMS; term++) {
            for (int j = 0; j < 4; j++) {
                for (int g = 0; g < G; g++) {
                    double keep = vars[j][g];
                    vars[j][g] = keep + h;
                    double up = MetaObjective.evaluate(s, a0, b0, a, b, l1, l2, none, paper).values()[term];
                    vars[j][g] = keep - h;
                    double down = MetaObjective.evaluate(s, a0, b0, a, b, l1, l2, none, paper).values()[term];
                    vars[j][g] = keep;
                    double numeric = (up - down) / (2 * h);
                    double analytic = t.grads()[term][g * 4 + j];
                    double rel = Math.abs(analytic - numeric) / Math.max(1e-6, Math.abs(analytic) + Math.abs(numeric));
                    assertTrue(rel <= 1e-5, (paper ? "paper" : "orthogonal") + " term " + term + " output " + j + " group " + g
                            + ": analytic " + analytic + " numeric " + numeric);
                }
            }
        }
        }
    }

    @Test
    void orthogonalAlignmentPushesTheStepUpWhileSuccessiveGradientsAgreeAndDownOnceTheyOppose() {
        // one group, gv1 = gv0 + y with y = −gv0/2 (still aligned) and y = −3gv0/2 (reversed)
        for (double k : new double[]{-0.5, -1.5}) {
            double[][] sig = new double[1][Signal.COUNT];
            double A = 4, P = A * (1 + k), B = A * (1 + k) * (1 + k);
            sig[0][Signal.GV0_SQ] = A;
            sig[0][Signal.GV0_GV1] = P;
            sig[0][Signal.GV1_SQ] = B;
            RoundSummary s = new RoundSummary(new double[1][6], sig, 1.0, 0.9, 0.8, 1);
            double[] one = {1}, half = {0.5};
            double d = MetaObjective.evaluate(s, one, one, one, one, half, half, new boolean[1], false).grads()[MetaObjective.ALIGNMENT][0];
            // exactly (anti)parallel gradients have dcos/ds = 0; tilt y slightly off the gv0 axis instead
            assertEquals(0.0, d, 1e-12);
        }
        double[][] sig = new double[1][Signal.COUNT];
        // gv0 = (2, 0), y = (−1, 0.5): gv1 = (1, 0.5) keeps a positive cosine: a longer step is wanted
        sig[0][Signal.GV0_SQ] = 4;
        sig[0][Signal.GV0_GV1] = 2;
        sig[0][Signal.GV1_SQ] = 1.25;
        RoundSummary up = new RoundSummary(new double[1][6], sig, 1.0, 0.9, 0.8, 1);
        double[] one = {1}, half = {0.5};
        assertTrue(MetaObjective.evaluate(up, one, one, one, one, half, half, new boolean[1], false).grads()[MetaObjective.ALIGNMENT][0] < 0);
        // y = (−3, 0.5): gv1 = (−1, 0.5) points back: a shorter step is wanted
        double[][] sig2 = new double[1][Signal.COUNT];
        sig2[0][Signal.GV0_SQ] = 4;
        sig2[0][Signal.GV0_GV1] = -2;
        sig2[0][Signal.GV1_SQ] = 1.25;
        RoundSummary down = new RoundSummary(new double[1][6], sig2, 1.0, 0.9, 0.8, 1);
        assertTrue(MetaObjective.evaluate(down, one, one, one, one, half, half, new boolean[1], false).grads()[MetaObjective.ALIGNMENT][0] > 0);
        // the paper's term pushes the step down in both cases (it is largest at a zero step)
        assertTrue(MetaObjective.evaluate(up, one, one, one, one, new double[]{0}, new double[]{1}, new boolean[1], true).grads()[MetaObjective.ALIGNMENT][0] > 0);
    }

    @Test
    void atTheUsedOutputsTheGradientsAreTheSpecificationsFormulas() {
        SplittableRandom r = new SplittableRandom(17);
        int G = 4;
        RoundSummary s = randomSummary(r, G);
        double[] a0 = {0.7, 1.0, 1.3, 1.1}, b0 = {1.2, 0.8, 1.0, 1.4}, l1 = {0.2, 0.4, 0.6, 0.8}, l2 = {0.9, 0.7, 0.5, 0.3};
        MetaObjective.Terms t = MetaObjective.evaluate(s, a0, b0, a0, b0, l1, l2, new boolean[G]);
        double gap = s.lossValEnd() - s.lossTrain();
        double align = 0;
        for (int g = 0; g < G; g++) {
            double[] x = s.signals()[g];
            double A = x[Signal.GV0_SQ], B = x[Signal.GV1_SQ], P = x[Signal.GV0_GV1];
            // section 5, loss decrease
            assertEquals(x[Signal.GV1_DELTA] / a0[g], t.grads()[MetaObjective.LOSS_DECREASE][g * 4], 1e-12);
            assertEquals(x[Signal.GV1_DELTA_WD] / b0[g], t.grads()[MetaObjective.LOSS_DECREASE][g * 4 + 1], 1e-12);
            // gradient alignment: d‖gv1‖²/ds = 2(‖gv1‖² − ⟨gv0,gv1⟩), dcos/ds as written in the spec
            double dn = 2 * (B - P);
            double dcos = ((P - A) * B - P * (B - P)) / (Math.sqrt(A) * Math.pow(B, 1.5));
            assertEquals((l1[g] * dn - l2[g] * dcos) / G / a0[g], t.grads()[MetaObjective.ALIGNMENT][g * 4], 1e-12);
            assertEquals(B / G, t.grads()[MetaObjective.ALIGNMENT][g * 4 + 2], 1e-12);
            double cos = P / Math.sqrt(A * B);
            assertEquals(-cos / G, t.grads()[MetaObjective.ALIGNMENT][g * 4 + 3], 1e-12);
            align += (l1[g] * B - l2[g] * cos) / G;
            // gap
            assertEquals(Math.signum(gap) * (x[Signal.GV1_DELTA] - x[Signal.GTK_DELTA]) / a0[g],
                    t.grads()[MetaObjective.GAP][g * 4], 1e-12);
            assertEquals(Math.signum(gap) * (x[Signal.GV1_DELTA_WD] - x[Signal.GTK_DELTA_WD]) / b0[g],
                    t.grads()[MetaObjective.GAP][g * 4 + 1], 1e-12);
        }
        assertEquals(align, t.values()[MetaObjective.ALIGNMENT], 1e-12);
        assertEquals(s.lossValEnd() - s.lossValStart(), t.values()[MetaObjective.LOSS_DECREASE], 1e-12);
        assertEquals(Math.abs(gap), t.values()[MetaObjective.GAP], 1e-12);
    }

    @Test
    void huwWeightedMetaLossGradientWithRespectToModuleOutputs() {
        SplittableRandom r = new SplittableRandom(5);
        int G = 3;
        RoundSummary s = randomSummary(r, G);
        double[] a0 = {0.9, 1.1, 1.2}, b0 = {1.0, 0.7, 1.3};
        for (int variant = 0; variant < 5; variant++) {
        // 3, 4: the asymmetric log map (α in (1/8, 100)), with ρ placing some groups on each branch
        OutputMap map = variant == 0 ? OutputMap.sigmoid(0.8, 1.2) : variant < 3 ? OutputMap.log(8, 4) : OutputMap.log(0.125, 100, 4);
        boolean paper = variant < 2 || variant == 3;
        double rho = variant == 0 ? 0.0 : variant == 4 ? -0.05 : 0.3;
        Huw huw = new Huw(new double[]{2, 5, 1}, false, 0.05);
        huw.update(new double[]{0.3, -0.2, 0.1});
        huw.update(new double[]{0.3, -0.2, 0.1});
        double[] w = huw.weights();
        double[] logits = new double[G * 4];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = r.nextDouble(-1, 1);
        }
        java.util.function.BiFunction<double[], Double, Double> metaLoss = (lg, rh) -> {
            var m = map.apply(lg, rh);
            double[] l1 = new double[G], l2 = new double[G];
            for (int g = 0; g < G; g++) {
                l1[g] = m.lambda1(g);
                l2[g] = m.lambda2(g);
            }
            return huw.metaLoss(MetaObjective.evaluate(s, a0, b0, m.alphas(), m.betas(), l1, l2, new boolean[G], paper).values());
        };
        var m = map.apply(logits, rho);
        double[] l1 = new double[G], l2 = new double[G];
        for (int g = 0; g < G; g++) {
            l1[g] = m.lambda1(g);
            l2[g] = m.lambda2(g);
        }
        MetaObjective.Terms t = MetaObjective.evaluate(s, a0, b0, m.alphas(), m.betas(), l1, l2, new boolean[G], paper);
        double[] dMod = new double[G * 4];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < dMod.length; j++) {
                dMod[j] += w[i] * t.grads()[i][j];
            }
        }
        double[] analytic = map.backward(logits, rho, dMod);
        double h = 1e-6;
        for (int i = 0; i < logits.length; i++) {
            double keep = logits[i];
            logits[i] = keep + h;
            double up = metaLoss.apply(logits, rho);
            logits[i] = keep - h;
            double down = metaLoss.apply(logits, rho);
            logits[i] = keep;
            double numeric = (up - down) / (2 * h);
            double rel = Math.abs(analytic[i] - numeric) / Math.max(1e-6, Math.abs(analytic[i]) + Math.abs(numeric));
            assertTrue(rel <= 1e-5, "variant " + variant + " logit " + i + ": analytic " + analytic[i] + " numeric " + numeric);
        }
        if (map.isLog()) {
            double numeric = (metaLoss.apply(logits, rho + h) - metaLoss.apply(logits, rho - h)) / (2 * h);
            double a = OutputMap.scaleGradient(analytic, new boolean[G]);
            assertTrue(Math.abs(a - numeric) <= 1e-5 * (Math.abs(a) + Math.abs(numeric)), "dL/dρ: analytic " + a + " numeric " + numeric);
        }
        }
    }

    @Test
    void excludedGroupsGetNoGradient() {
        SplittableRandom r = new SplittableRandom(8);
        RoundSummary s = randomSummary(r, 3);
        double[] one = {1, 1, 1}, half = {0.5, 0.5, 0.5};
        MetaObjective.Terms t = MetaObjective.evaluate(s, one, one, one, one, half, half, new boolean[]{false, true, false});
        for (int term = 0; term < 3; term++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(0.0, t.grads()[term][4 + j], 0.0);
            }
        }
    }
}
