package org.metaadamw.meta;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HuwTest {

    @Test
    void paperModeGradientIsTheDerivativeOfTheMetaLoss() {
        Huw huw = new Huw(new double[]{1, 3, 5}, true, 0.1);
        huw.update(new double[]{0.5, 0.2, 2.0});
        double[] L = {0.7, -0.4, 1.5};
        double[] g = huw.gradient(L);
        double[] s = huw.logVariances();
        for (int i = 0; i < 3; i++) {
            // d/ds_i [½ e^{−s_i} L_i + ½ p_i s_i]
            double p = new double[]{1, 3, 5}[i];
            assertEquals(-0.5 * Math.exp(-s[i]) * L[i] + 0.5 * p, g[i], 1e-12);
        }
    }

    @Test
    void defaultModeConvergesToTheEquilibriumWeightPriorityOverAbsLoss() {
        double[] p = {2, 5, 1};
        Huw huw = new Huw(p, false, 0.05);
        double[] L = {-0.4, 0.8, 0.05};
        for (int i = 0; i < 3000; i++) {
            huw.update(L);
        }
        double[] s = huw.logVariances();
        for (int i = 0; i < 3; i++) {
            double target = Math.max(-Huw.CLAMP, Math.min(Huw.CLAMP, Math.log(Math.abs(L[i]) / p[i])));
            assertEquals(target, s[i], 0.05, "s_" + i);
        }
    }

    @Test
    void logVariancesAreClamped() {
        Huw huw = new Huw(new double[]{1, 1, 1}, true, 0.5);
        for (int i = 0; i < 500; i++) {
            huw.update(new double[]{-10, -10, 1e9});
        }
        for (double s : huw.logVariances()) {
            assertTrue(s >= -Huw.CLAMP && s <= Huw.CLAMP, "s = " + s);
        }
        assertEquals(Huw.CLAMP, huw.logVariances()[2], 1e-12);
    }

    @Test
    void nonPositivePrioritiesAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Huw(new double[]{1, 0, 1}, false, 0.1));
        assertTrue(e.getMessage().contains("priorities"), e.getMessage());
    }
}
