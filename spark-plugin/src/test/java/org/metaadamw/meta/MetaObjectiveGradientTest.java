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
        MetaObjective.Terms t = MetaObjective.evaluate(s, a0, b0, a, b, l1, l2, none);
        double h = 1e-6;
        double[][] vars = {a, b, l1, l2};
        for (int term = 0; term < MetaObjective.TERMS; term++) {
            for (int j = 0; j < 4; j++) {
                for (int g = 0; g < G; g++) {
                    double keep = vars[j][g];
                    vars[j][g] = keep + h;
                    double up = MetaObjective.evaluate(s, a0, b0, a, b, l1, l2, none).values()[term];
                    vars[j][g] = keep - h;
                    double down = MetaObjective.evaluate(s, a0, b0, a, b, l1, l2, none).values()[term];
                    vars[j][g] = keep;
                    double numeric = (up - down) / (2 * h);
                    double analytic = t.grads()[term][g * 4 + j];
                    double rel = Math.abs(analytic - numeric) / Math.max(1e-6, Math.abs(analytic) + Math.abs(numeric));
                    assertTrue(rel <= 1e-5, "term " + term + " output " + j + " group " + g + ": analytic " + analytic
                            + " numeric " + numeric);
                }
            }
        }
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
        OutputMap map = new OutputMap(0.8, 1.2);
        Huw huw = new Huw(new double[]{2, 5, 1}, false, 0.05);
        huw.update(new double[]{0.3, -0.2, 0.1});
        huw.update(new double[]{0.3, -0.2, 0.1});
        double[] w = huw.weights();
        double[] logits = new double[G * 4];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = r.nextDouble(-1, 1);
        }
        java.util.function.ToDoubleFunction<double[]> metaLoss = lg -> {
            var m = map.apply(lg);
            double[] l1 = new double[G], l2 = new double[G];
            for (int g = 0; g < G; g++) {
                l1[g] = m.lambda1(g);
                l2[g] = m.lambda2(g);
            }
            return huw.metaLoss(MetaObjective.evaluate(s, a0, b0, m.alphas(), m.betas(), l1, l2, new boolean[G]).values());
        };
        var m = map.apply(logits);
        double[] l1 = new double[G], l2 = new double[G];
        for (int g = 0; g < G; g++) {
            l1[g] = m.lambda1(g);
            l2[g] = m.lambda2(g);
        }
        MetaObjective.Terms t = MetaObjective.evaluate(s, a0, b0, m.alphas(), m.betas(), l1, l2, new boolean[G]);
        double[] dMod = new double[G * 4];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < dMod.length; j++) {
                dMod[j] += w[i] * t.grads()[i][j];
            }
        }
        double[] analytic = map.backward(logits, dMod);
        double h = 1e-6;
        for (int i = 0; i < logits.length; i++) {
            double keep = logits[i];
            logits[i] = keep + h;
            double up = metaLoss.applyAsDouble(logits);
            logits[i] = keep - h;
            double down = metaLoss.applyAsDouble(logits);
            logits[i] = keep;
            double numeric = (up - down) / (2 * h);
            double rel = Math.abs(analytic[i] - numeric) / Math.max(1e-6, Math.abs(analytic[i]) + Math.abs(numeric));
            assertTrue(rel <= 1e-5, "logit " + i + ": analytic " + analytic[i] + " numeric " + numeric);
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
