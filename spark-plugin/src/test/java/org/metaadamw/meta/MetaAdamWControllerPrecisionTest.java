package org.metaadamw.meta;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.stats.RoundSummary;
import org.metaadamw.update.Modulation;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code meta.precision}: the controller picks the attention's float path only when asked and when the JVM has
 * {@code jdk.incubator.vector} (the test JVM has it), and a run with the float path follows the double run
 * closely over a dozen meta-steps, non-finite groups included.
 */
class MetaAdamWControllerPrecisionTest {
    /** Largest relative difference of any α or β over the run (measured ≈ 1e-6 at G = 300 after 12 meta-steps). */
    static final double MULTIPLIER_TOLERANCE = 1e-4;
    /** ‖ψ_float − ψ_double‖ / ‖ψ_double − ψ_0‖ at the end: the float run's weights moved the same way. */
    static final double WEIGHT_TOLERANCE = 1e-3;

    @Test
    void theDefaultAndPrecisionDoubleUseTheDoublePath() {
        assertEquals("double", MetaAdamWConfig.defaults().metaPrecision());
        for (MetaAdamWConfig cfg : new MetaAdamWConfig[]{MetaAdamWConfig.defaults(), MetaAdamWConfig.builder().metaPrecision("double").build()}) {
            MetaAdamWController c = new MetaAdamWController(cfg);
            c.initial(MetaAdamWControllerAllocationTest.groups(5));
            assertFalse(c.floatAttentionInUse());
        }
        MetaAdamWController f = new MetaAdamWController(MetaAdamWConfig.builder().metaPrecision("float").build());
        f.initial(MetaAdamWControllerAllocationTest.groups(5));
        assertTrue(f.floatAttentionInUse(), "float in a JVM with the module");
        MetaAdamWController auto = new MetaAdamWController(MetaAdamWConfig.builder().metaPrecision("auto").build());
        auto.initial(MetaAdamWControllerAllocationTest.groups(5));
        assertFalse(auto.floatAttentionInUse(), "auto at 5 groups");
        auto.initial(MetaAdamWControllerAllocationTest.groups(AttentionPrecision.AUTO_MIN_GROUPS));
        assertTrue(auto.floatAttentionInUse(), "auto at 128 groups, re-initialised");
    }

    @ParameterizedTest(name = "G={0}")
    @ValueSource(ints = {1, 8, 64, 300})
    void aFloatRunFollowsTheDoubleRun(int G) {
        MetaAdamWConfig base = MetaAdamWConfig.defaults();
        MetaAdamWController dbl = new MetaAdamWController(base.toBuilder().metaPrecision("double").build());
        MetaAdamWController flt = new MetaAdamWController(base.toBuilder().metaPrecision("float").build());
        dbl.initial(MetaAdamWControllerAllocationTest.groups(G));
        flt.initial(MetaAdamWControllerAllocationTest.groups(G));
        assertTrue(flt.floatAttentionInUse());
        double[] psi0 = dbl.module().weights().clone();
        SplittableRandom r = new SplittableRandom(11 + G);
        double worst = 0;
        for (long round = 0; round < 13; round++) {
            RoundSummary s = MetaAdamWControllerAllocationTest.summary(G, base.featureColumns(), r);
            if (round == 4 && G > 1) {
                s.features()[G / 2][0] = Double.NaN;     // masked: neutral multipliers, excluded from the next meta-step
            }
            Modulation a = dbl.next(s, round, 1000), b = flt.next(s, round, 1000);
            for (int g = 0; g < G; g++) {
                worst = Math.max(worst, Math.abs(b.alpha(g) / a.alpha(g) - 1));
                worst = Math.max(worst, Math.abs(b.beta(g) / a.beta(g) - 1));
            }
            if (round == 4 && G > 1) {
                assertEquals(1.0, b.alpha(G / 2), 0.0);
                assertEquals(1.0, b.beta(G / 2), 0.0);
            }
        }
        assertEquals(12, dbl.metaSteps());
        assertEquals(12, flt.metaSteps());
        assertTrue(worst <= MULTIPLIER_TOLERANCE, "multipliers differ by " + worst + " relative");
        // the key biases are left out: their gradient is zero but for rounding (the softmax ignores a shift of every
        // key), and Adam turns that noise, 1e-17 in double and 1e-9 in float, into steps of full size in both runs
        double diff2 = 0, moved2 = 0;
        double[] wd = dbl.module().weights(), wf = flt.module().weights();
        for (AttentionModule.Tensor t : dbl.module().tensors()) {
            if (t.name().endsWith("key.bias")) {
                continue;
            }
            for (int i = t.offset(); i < t.offset() + t.size(); i++) {
                diff2 += (wf[i] - wd[i]) * (wf[i] - wd[i]);
                moved2 += (wd[i] - psi0[i]) * (wd[i] - psi0[i]);
            }
        }
        assertTrue(moved2 > 0, "the meta-steps moved ψ");
        double rel = Math.sqrt(diff2 / moved2);
        assertTrue(rel <= WEIGHT_TOLERANCE, "module weights differ by " + rel + " of how far they moved");
    }
}
