package org.metaadamw.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.grouping.ParamTensor;
import org.metaadamw.meta.HypergradientController;
import org.metaadamw.meta.ModulationController;
import org.metaadamw.stats.RoundStatistics;
import org.metaadamw.stats.RoundStatistics.Signal;
import org.metaadamw.stats.RoundSummary;
import org.metaadamw.update.AdamWState;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** meta.stepEstimate=averaged: the slope of the validation loss along the averaged step. */
class AveragedStepEstimateTest {

    /** Sets avg = θ + (g + 1)·unit in every parameter of group g; returns each group's ‖avg − θ‖². */
    private static double[] stepPerGroup(ParamGroups groups, INDArray theta, INDArray avg, double unit) {
        double[] stepSq = new double[groups.count()];
        for (int ti = 0; ti < groups.tensors().size(); ti++) {
            ParamTensor t = groups.tensors().get(ti);
            int g = groups.groupOfTensor(ti);
            for (long i = t.offset(); i < t.offset() + t.length(); i++) {
                avg.putScalar(i, theta.getDouble(i) + (g + 1) * unit);
            }
            stepSq[g] += t.length() * Math.pow((g + 1) * unit, 2);
        }
        return stepSq;
    }

    @Test
    void slopeKeepsTheLinearPartAndTheShareKappaOfTheCurvaturePart() {
        double[][] sig = new double[1][Signal.COUNT];
        sig[0][Signal.GV0_DELTA] = -0.8;   // ⟨gv0, Δ⟩: the first-order decrease
        sig[0][Signal.GV1_DELTA] = -0.2;   // ⟨gv1, Δ⟩ = ⟨gv0, Δ⟩ + curvature 0.6
        sig[0][Signal.DELTA_SQ] = 2.0;     // mean over workers of ‖Δ_w‖²
        RoundSummary s = new RoundSummary(new double[1][6], sig, 1, 0.9, 0.8, 2);
        assertEquals(-0.2, s.averagedStepSlope(0), 0.0, "without a measurement: the workers' ⟨gv1, Δ⟩");
        assertEquals(-0.2, s.withAveragedStep(new double[]{2.0}).averagedStepSlope(0), 1e-15, "one worker: κ = 1");
        assertEquals(-0.8 + 0.25 * 0.6, s.withAveragedStep(new double[]{0.5}).averagedStepSlope(0), 1e-15, "κ = 1/4");
    }

    @Test
    void theCoordinatorMeasuresTheAveragedStepPerGroup() {
        MultiLayerNetwork net = TestNets.mlp(1, DataType.DOUBLE, 1e-3, 0, false, false);
        ParamGroups groups = ParamGroups.of(net, GroupingStrategy.LAYER);
        double rate = 0.3;
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().controller("hypergradient").hypergradientRate(rate).stepEstimate("averaged").build();
        RoundCoordinator co = new RoundCoordinator(cfg, groups, new HypergradientController(cfg));
        INDArray theta = net.params().dup();
        INDArray avg = theta.dup();
        int G = groups.count();
        // the averaged step moves every parameter of group g by (g + 1)·1e-3
        double[] stepSq = stepPerGroup(groups, theta, avg, 1e-3);
        int F = cfg.featureColumns(), S = Signal.COUNT;
        double[] sig = new double[G * S];
        for (int g = 0; g < G; g++) {
            sig[g * S + Signal.GV0_DELTA] = -1.0;
            sig[g * S + Signal.GV1_DELTA] = 1.0;            // a worker's own step overshoots ...
            sig[g * S + Signal.DELTA_SQ] = 4 * stepSq[g];   // ... but the average keeps a quarter of its curvature
            sig[g * S + Signal.GV1_SQ] = 1.0 / (4 * stepSq[g]);  // ‖gv1‖·‖Δ_w‖ = 1
            sig[g * S + Signal.GV0_SQ] = 1.0;
        }
        RoundStatistics stats = new RoundStatistics(G, F, new double[G * F], sig, 1, 0.9, 0.8, 1, 1);
        AdamWState state = AdamWState.zeros(theta);
        co.finishRound(theta, state, avg, state.copy(), stats, true, 0, 5, 10, 0);
        for (int g = 0; g < G; g++) {
            double slope = -1.0 + 0.25 * 2.0;                 // −0.5: the averaged step still points downhill
            double cos = slope;
            assertEquals(Math.exp(-rate * cos), co.modulation().alpha(g), 1e-9, "group " + g);
        }
    }

    @Test
    void theCoordinatorGivesTheControllerTheNormOfTheTraceItsWorkersWereSent() {
        MultiLayerNetwork net = TestNets.mlp(1, DataType.DOUBLE, 1e-3, 0, false, false);
        ParamGroups groups = ParamGroups.of(net, GroupingStrategy.LAYER);
        double mu = 0.5;
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().metaTraceDecay(mu).build();
        java.util.List<RoundSummary> seen = new java.util.ArrayList<>();
        ModulationController recorder = new ModulationController() {
            @Override public String name() { return "recorder"; }
            @Override public org.metaadamw.update.Modulation initial(ParamGroups g) { return org.metaadamw.update.Modulation.neutral(g.count()); }
            @Override public org.metaadamw.update.Modulation next(RoundSummary s, long round, long total) {
                seen.add(s);
                return org.metaadamw.update.Modulation.neutral(s.groups());
            }
            @Override public org.metaadamw.update.Modulation rolledBack(long round) { return org.metaadamw.update.Modulation.neutral(groups.count()); }
            @Override public ModulationController copy() { return this; }
        };
        RoundCoordinator co = new RoundCoordinator(cfg, groups, recorder);
        INDArray theta = net.params().dup();
        int G = groups.count(), F = cfg.featureColumns();
        INDArray avg = theta.dup();
        double[] stepSq = stepPerGroup(groups, theta, avg, 1e-2);
        RoundStatistics stats = new RoundStatistics(G, F, new double[G * F], new double[G * Signal.COUNT], 1, 0.9, 0.8, 1, 1);
        AdamWState state = AdamWState.zeros(theta);
        co.finishRound(theta, state, avg, state.copy(), stats, true, 0, 5, 10, 0);
        assertEquals(null, seen.get(0).traceSq(), "round 0: no trace was sent");
        INDArray sent = co.trace();   // μΔ̄ of round 0, what round 1's workers receive
        co.finishRound(theta, state, theta.dup(), state.copy(), stats, true, 0, 5, 10, 0);
        double[] sq = seen.get(1).traceSq();
        for (int g = 0; g < G; g++) {
            assertEquals(mu * mu * stepSq[g], sq[g], 1e-12 * stepSq[g], "group " + g);
        }
        assertEquals(mu * mu * java.util.Arrays.stream(stepSq).sum(), sent.norm2Number().doubleValue() * sent.norm2Number().doubleValue(), 1e-12);
    }
}
