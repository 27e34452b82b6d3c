package org.metaadamw.meta;

import org.junit.jupiter.api.Test;
import org.metaadamw.update.Modulation;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The log output map with a floor and a ceiling of its own: range, smoothness at 0, the symmetric case unchanged. */
class OutputMapTest {
    private static double alpha(OutputMap m, double z) {
        return m.apply(new double[]{z, 0, 0, 0}, 0.0).alpha(0);
    }

    private static double slope(OutputMap m, double z) {
        return m.backward(new double[]{z, 0, 0, 0}, 0.0, new double[]{1, 0, 0, 0})[0];
    }

    @Test
    void anAsymmetricRangeIsReachedAtBothEndsAndSmoothAtZero() {
        OutputMap m = OutputMap.log(0.125, 100, 4);
        assertEquals(100, alpha(m, 60), 1e-6);
        assertEquals(0.125, alpha(m, -60), 1e-9);
        assertTrue(alpha(m, 3) > 10 && alpha(m, -3) > 0.125 && alpha(m, -3) < 0.16, alpha(m, 3) + " " + alpha(m, -3));
        assertEquals(1.0, alpha(m, 0), 0.0);
        // value and slope agree across 0 (both branches are e^z + O(z³) there)
        double h = 1e-7;
        assertEquals(alpha(m, h) - alpha(m, 0), alpha(m, 0) - alpha(m, -h), 1e-13);
        assertEquals(slope(m, h), slope(m, -h), 1e-6);
        assertEquals(1.0, slope(m, 0), 1e-12);
        // the symmetric map is the special case alphaMin = 1/alphaMax, to the last bit
        OutputMap sym = OutputMap.log(8, 4), asym = OutputMap.log(0.125, 8, 4);
        for (double z : new double[]{-5, -0.7, -1e-3, 0, 2e-3, 0.4, 6}) {
            assertEquals(alpha(sym, z), alpha(asym, z), 0.0, "z = " + z);
            assertEquals(slope(sym, z), slope(asym, z), 0.0, "z = " + z);
        }
        assertThrows(IllegalArgumentException.class, () -> OutputMap.log(1.0, 8, 4));
    }

    /** Σ_g dMod_g · (α_g, β_g, λ1_g, λ2_g) for the centred map: a scalar whose gradient the centred backward must give. */
    private static double centredObjective(OutputMap m, double[] logits, double rho, double[] w, double[] dMod) {
        Modulation mod = m.apply(logits, rho - OutputMap.center(logits, w));
        double f = 0;
        for (int g = 0; g < w.length; g++) {
            f += dMod[4 * g] * mod.alpha(g) + dMod[4 * g + 1] * mod.beta(g) + dMod[4 * g + 2] * mod.lambda1(g) + dMod[4 * g + 3] * mod.lambda2(g);
        }
        return f;
    }

    @Test
    void centredGroupsKeepTheWeightedMeanLogMultiplierAtRhoAndTheirGradientMatchesFiniteDifferences() {
        OutputMap m = OutputMap.log(0.01, 100, 4);
        SplittableRandom r = new SplittableRandom(7);
        int G = 5;
        double[] n = {1000, 10, 40000, 64, 7};
        double total = 0;
        for (double x : n) {
            total += x;
        }
        double[] w = new double[G];
        for (int g = 0; g < G; g++) {
            w[g] = n[g] / total;
        }
        double[] logits = new double[4 * G], dMod = new double[4 * G];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = r.nextDouble(-1.5, 1.5);
            dMod[i] = r.nextDouble(-1, 1);
        }
        double rho = 0.8;
        // inside the bounds' linear zone the weighted mean of the pre-bound log multipliers z_g is ρ exactly
        double c = OutputMap.center(logits, w), mean = 0;
        for (int g = 0; g < G; g++) {
            mean += w[g] * (rho + logits[4 * g] - c);
        }
        assertEquals(rho, mean, 1e-12);
        // shifting every α logit by the same amount changes nothing: only ρ sets the level
        double[] shifted = logits.clone();
        for (int g = 0; g < G; g++) {
            shifted[4 * g] += 2.5;
        }
        for (int g = 0; g < G; g++) {
            assertEquals(m.apply(logits, rho - c).alpha(g), m.apply(shifted, rho - OutputMap.center(shifted, w)).alpha(g), 1e-12);
        }
        // gradient: backward at ρ − centre, then through the centring, against central differences
        double[] grad = m.backward(logits, rho - c, dMod);
        OutputMap.centerBackward(grad, w);
        double h = 1e-6, weightedSum = 0;
        for (int i = 0; i < logits.length; i++) {
            double[] p = logits.clone(), q = logits.clone();
            p[i] += h;
            q[i] -= h;
            double fd = (centredObjective(m, p, rho, w, dMod) - centredObjective(m, q, rho, w, dMod)) / (2 * h);
            assertEquals(fd, grad[i], 1e-7 * (1 + Math.abs(fd)), "logit " + i);
        }
        for (int g = 0; g < G; g++) {
            weightedSum += grad[4 * g];
        }
        // the α logits' gradient has no component along the all-ones direction: the level belongs to ρ
        assertEquals(0.0, weightedSum, 1e-12);
    }
}
