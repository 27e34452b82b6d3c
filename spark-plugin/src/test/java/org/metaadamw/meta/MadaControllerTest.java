package org.metaadamw.meta;

import org.junit.jupiter.api.Test;
import org.metaadamw.LogCapture;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.stats.RoundSummary;
import org.metaadamw.update.HypergradientSum;
import org.metaadamw.update.MadaCoefficients;
import org.metaadamw.update.MadaCoefficients.Coefficient;
import org.nd4j.linalg.api.buffer.DataType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code mada} controller's driver step on its own: starts, non-finite signals, rollbacks, state. */
class MadaControllerTest {
    static ParamGroups groups(MetaAdamWConfig cfg) {
        return ParamGroups.of(TestNets.mlp(1, DataType.DOUBLE, 1e-2, 0, false, false), GroupingStrategy.of(cfg));
    }

    static RoundSummary summary(int g) {
        return new RoundSummary(new double[g][6], null, Double.NaN, Double.NaN, 0.5, 1);
    }

    static double[][] signals(int g, double x) {
        double[][] h = new double[g][MadaCoefficients.COUNT];
        for (double[] row : h) {
            java.util.Arrays.fill(row, x);
        }
        return h;
    }

    @Test
    void itIsFoundByNameAndDeclaresMadaWithoutValidationOrStatistics() {
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().controller("mada").build();
        ModulationController c = Controllers.create(cfg);
        assertEquals("mada", c.name());
        assertTrue(Controllers.names().contains("mada"));
        assertFalse(c.usesValidation());
        assertFalse(c.usesStatistics());
        assertFalse(c.wantsValidation(0));
        ParamGroups g = groups(cfg);
        assertEquals(org.metaadamw.update.Modulation.neutral(g.count()), c.initial(g));
        assertTrue(c.updateRule().isMada());
        // beta2 = 0.999 is projected onto MADA's [0.501, 0.99]
        assertEquals(MadaCoefficients.adam(0.9, 0.99), c.updateRule().coefficients());
        assertEquals(0.95, c.updateRule().lionBeta1(), 0.0);
        assertEquals(0.98, c.updateRule().lionBeta2(), 0.0);
    }

    @Test
    void namedCornersAndPerGroupSets() {
        int G = groups(MetaAdamWConfig.defaults()).count();
        assertEquals(MadaCoefficients.yogi(0.9, 0.99), MadaController.initialCoefficients(MetaAdamWConfig.builder().madaInitial("yogi").build(), G));
        assertEquals(MadaCoefficients.avgrad(0.8, 0.95),
                MadaController.initialCoefficients(MetaAdamWConfig.builder().beta1(0.8).beta2(0.95).madaInitial("avgrad").build(), G));
        assertEquals(MadaCoefficients.adan(0.9, 0.99, 0.92), MadaController.initialCoefficients(MetaAdamWConfig.builder().madaInitial("adan").build(), G));
        assertEquals(0.0, MadaController.initialCoefficients(MetaAdamWConfig.builder().madaInitial("lion").build(), G).get(0, Coefficient.GAMMA), 0.0);
        MadaCoefficients per = MadaController.initialCoefficients(MetaAdamWConfig.builder().madaCoefficients("group").build(), G);
        assertEquals(G, per.sets());
        assertEquals(MadaCoefficients.adam(0.9, 0.99).perGroupCopy(G), per);
    }

    @Test
    void aNonFiniteHypergradientSkipsTheStepWithAWarning() {
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().controller("mada").build();
        ModulationController c = Controllers.create(cfg);
        ParamGroups g = groups(cfg);
        c.initial(g);
        MadaCoefficients start = c.updateRule().coefficients();
        double[][] bad = signals(g.count(), 0.01);
        bad[1][Coefficient.RHO.ordinal()] = Double.NaN;
        double[][] inf = signals(g.count(), 0.01);
        inf[0][Coefficient.BETA1.ordinal()] = Double.POSITIVE_INFINITY;
        try (LogCapture log = new LogCapture(MadaController.class)) {
            c.next(summary(g.count()), new HypergradientSum(bad, 2), 0, 10);
            assertEquals(start, c.updateRule().coefficients(), "NaN: no step");
            c.next(summary(g.count()), new HypergradientSum(inf, 2), 1, 10);
            assertEquals(start, c.updateRule().coefficients(), "Inf: no step");
            assertEquals(2, log.messages().stream().filter(m -> m.startsWith("WARN") && m.contains("NaN/Inf")).count(), log.messages().toString());
        }
        assertEquals(2.0, c.metrics().get("mada.skippedNonFinite"), 0.0);
        // a finite signal then steps as hyperStep does: γ ← 1 − 0.1·(G·0.01/2) ... clipped and projected
        double[][] ok = signals(g.count(), -0.01);
        ok[0][Coefficient.BETA3.ordinal()] = -3;
        c.next(summary(g.count()), new HypergradientSum(ok, 2), 2, 10);
        MadaCoefficients want = start.hyperStep(ok, 2, cfg.madaLearningRates());
        assertEquals(want, c.updateRule().coefficients());
        assertNotEquals(start, want);
        // no signal (K = 1, or AdamW workers): no step
        c.next(summary(g.count()), HypergradientSum.EMPTY, 3, 10);
        assertEquals(want, c.updateRule().coefficients());
        // a rolled-back round keeps the coefficients
        c.rolledBack(4);
        assertEquals(want, c.updateRule().coefficients());
    }

    @Test
    void stateRoundTripsAndAStateOfAnotherShapeIsRefused() {
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().controller("mada").madaCoefficients("group").build();
        ParamGroups g = groups(cfg);
        ModulationController c = Controllers.create(cfg);
        c.initial(g);
        c.next(summary(g.count()), new HypergradientSum(signals(g.count(), 0.3), 4), 0, 10);
        String saved = c.saveState(1);
        ModulationController d = Controllers.create(cfg);
        d.initial(g);
        d.restoreState(saved);
        assertEquals(c.updateRule(), d.updateRule());
        assertEquals(c.metrics(), d.metrics());
        ModulationController global = Controllers.create(MetaAdamWConfig.builder().controller("mada").build());
        global.initial(g);
        var e = assertThrows(IllegalArgumentException.class, () -> global.restoreState(saved));
        assertTrue(e.getMessage().contains("spark.metaadamw.mada.coefficients"), e.getMessage());
        var r = assertThrows(IllegalArgumentException.class, () -> d.restoreState("{\"coefficients\":[" + "[0.9,0.999,0,1,1,1],".repeat(g.count() - 1)
                + "[0.9,0.999,0,1,1,1]]}"));
        assertTrue(r.getMessage().contains("β2") && r.getMessage().contains("[0.501, 0.99]"), r.getMessage());
    }
}
