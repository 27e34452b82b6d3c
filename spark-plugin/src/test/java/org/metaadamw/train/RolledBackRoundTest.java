package org.metaadamw.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.meta.AttentionModule;
import org.metaadamw.meta.HypergradientController;
import org.metaadamw.meta.MetaAdamWController;
import org.metaadamw.stats.RoundStatistics;
import org.metaadamw.update.AdamWState;
import org.metaadamw.update.Modulation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The controller is the one owner of the modulation: after a rolled-back round the coordinator
 * applies what the controller hands out, and the controller's next meta-step never differentiates
 * around multipliers that were not applied (issue: the coordinator used to switch to neutral
 * multipliers behind the controller's back, which then took a meta-step around the discarded α⁰
 * through a stale forward pass).
 */
class RolledBackRoundTest {

    private static RoundStatistics stats(int G, int F, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] f = new double[G * F], s = new double[G * RoundStatistics.Signal.COUNT];
        for (int i = 0; i < f.length; i++) {
            f[i] = r.nextDouble(0.01, 2);
        }
        for (int g = 0; g < G; g++) {
            for (int j = 0; j < RoundStatistics.Signal.COUNT; j++) {
                s[g * RoundStatistics.Signal.COUNT + j] = j >= 4 ? r.nextDouble(0.5, 1.5) : r.nextDouble(-0.1, 0.1);
            }
        }
        return new RoundStatistics(G, F, f, s, 1.0, 0.9, 0.8, 1, 1);
    }

    @Test
    void afterARollbackTheAppliedModulationIsTheControllersAndNoMetaStepUsesTheDiscardedOne() {
        MultiLayerNetwork net = TestNets.mlp(1, DataType.DOUBLE, 1e-3, 0, false, false);
        ParamGroups groups = ParamGroups.of(net, GroupingStrategy.LAYER);
        MetaAdamWConfig cfg = MetaAdamWConfig.defaults();
        MetaAdamWController c = new MetaAdamWController(cfg);
        RoundCoordinator co = new RoundCoordinator(cfg, groups, c);
        // a head that gives non-neutral multipliers from the first forward pass
        SplittableRandom r = new SplittableRandom(3);
        for (AttentionModule.Tensor t : c.module().tensors()) {
            if (t.name().startsWith("head.")) {
                for (int i = 0; i < t.size(); i++) {
                    c.module().weights()[t.offset() + i] = r.nextDouble(-1, 1);
                }
            }
        }
        INDArray params = net.params().dup();
        AdamWState state = AdamWState.zeros(params);
        int G = groups.count(), F = cfg.featureColumns();
        assertTrue(co.finishRound(params, state, params.dup(), state.copy(), stats(G, F, 0), true, 0, 5, 10, 0));
        Modulation learned = co.modulation();
        assertFalse(learned.isNeutral(), "round 1 runs with the module's multipliers");
        long steps = c.metaSteps();

        // round 1 fails: rolled back
        assertFalse(co.finishRound(params, state, params.dup(), state.copy(), stats(G, F, 1), false, 0, 5, 10, 0));
        assertTrue(co.modulation().isNeutral(), "neutral multipliers after a rollback");
        assertEquals(co.modulation(), c.applied(), "what the coordinator applies is what the controller believes it applied");

        // round 2 (with neutral multipliers) succeeds: no meta-step around round 1's discarded multipliers
        double[] before = c.module().weights().clone();
        assertTrue(co.finishRound(params, state, params.dup(), state.copy(), stats(G, F, 2), true, 0, 5, 10, 0));
        assertEquals(steps, c.metaSteps(), "no meta-step right after a rollback: no forward pass produced the neutral multipliers");
        assertTrue(java.util.Arrays.equals(before, c.module().weights()), "module weights untouched");
        assertEquals(co.modulation(), c.applied());

        // round 3: meta-learning resumes, around the multipliers of round 3's forward pass
        assertTrue(co.finishRound(params, state, params.dup(), state.copy(), stats(G, F, 3), true, 0, 5, 10, 0));
        assertEquals(steps + 1, c.metaSteps());
        assertEquals(co.modulation(), c.applied());
        assertFalse(java.util.Arrays.equals(before, c.module().weights()), "the meta-step moved the module");
    }

    @Test
    void hypergradientControllerStartsBelowItsDiscardedRatesAfterARollback() {
        MultiLayerNetwork net = TestNets.mlp(1, DataType.DOUBLE, 1e-3, 0, false, false);
        ParamGroups groups = ParamGroups.of(net, GroupingStrategy.LAYER);
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().controller("hypergradient").hypergradientRate(0.5).build();
        HypergradientController c = new HypergradientController(cfg);
        RoundCoordinator co = new RoundCoordinator(cfg, groups, c);
        INDArray params = net.params().dup();
        AdamWState state = AdamWState.zeros(params);
        int G = groups.count(), F = cfg.featureColumns();
        // ⟨gv1, Δ⟩ < 0 in every group: every α grows
        RoundStatistics s = stats(G, F, 0);
        double[] sig = s.signalSums().clone();
        for (int g = 0; g < G; g++) {
            sig[g * RoundStatistics.Signal.COUNT + RoundStatistics.Signal.GV1_DELTA] = -0.5;
        }
        RoundStatistics down = new RoundStatistics(G, F, s.featureSums(), sig, 1, 0.9, 0.8, 1, 1);
        co.finishRound(params, state, params.dup(), state.copy(), down, true, 0, 5, 10, 0);
        for (int g = 0; g < G; g++) {
            assertTrue(co.modulation().alpha(g) > 1, "α grows while the step still points downhill");
        }
        co.finishRound(params, state, params.dup(), state.copy(), down, false, 0, 5, 10, 0);
        assertTrue(co.modulation().isNeutral());
        co.finishRound(params, state, params.dup(), state.copy(), stats(G, F, 5), true, 0, 5, 10, 0);
        for (int g = 0; g < G; g++) {
            assertTrue(co.modulation().alpha(g) < 1.5, "no jump back to the discarded rates: α = " + co.modulation().alpha(g));
        }
    }
}
