package org.metaadamw.meta;

import org.junit.jupiter.api.Test;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.stats.RoundStatistics.Signal;
import org.metaadamw.stats.RoundSummary;
import org.metaadamw.update.Modulation;
import org.nd4j.linalg.api.buffer.DataType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The normalized multiplicative hypergradient rule: direction, step size, scale invariance, bounds. */
class HypergradientControllerTest {

    private static ParamGroups groups() {
        return ParamGroups.of(TestNets.mlp(1, DataType.FLOAT, 1e-3, 0, false, false), GroupingStrategy.LAYER);
    }

    /** Group g gets ⟨gv1, Δ⟩ = dots[g] with ‖gv1‖ = gNorm, ‖Δ‖ = dNorm. */
    private static RoundSummary summary(double[] dots, double gNorm, double dNorm) {
        int G = dots.length;
        double[][] s = new double[G][Signal.COUNT];
        for (int g = 0; g < G; g++) {
            s[g][Signal.GV1_DELTA] = dots[g];
            s[g][Signal.GV1_SQ] = gNorm * gNorm;
            s[g][Signal.DELTA_SQ] = dNorm * dNorm;
            s[g][Signal.GV0_SQ] = 1;
        }
        return new RoundSummary(new double[G][9], s, 1.0, 0.9, 0.8, 2);
    }

    @Test
    void ratesGrowWhileTheStepPointsDownhillAndShrinkOnceItOvershoots() {
        ParamGroups groups = groups();
        int G = groups.count();
        double kappa = 0.2;
        HypergradientController c = new HypergradientController(MetaAdamWConfig.builder().controller("hypergradient").hypergradientRate(kappa).build());
        assertTrue(c.initial(groups).isNeutral());
        double[] dots = new double[G];
        for (int g = 0; g < G; g++) {
            dots[g] = g % 2 == 0 ? -0.3 : 0.3;   // cos = ∓0.3 with unit norms
        }
        Modulation m = c.next(summary(dots, 1, 1), 0, 10);
        for (int g = 0; g < G; g++) {
            double expected = Math.exp(g % 2 == 0 ? kappa * 0.3 : -kappa * 0.3);
            assertEquals(expected, m.alpha(g), 1e-12, "group " + g);
            assertEquals(1.0, m.beta(g), 0.0);
        }
        // the rule uses the cosine: scaling the gradient and the step changes nothing
        HypergradientController d = new HypergradientController(MetaAdamWConfig.builder().controller("hypergradient").hypergradientRate(kappa).build());
        d.initial(groups);
        double[] scaled = dots.clone();
        for (int g = 0; g < G; g++) {
            scaled[g] *= 1e-3 * 50;
        }
        Modulation n = d.next(summary(scaled, 1e-3, 50), 0, 10);
        for (int g = 0; g < G; g++) {
            assertEquals(m.alpha(g), n.alpha(g), 1e-12);
        }
    }

    @Test
    void ratesStayInsideTheRangeAndIgnoreRoundsWithoutSignals() {
        ParamGroups groups = groups();
        int G = groups.count();
        HypergradientController c = new HypergradientController(MetaAdamWConfig.builder().controller("hypergradient")
                .hypergradientRate(1.0).alphaMax(3).build());
        c.initial(groups);
        double[] down = new double[G];
        java.util.Arrays.fill(down, -1.0);
        Modulation m = null;
        for (int r = 0; r < 20; r++) {
            m = c.next(summary(down, 1, 1), r, 20);
        }
        for (int g = 0; g < G; g++) {
            assertEquals(3.0, m.alpha(g), 1e-12, "clamped at alphaMax");
        }
        Modulation same = c.next(new RoundSummary(new double[G][9], null, Double.NaN, Double.NaN, 0.8, 2), 20, 30);
        assertEquals(m, same, "a round without validation passes leaves the rates alone");
    }
}
