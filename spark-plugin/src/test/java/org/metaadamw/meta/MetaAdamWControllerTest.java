package org.metaadamw.meta;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metaadamw.LogCapture;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.stats.RoundStatistics;
import org.metaadamw.stats.RoundSummary;
import org.metaadamw.update.Modulation;
import org.nd4j.linalg.api.buffer.DataType;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetaAdamWControllerTest {

    private static ParamGroups groups() {
        return ParamGroups.of(TestNets.mlp(1, DataType.FLOAT, 1e-3, 0, false, false), GroupingStrategy.LAYER);
    }

    private static RoundSummary summary(int G, int F, long seed, boolean signals) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] f = new double[G][F], s = signals ? new double[G][RoundStatistics.Signal.COUNT] : null;
        for (int g = 0; g < G; g++) {
            for (int j = 0; j < F; j++) {
                f[g][j] = r.nextDouble(0.01, 2);
            }
            if (signals) {
                for (int j = 0; j < RoundStatistics.Signal.GV1_TRACE; j++) { // no step trace (meta.traceDecay = 0)
                    s[g][j] = j >= 4 ? r.nextDouble(0.5, 1.5) : r.nextDouble(-0.1, 0.1);
                }
            }
        }
        return new RoundSummary(f, s, 1.0, 0.95, 0.9, 1);
    }

    private static void randomHead(MetaAdamWController c) {
        SplittableRandom r = new SplittableRandom(4);
        for (AttentionModule.Tensor t : c.module().tensors()) {
            if (t.name().startsWith("head.")) {
                for (int i = 0; i < t.size(); i++) {
                    c.module().weights()[t.offset() + i] = r.nextDouble(-2, 2);
                }
            }
        }
    }

    @Test
    void groupsWithNonFiniteStatisticsGetNeutralMultipliersAndAWarning() {
        ParamGroups groups = groups();
        MetaAdamWController c = new MetaAdamWController(MetaAdamWConfig.defaults());
        c.initial(groups);
        randomHead(c);
        int G = groups.count(), F = 9;
        RoundSummary s = summary(G, F, 1, true);
        s.features()[2][0] = Double.NaN;
        s.signals()[4][5] = Double.POSITIVE_INFINITY;
        Modulation m;
        try (LogCapture log = new LogCapture(MetaAdamWController.class)) {
            m = c.next(s, 0, 10);
            assertTrue(log.messages().stream().anyMatch(x -> x.startsWith("WARN") && x.contains("non-finite statistics in 2 group(s)")
                    && x.contains(groups.name(2)) && x.contains(groups.name(4))), log.messages().toString());
        }
        assertEquals(1.0, m.alpha(2), 0);
        assertEquals(1.0, m.beta(2), 0);
        assertEquals(1.0, m.alpha(4), 0);
        assertNotEquals(1.0, m.alpha(0), "other groups keep their learned multipliers");
        for (int g = 0; g < G; g++) {
            assertTrue(Double.isFinite(m.alpha(g)) && Double.isFinite(m.beta(g)));
        }
        // a meta-step on the next round excludes those groups and stays finite
        Modulation m2 = c.next(summary(G, F, 2, true), 1, 10);
        for (double w : c.module().weights()) {
            assertTrue(Double.isFinite(w));
        }
        assertEquals(1, c.metaSteps());
        assertTrue(Double.isFinite(m2.alpha(2)));
    }

    @Test
    void multipliersStayInsideTheirRanges() {
        ParamGroups groups = groups();
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().multipliers("sigmoid").metaScaleLearningRate(0).alphaRange(0.6).betaRange(1.8).build();
        MetaAdamWController c = new MetaAdamWController(cfg);
        c.initial(groups);
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < c.module().numWeights(); i++) {
            c.module().weights()[i] = r.nextDouble(-20, 20);
        }
        // saturated logits reach the bounds exactly in double precision: the range is closed numerically
        Modulation m = c.next(summary(groups.count(), 9, 3, false), 0, 5);
        for (int g = 0; g < groups.count(); g++) {
            assertTrue(m.alpha(g) >= 0.7 - 1e-12 && m.alpha(g) <= 1.3 + 1e-12, "α = " + m.alpha(g));
            assertTrue(m.beta(g) >= 0.1 - 1e-12 && m.beta(g) <= 1.9 + 1e-12, "β = " + m.beta(g));
        }
        // log multipliers: inside (1/alphaMax, alphaMax) and (1/betaMax, betaMax), and both ends are reached
        MetaAdamWController l = new MetaAdamWController(MetaAdamWConfig.builder().alphaMax(3).betaMax(2).build());
        l.initial(groups);
        for (int i = 0; i < l.module().numWeights(); i++) {
            l.module().weights()[i] = r.nextDouble(-20, 20);
        }
        Modulation lm = l.next(summary(groups.count(), 9, 3, false), 0, 5);
        for (int g = 0; g < groups.count(); g++) {
            assertTrue(lm.alpha(g) >= 1 / 3.0 - 1e-12 && lm.alpha(g) <= 3 + 1e-12, "α = " + lm.alpha(g));
            assertTrue(lm.beta(g) >= 0.5 - 1e-12 && lm.beta(g) <= 2 + 1e-12, "β = " + lm.beta(g));
        }
    }

    @Test
    void metaStateRoundTripsThroughJson(@TempDir Path dir) throws Exception {
        ParamGroups groups = groups();
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().metaLearningRate(1e-2).build();
        MetaAdamWController a = new MetaAdamWController(cfg);
        a.initial(groups);
        for (int round = 0; round < 4; round++) {
            a.next(summary(groups.count(), 9, round, true), round, 10);
        }
        assertEquals(3, a.metaSteps());
        Path file = dir.resolve("meta-state.json");
        a.snapshot(4).save(file);
        MetaState loaded = MetaState.load(file);
        assertEquals(a.snapshot(4), loaded);

        MetaAdamWController b = new MetaAdamWController(cfg);
        b.initial(groups);
        b.restore(loaded);
        assertEquals(a.applied(), b.applied(), "the restored controller hands out what was handed out");
        // resumed = uninterrupted: the next rounds, meta-steps included, give identical multipliers and weights
        for (int round = 4; round < 8; round++) {
            RoundSummary s = summary(groups.count(), 9, 77 + round, true);
            assertEquals(a.next(s, round, 10), b.next(s, round, 10), "round " + round);
        }
        assertEquals(7, b.metaSteps());
        assertArrayEquals(a.module().weights(), b.module().weights(), 0.0);
        assertEquals(a.snapshot(8), b.snapshot(8));
        assertFalse(b.module().weights()[0] == 0 && b.module().weights()[1] == 0);
    }

    @Test
    void aMetaStepThatMakesTheModuleNonFiniteIsUndoneAndTheSettingNamed() {
        ParamGroups groups = groups();
        MetaAdamWController c = new MetaAdamWController(MetaAdamWConfig.builder().metaLearningRate(1e200).build());
        c.initial(groups);
        IllegalStateException stop = null;
        MetaState beforeStop = null;
        for (int round = 0; round < 50 && stop == null; round++) {
            beforeStop = c.snapshot(round);
            try {
                Modulation m = c.next(summary(groups.count(), 9, round, true), round, 50);
                for (int g = 0; g < m.groups(); g++) {
                    assertTrue(Double.isFinite(m.alpha(g)) && Double.isFinite(m.beta(g)), "round " + round + ": " + m);
                }
                for (double w : c.module().weights()) {
                    assertTrue(Double.isFinite(w), "round " + round + ": non-finite module weight kept");
                }
            } catch (IllegalStateException e) {
                stop = e;
            }
        }
        assertTrue(stop != null, "weights of 1e200 must overflow within 50 meta-steps");
        assertTrue(stop.getMessage().contains("spark.metaadamw.meta.learningRate (now 1.0E200)"), stop.getMessage());
        assertEquals(beforeStop, c.snapshot(beforeStop.round()), "the call that gives up leaves the meta-state as it was");
    }

    @Test
    void everyControllerAsksForValidationPassesOnlyIfItUsesThem() {
        for (String name : new String[]{"metaadamw", "hypergradient", "adamw", "random", "mada"}) {
            ModulationController c = Controllers.create(MetaAdamWConfig.builder().metaSignal("validation").controller(name).build());
            c.initial(groups());
            boolean wants = false;
            for (long r = 0; r < 20; r++) {
                wants |= c.wantsValidation(r);
            }
            assertEquals(wants, c.usesValidation(), name);
        }
        // a controller that overrides neither gets defaults that agree
        ModulationController bare = new ModulationController() {
            @Override
            public String name() {
                return "bare";
            }

            @Override
            public Modulation initial(ParamGroups g) {
                return Modulation.neutral(g.count());
            }

            @Override
            public Modulation next(RoundSummary s, long round, long totalRounds) {
                return Modulation.neutral(s.groups());
            }

            @Override
            public Modulation rolledBack(long round) {
                return Modulation.neutral(1);
            }

            @Override
            public ModulationController copy() {
                return this;
            }
        };
        assertEquals(bare.wantsValidation(1), bare.usesValidation(), "the defaults of usesValidation and wantsValidation");
    }

    @Test
    void aBadStateIsRefusedWholeAndChangesNothing() {
        ParamGroups groups = groups();
        MetaAdamWController a = new MetaAdamWController(MetaAdamWConfig.defaults());
        a.initial(groups);
        for (int round = 0; round < 3; round++) {
            a.next(summary(groups.count(), 9, round, true), round, 10);
        }
        MetaState s = a.snapshot(3);
        MetaAdamWController b = new MetaAdamWController(MetaAdamWConfig.defaults());
        b.initial(groups);
        MetaState before = b.snapshot(0);
        double[] nan = s.moduleWeights().clone();
        nan[nan.length / 2] = Double.NaN;
        MetaState withNan = new MetaState(s.formatVersion(), s.config(), s.shape(), nan, s.metaAdam(), s.huwLogVariances(), s.huwAdam(),
                s.scale(), s.scaleMax(), s.scaleAdam(), s.metaSteps(), s.round(), s.groups(), s.handout(), s.scaleStep(), s.scaleSignal());
        var e = assertThrows(IllegalArgumentException.class, () -> b.restore(withNan));
        assertTrue(e.getMessage().contains("module weights: value " + nan.length / 2 + " is NaN"), e.getMessage());
        MetaState shortAdam = new MetaState(s.formatVersion(), s.config(), s.shape(), s.moduleWeights(),
                new Adam.State(new double[3], new double[3], 1), s.huwLogVariances(), s.huwAdam(), s.scale(), s.scaleMax(), s.scaleAdam(),
                s.metaSteps(), s.round(), s.groups(), s.handout(), s.scaleStep(), s.scaleSignal());
        e = assertThrows(IllegalArgumentException.class, () -> b.restore(shortAdam));
        assertTrue(e.getMessage().contains("the module's Adam state does not have"), e.getMessage());
        assertEquals(before, b.snapshot(0), "a refused state must leave the controller as it was");
    }

    @Test
    void aStateOfAnotherFormatVersionIsRefused(@TempDir Path dir) throws Exception {
        ParamGroups groups = groups();
        MetaAdamWController a = new MetaAdamWController(MetaAdamWConfig.defaults());
        a.initial(groups);
        MetaState s = a.snapshot(0);
        MetaState other = new MetaState(99, s.config(), s.shape(), s.moduleWeights(), s.metaAdam(), s.huwLogVariances(),
                s.huwAdam(), s.scale(), s.scaleMax(), s.scaleAdam(), 0, 0, s.groups(), s.handout(), s.scaleStep(), s.scaleSignal());
        Path file = dir.resolve("old.json");
        other.save(file);
        var e = assertThrows(java.io.IOException.class, () -> MetaState.load(file));
        assertTrue(e.getMessage().contains("format version 99"), e.getMessage());
    }

    @Test
    void lossDecreaseOnlyAblationUsesOnlyThatTermsGradient() {
        ParamGroups groups = groups();
        MetaAdamWController c = new MetaAdamWController(MetaAdamWConfig.builder().metaTerms("lossDecrease").build());
        c.initial(groups);
        c.next(summary(groups.count(), 9, 1, true), 0, 10);
        RoundSummary s = summary(groups.count(), 9, 2, true);
        double wLoss = c.huw().weights()[MetaObjective.LOSS_DECREASE];
        c.next(s, 1, 10);
        for (int g = 0; g < groups.count(); g++) {
            // the modulation used in round 1 was neutral (zero head), so α⁰ = 1
            assertEquals(wLoss * s.signals()[g][RoundStatistics.Signal.GV1_DELTA], c.metrics().get("metaGrad.alpha." + g), 1e-12);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> MetaAdamWConfig.builder().metaTerms("loss"));
        assertTrue(e.getMessage().contains("spark.metaadamw.meta.terms"), e.getMessage());
    }

    @Test
    void frozenRandomMultipliersStayInRangeAndNeverChange() {
        ParamGroups groups = groups();
        ModulationController c = Controllers.create(MetaAdamWConfig.builder().controller("random").alphaRange(0.8).build());
        Modulation first = c.initial(groups);
        boolean differs = false;
        for (int g = 0; g < groups.count(); g++) {
            assertTrue(first.alpha(g) >= 0.6 && first.alpha(g) <= 1.4, first.toString());
            differs |= first.alpha(g) != 1.0;
        }
        assertTrue(differs);
        assertEquals(first, c.next(summary(groups.count(), 9, 5, true), 3, 10));
        assertFalse(c.usesValidation());
    }

    @Test
    void theGlobalScaleFollowsTheSummedHypergradientAndTheFloorLimitsItsFall() {
        ParamGroups groups = groups();
        int G = groups.count();
        double[] scales = new double[2];
        for (int variant = 0; variant < 2; variant++) {
            MetaAdamWController c = new MetaAdamWController(MetaAdamWConfig.builder().metaScaleRule("adam").metaScaleFloor(variant == 0 ? 0 : 2).build());
            c.initial(groups);
            for (int round = 0; round < 40; round++) {
                RoundSummary s = summary(G, 9, round, true);
                for (int g = 0; g < G; g++) {
                    s.signals()[g][RoundStatistics.Signal.GV1_DELTA] = 0.05;   // a longer step would have raised the loss
                }
                c.next(s, round, 40);
            }
            scales[variant] = c.scale();
        }
        assertTrue(scales[0] < -Math.log(2), "without a floor ρ falls steadily: " + scales[0]);
        assertEquals(-Math.log(2), scales[1], 1e-12, "with scaleFloor = 2, e^ρ stops at half its maximum (1)");
    }

    /** Summary of a round whose step, in every group, has ‖Δ_g‖ = size, ‖gv1_g‖ = 1 and cos(gv1, Δ) = cos. */
    private static RoundSummary stepSummary(int G, long seed, double size, double cos) {
        RoundSummary s = summary(G, 9, seed, true);
        for (int g = 0; g < G; g++) {
            double[] x = s.signals()[g];
            x[RoundStatistics.Signal.GV1_DELTA] = cos * size;
            x[RoundStatistics.Signal.GV1_SQ] = 1;
            x[RoundStatistics.Signal.DELTA_SQ] = size * size;
        }
        return s;
    }

    @Test
    void theCosineScaleRuleStepsByTheBoundedCosineWhateverTheStepSize() {
        ParamGroups groups = groups();
        int G = groups.count();
        double kappa = 0.3;
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().metaSignal("validation").metaScaleRule("cosine").metaScaleLearningRate(kappa).alphaMin(0.01).alphaMax(100).build();
        double[][] rho = new double[2][];
        double[] sizes = {1e-2, 1e-8};
        for (int v = 0; v < 2; v++) {
            MetaAdamWController c = new MetaAdamWController(cfg);
            c.initial(groups);
            rho[v] = new double[12];
            for (int round = 0; round < 12; round++) {
                // the step still points downhill at its end (cos = −0.5): a longer one would have helped
                c.next(stepSummary(G, round, sizes[v], -0.5), round, 12);
                rho[v][round] = c.scale();
            }
        }
        // round 0 makes no meta-step (no forward pass yet); each later one raises ρ by exactly κ·0.5
        assertEquals(0.0, rho[0][0], 0.0);
        for (int round = 1; round < 12; round++) {
            assertEquals(kappa * 0.5 * round, rho[0][round], 1e-12, "round " + round);
        }
        assertArrayEquals(rho[0], rho[1], 1e-12, "a step 10^6 times smaller moves ρ just as fast: a collapsed α can recover");
        // a cost budget that leaves 1 meta-step in 6 rounds makes each step 6 times larger: ρ keeps its pace per round
        MetaAdamWController budget = new MetaAdamWController(cfg.toBuilder().averagingFrequency(5).metaCostBudget(0.05).build());
        budget.initial(groups);
        for (int round = 0; round <= 6; round++) {
            budget.next(stepSummary(G, round, 1e-2, -0.5), round, 12);
            assertEquals(round < 6 ? 0.0 : 6 * kappa * 0.5, budget.scale(), 1e-12, "round " + round);
        }
        // the Adam rule's gradient shrinks with the step and, after large ones, its steps do too
        MetaAdamWController adam = new MetaAdamWController(cfg.toBuilder().metaScaleRule("adam").build());
        adam.initial(groups);
        for (int round = 0; round < 6; round++) {
            adam.next(stepSummary(G, round, 1.0, 0.5), round, 12);
        }
        double before = adam.scale();
        for (int round = 6; round < 12; round++) {
            adam.next(stepSummary(G, round, 1e-4, -0.5), round, 12);
        }
        assertTrue(adam.scale() < before, "Adam keeps falling on its momentum although every new step says rise: " + before + " -> " + adam.scale());
    }

    @Test
    void theAdaptiveScaleRuleGrowsItsStepWhileTheSignalKeepsItsSignAndHalvesItOnAFlip(@TempDir Path dir) throws Exception {
        ParamGroups groups = groups();
        int G = groups.count();
        double kappa = 0.3;
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().metaScaleRule("adaptive").metaScaleLearningRate(kappa).alphaMin(1e-4).alphaMax(1e4).build();
        MetaAdamWController c = new MetaAdamWController(cfg);
        c.initial(groups);
        // signals per meta-step (round 0 makes none): six times "longer", then "shorter" twice, then "longer"
        double[] cos = {0, -0.5, -0.5, -0.5, -0.5, -0.5, -0.5, 0.5, 0.5, -0.5};
        double step = kappa, rho = 0;
        for (int round = 0; round < cos.length; round++) {
            c.next(stepSummary(G, round, 1e-2, cos[round]), round, 20);
            if (round >= 1) {
                double agree = cos[round] * (round >= 2 ? cos[round - 1] : 0);
                step = agree > 0 ? Math.min(1.2 * step, 4 * kappa) : agree < 0 ? Math.max(0.5 * step, kappa / 16) : step;
                rho -= step * cos[round];
            }
            assertEquals(rho, c.scale(), 1e-12, "round " + round);
            if (round >= 1) {
                assertEquals(step, c.metrics().get("scaleStep"), 1e-15, "round " + round);
            }
        }
        // κ at the first meta-step, ×1.2 for each of the five agreements, ×0.5 at each of the two flips, ×1.2 once more
        assertEquals(kappa * Math.pow(1.2, 6) * 0.25, c.metrics().get("scaleStep"), 1e-15);
        // the cap: many agreements never take the step above 4κ
        MetaAdamWController capped = new MetaAdamWController(cfg);
        capped.initial(groups);
        for (int round = 0; round < 30; round++) {
            capped.next(stepSummary(G, round, 1e-2, -0.5), round, 30);
        }
        assertEquals(4 * kappa, capped.metrics().get("scaleStep"), 1e-15);
        // the fixed cosine rule never changes its step
        MetaAdamWController fixed = new MetaAdamWController(cfg.toBuilder().metaScaleRule("cosine").build());
        fixed.initial(groups);
        for (int round = 0; round < 5; round++) {
            fixed.next(stepSummary(G, round, 1e-2, -0.5), round, 30);
        }
        assertEquals(kappa, fixed.metrics().get("scaleStep"), 0.0);
        assertEquals(4 * kappa * 0.5, fixed.scale(), 1e-12);
        // resumed = uninterrupted: the step size and the last signal are part of the saved state
        assertResumedEqualsUninterrupted(c, cfg, groups, dir.resolve("meta-state.json"), cos.length);
    }

    /** Saves {@code c} at round {@code from}, restores a new controller from the file, and runs both on the same 4 rounds. */
    private static void assertResumedEqualsUninterrupted(MetaAdamWController c, MetaAdamWConfig cfg, ParamGroups groups, Path file,
                                                         int from) throws Exception {
        c.snapshot(from).save(file);
        MetaAdamWController r = new MetaAdamWController(cfg);
        r.initial(groups);
        r.restore(MetaState.load(file));
        for (int round = from; round < from + 4; round++) {
            RoundSummary s = stepSummary(groups.count(), round, 1e-2, round % 3 == 0 ? 0.4 : -0.3);
            assertEquals(c.next(s, round, 20), r.next(s, round, 20), "round " + round);
            assertEquals(c.scale(), r.scale(), 0.0, "round " + round);
        }
        assertEquals(c.snapshot(99), r.snapshot(99));
    }

    @Test
    void theSignScaleRuleMovesRhoByTheAdaptedStepTimesTheSignalsSignWhateverItsSize(@TempDir Path dir) throws Exception {
        ParamGroups groups = groups();
        int G = groups.count();
        double kappa = 0.3;
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().metaScaleRule("sign").metaScaleLearningRate(kappa).alphaMin(1e-4).alphaMax(1e4).build();
        MetaAdamWController c = new MetaAdamWController(cfg);
        c.initial(groups);
        MetaAdamWController adaptive = new MetaAdamWController(cfg.toBuilder().metaScaleRule("adaptive").build());
        adaptive.initial(groups);
        // weak but consistent "longer" signals, a flip, and a strong "shorter" one
        double[] cos = {0, -0.02, -0.05, -0.01, 0.8, -0.03};
        double step = kappa, rho = 0, rhoAdaptive = 0;
        for (int round = 0; round < cos.length; round++) {
            RoundSummary s = stepSummary(G, round, 1e-2, cos[round]);
            c.next(s, round, 20);
            adaptive.next(s, round, 20);
            if (round >= 1) {
                double agree = cos[round] * (round >= 2 ? cos[round - 1] : 0);
                step = agree > 0 ? Math.min(1.2 * step, 4 * kappa) : agree < 0 ? Math.max(0.5 * step, kappa / 16) : step;
                rho -= step * Math.signum(cos[round]);
                rhoAdaptive -= step * cos[round];
            }
            assertEquals(rho, c.scale(), 1e-12, "round " + round);
            assertEquals(rhoAdaptive, adaptive.scale(), 1e-12, "round " + round);
            if (round >= 1) {
                assertEquals(step, c.metrics().get("scaleStep"), 1e-15, "round " + round);
            }
        }
        // after three weak "longer" signals the sign rule has moved ρ by κ(1 + 1.2 + 1.44); the adaptive rule by a few hundredths
        assertTrue(c.scale() > 0.5 && adaptive.scale() < 0.1, c.scale() + " / " + adaptive.scale());
        // resumed = uninterrupted with the sign rule too
        assertResumedEqualsUninterrupted(c, cfg, groups, dir.resolve("meta-state.json"), cos.length);
    }

    @Test
    void scaleFallMaxBoundsTheFallOfRhoPerMetaStepButNotItsRise() {
        ParamGroups groups = groups();
        int G = groups.count();
        double kappa = 0.25;
        MetaAdamWConfig unbounded = MetaAdamWConfig.builder().metaScaleRule("sign").metaScaleLearningRate(kappa)
                .metaScaleFallMax(4.0).alphaMin(1e-4).alphaMax(1e4).build();
        MetaAdamWController free = new MetaAdamWController(unbounded);
        MetaAdamWController bounded = new MetaAdamWController(unbounded.toBuilder().metaScaleFallMax(1.0).build());
        free.initial(groups);
        bounded.initial(groups);
        // ten consistent "longer" signals (the step grows to 4κ), then ten consistent "shorter" ones
        double step = kappa, rhoFree = 0, rhoBounded = 0, last = 0;
        for (int round = 0; round < 21; round++) {
            double cos = round <= 10 ? -0.3 : 0.3;
            RoundSummary s = stepSummary(G, round, 1e-2, cos);
            free.next(s, round, 40);
            bounded.next(s, round, 40);
            if (round >= 1) {
                double agree = cos * last;
                step = agree > 0 ? Math.min(1.2 * step, 4 * kappa) : agree < 0 ? Math.max(0.5 * step, kappa / 16) : step;
                double move = step * Math.signum(cos);
                rhoFree -= move;
                rhoBounded -= Math.min(move, kappa); // a positive move lowers ρ: only falls are bounded
                last = cos;
            }
            assertEquals(rhoFree, free.scale(), 1e-12, "round " + round);
            assertEquals(rhoBounded, bounded.scale(), 1e-12, "round " + round);
        }
        // both rose alike (the rise is the adapted step's, up to 4κ = 1 per meta-step) ...
        assertTrue(step > 3 * kappa, "the step grew: " + step);
        // ... and the bounded one fell at most κ per meta-step, so it keeps most of its rise
        assertTrue(bounded.scale() - free.scale() > 4, free.scale() + " / " + bounded.scale());
    }

    @Test
    void theCosineIsBoundedByTheStepAndTheTraceAndSkipsExcludedGroups() {
        int G = 2;
        double[][] f = new double[G][9], x = new double[G][RoundStatistics.Signal.COUNT];
        x[0][RoundStatistics.Signal.GV1_DELTA] = -3;   // ⟨gv1, Δ⟩
        x[0][RoundStatistics.Signal.GV1_TRACE] = -5;   // ⟨gv1, μe⟩
        x[0][RoundStatistics.Signal.GV1_SQ] = 4;
        x[0][RoundStatistics.Signal.DELTA_SQ] = 9;
        x[1][RoundStatistics.Signal.GV1_DELTA] = 100;
        x[1][RoundStatistics.Signal.GV1_SQ] = 1;
        x[1][RoundStatistics.Signal.DELTA_SQ] = 1;
        RoundSummary s = new RoundSummary(f, x, 1, 0.9, 0.8, 1).withTrace(new double[]{4, 0});
        boolean[] skip1 = {false, true};
        // (−3 − 5) / (‖gv1‖ (‖Δ‖ + ‖μe‖)) = −8 / (2 · (3 + 2))
        assertEquals(-0.8, s.scaleCosine(skip1), 1e-15);
        // without the trace's norm the same sums would exceed −1: bounded
        assertEquals(-1.0, new RoundSummary(f, x, 1, 0.9, 0.8, 1).scaleCosine(skip1), 0.0);
        assertEquals(0.0, new RoundSummary(f, null, 1, 0.9, 0.8, 1).scaleCosine(null), 0.0, "no meta-signals");
        assertEquals(1.0, s.scaleCosine(null), 0.0, "group 1's +100 dominates (and is clipped to 1)");
        // balanced: ½(−3 / (2 · 3) + clip(−5 / (2 · 2))) = ½(−0.5 − 1)
        assertEquals(-0.75, s.balancedScaleCosine(skip1), 1e-15);
        assertEquals(-0.5, new RoundSummary(f, x, 1, 0.9, 0.8, 1).balancedScaleCosine(skip1), 1e-15, "no trace: the step's cosine");
        assertEquals(0.0, new RoundSummary(f, null, 1, 0.9, 0.8, 1).balancedScaleCosine(null), 0.0, "no meta-signals");
    }

    @Test
    void theBalancedCosineKeepsAShortStepsSayAgainstALongTrace() {
        double[][] f = new double[1][9], x = new double[1][RoundStatistics.Signal.COUNT];
        x[0][RoundStatistics.Signal.GV1_DELTA] = -0.016;  // the round's step (‖Δ‖ = 0.01) says "longer": cosine −0.8
        x[0][RoundStatistics.Signal.GV1_TRACE] = 0.4;     // the trace (‖μe‖ = 1) says "shorter": cosine 0.2
        x[0][RoundStatistics.Signal.GV1_SQ] = 4;
        x[0][RoundStatistics.Signal.DELTA_SQ] = 1e-4;
        RoundSummary s = new RoundSummary(f, x, 1, 0.9, 0.8, 1).withTrace(new double[]{1});
        // joint: (−0.016 + 0.4) / (2 · (0.01 + 1)), the trace decides; balanced: ½(−0.8 + 0.2)
        assertEquals(0.384 / 2.02, s.scaleCosine(null), 1e-15);
        assertEquals(-0.3, s.balancedScaleCosine(null), 1e-15);
    }
}
