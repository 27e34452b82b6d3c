package org.metaadamw.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.grouping.ParamTensor;
import org.metaadamw.meta.Controllers;
import org.metaadamw.stats.FeatureSet;
import org.metaadamw.stats.RoundStatistics;
import org.metaadamw.stats.RoundStatistics.Signal;
import org.metaadamw.stats.RoundSummary;
import org.metaadamw.stats.StatisticsExtractor;
import org.metaadamw.update.AdamWState;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** meta.traceDecay: the decayed trace of applied steps and its term of the loss-decrease slope. */
class StepTraceTest {

    private static RoundStatistics emptyStats(ParamGroups groups, MetaAdamWConfig cfg) {
        int G = groups.count(), F = cfg.featureColumns();
        return new RoundStatistics(G, F, new double[G * F], new double[G * Signal.COUNT], 1, 0.9, 0.8, 1, 1);
    }

    @Test
    void theCoordinatorKeepsTheDecayedSumOfAppliedStepsAndDropsItOnRollback() {
        MultiLayerNetwork net = TestNets.mlp(1, DataType.DOUBLE, 1e-3, 0, false, false);
        ParamGroups groups = ParamGroups.of(net, GroupingStrategy.LAYER);
        double mu = 0.75;
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().controller("adamw").metaTraceDecay(mu).build();
        RoundCoordinator co = new RoundCoordinator(cfg, groups, Controllers.create(cfg));
        assertNull(co.trace(), "no step applied yet");
        INDArray theta = net.params().dup();
        AdamWState state = AdamWState.zeros(theta);
        long n = theta.length();
        INDArray d1 = Nd4j.rand(DataType.DOUBLE, n).subi(0.5), d2 = Nd4j.rand(DataType.DOUBLE, n).subi(0.5);
        co.finishRound(theta, state, theta.add(d1), state.copy(), emptyStats(groups, cfg), true, 0, 5, 10, 0);
        co.finishRound(theta, state, theta.add(d2), state.copy(), emptyStats(groups, cfg), true, 0, 5, 10, 0);
        INDArray expected = d2.add(d1.mul(mu)).muli(mu);  // μ(Δ̄2 + μΔ̄1)
        assertEquals(0.0, co.trace().sub(expected).amaxNumber().doubleValue(), 1e-12);
        co.trace().assign(0); // a copy: the caller cannot change the coordinator's trace
        assertEquals(0.0, co.trace().sub(expected).amaxNumber().doubleValue(), 1e-12);
        co.finishRound(theta, state, theta.add(Double.NaN), state.copy(), emptyStats(groups, cfg), false, 0, 5, 10, 0);
        assertNull(co.trace(), "a rolled-back round clears the trace");

        MetaAdamWConfig off = cfg.toBuilder().metaTraceDecay(0).build();
        RoundCoordinator none = new RoundCoordinator(off, groups, Controllers.create(off));
        none.finishRound(theta, state, theta.add(d1), state.copy(), emptyStats(groups, off), true, 0, 5, 10, 0);
        assertNull(none.trace(), "traceDecay = 0 keeps no trace");
    }

    @Test
    void theRescaledTraceCountsEarlierStepsAtTheNextRoundsMultipliers() {
        INDArray current = rescaledTrace("current");
        INDArray shrink = rescaledTrace("shrink");
        assertTrue(current.sub(shrink).amaxNumber().doubleValue() > 1e-3, "shrink must differ where a multiplier grew");
    }

    /**
     * Four rounds of the hypergradient controller with random signals, the trace checked against the rescaled sum
     * computed here: per group by α_g(next) ÷ α_g(applied) (current), or by at most 1 (shrink). Returns the trace.
     */
    private static INDArray rescaledTrace(String mode) {
        MultiLayerNetwork net = TestNets.mlp(2, DataType.DOUBLE, 1e-3, 0, false, false);
        ParamGroups groups = ParamGroups.of(net, GroupingStrategy.LAYER);
        double mu = 0.75;
        // the hypergradient controller moves each α_g by the sign of its slope: random slopes move them apart
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().controller("hypergradient").metaTraceDecay(mu).set(org.metaadamw.config.MetaAdamWConf.META_TRACE_SCALE, mode).build();
        MetaAdamWConfig plainCfg = cfg.toBuilder().set(org.metaadamw.config.MetaAdamWConf.META_TRACE_SCALE, "applied").build();
        RoundCoordinator co = new RoundCoordinator(cfg, groups, Controllers.create(cfg));
        RoundCoordinator plain = new RoundCoordinator(plainCfg, groups, Controllers.create(plainCfg));
        INDArray theta = net.params().dup();
        AdamWState state = AdamWState.zeros(theta);
        long n = theta.length();
        int G = groups.count(), F = cfg.featureColumns();
        var rng = new java.util.Random(3);
        INDArray expected = null;
        boolean grew = false, shrank = false;
        for (int r = 0; r < 4; r++) {
            INDArray d = Nd4j.rand(DataType.DOUBLE, n).subi(0.5);
            double[] signals = new double[G * Signal.COUNT];
            for (int i = 0; i < signals.length; i++) {
                signals[i] = rng.nextGaussian();
            }
            var stats = new RoundStatistics(G, F, new double[G * F], signals, 1, 0.9, 0.8, 1, 1);
            var used = co.modulation();
            co.finishRound(theta, state, theta.add(d), state.copy(), stats, true, 0, 5, 10, 0);
            plain.finishRound(theta, state, theta.add(d), state.copy(), stats, true, 0, 5, 10, 0);
            var next = co.modulation();
            expected = expected == null ? d.mul(mu) : expected.addi(d).muli(mu);
            for (int ti = 0; ti < groups.tensors().size(); ti++) {
                ParamTensor t = groups.tensors().get(ti);
                int g = groups.groupOfTensor(ti);
                double ratio = next.alpha(g) / used.alpha(g);
                grew |= ratio > 1 + 1e-3;
                shrank |= ratio < 1 - 1e-3;
                if (mode.equals("shrink")) {
                    ratio = Math.min(1, ratio);
                }
                t.view(expected).muli(ratio);
            }
            assertEquals(0.0, co.trace().sub(expected).amaxNumber().doubleValue(), 1e-12, mode + ", round " + r);
            assertEquals(next, plain.modulation(), "the rescaling changes only the trace here (no meta-signals read it)");
        }
        assertTrue(grew && shrank, "multipliers must have grown and shrunk for this test to check anything");
        assertTrue(co.trace().sub(plain.trace()).amaxNumber().doubleValue() > 1e-3, "applied keeps the steps as taken");
        return co.trace();
    }

    @Test
    void workersSendTheTracesDotProductWithGv1AndTheLossSlopeAddsIt() {
        MultiLayerNetwork net = TestNets.mlp(2, DataType.DOUBLE, 1e-3, 0, false, false);
        ParamGroups groups = ParamGroups.of(net, GroupingStrategy.LAYER);
        long n = net.params().length();
        INDArray t0 = Nd4j.rand(DataType.DOUBLE, n), t1 = Nd4j.rand(DataType.DOUBLE, n), g = Nd4j.rand(DataType.DOUBLE, n),
                m = Nd4j.rand(DataType.DOUBLE, n), v = Nd4j.rand(DataType.DOUBLE, n), a = Nd4j.rand(DataType.DOUBLE, n),
                b = Nd4j.rand(DataType.DOUBLE, n), e = Nd4j.rand(DataType.DOUBLE, n).subi(0.5);
        var ex = new StatisticsExtractor(groups, FeatureSet.Version.ENHANCED);
        double[] c = new double[groups.count()];
        RoundStatistics with = ex.extract(new StatisticsExtractor.Inputs(t0, t1, g, m, v, a, b, c, false, 0.5, 1, 0.9, 0.8, e));
        RoundStatistics without = ex.extract(new StatisticsExtractor.Inputs(t0, t1, g, m, v, a, b, c, false, 0.5, 1, 0.9, 0.8));
        RoundSummary sw = with.summarize(), so = without.summarize();
        for (int grp = 0; grp < groups.count(); grp++) {
            double dot = 0;
            for (int ti = 0; ti < groups.tensors().size(); ti++) {
                if (groups.groupOfTensor(ti) != grp) {
                    continue;
                }
                ParamTensor t = groups.tensors().get(ti);
                for (long i = t.offset(); i < t.offset() + t.length(); i++) {
                    dot += b.getDouble(i) * e.getDouble(i);
                }
            }
            assertEquals(dot, sw.signals()[grp][Signal.GV1_TRACE], 1e-9 * Math.max(1, Math.abs(dot)), "group " + grp);
            assertEquals(0.0, so.signals()[grp][Signal.GV1_TRACE], 0.0, "no trace, no term");
            assertEquals(so.signals()[grp][Signal.GV1_DELTA], so.lossSlope(grp), 0.0);
            assertEquals(sw.signals()[grp][Signal.GV1_DELTA] + dot, sw.lossSlope(grp), 1e-9 * Math.max(1, Math.abs(dot)));
        }
    }
}
