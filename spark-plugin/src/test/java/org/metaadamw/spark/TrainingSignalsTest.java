package org.metaadamw.spark;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.junit.jupiter.api.Test;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConf;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.grouping.ParamTensor;
import org.metaadamw.meta.HypergradientController;
import org.metaadamw.meta.MetaAdamWController;
import org.metaadamw.stats.RoundStatistics;
import org.metaadamw.stats.RoundStatistics.Signal;
import org.metaadamw.train.LocalMetaAdamWTrainer;
import org.metaadamw.train.NetModel;
import org.metaadamw.train.RoundRecord;
import org.metaadamw.train.RoundWorker;
import org.metaadamw.train.WorkerResult;
import org.metaadamw.update.AdamWState;
import org.metaadamw.update.Modulation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code meta.signal=training}: a meta round makes no validation pass. Its loss-decrease signals are
 * the slope of the last local step's minibatch loss at θ_(K−1) along θ_(K−1) − θ_r (and along the
 * trace), checked here by finite differences; no minibatch is held out and a validation set given is
 * not read; Spark with one worker trains bit for bit as the single-JVM trainer does. Iris, double precision.
 */
class TrainingSignalsTest {
    private static final MetaAdamWConfig CFG = MetaAdamWConfig.builder().metaSignal("training").learningRate(1e-2).weightDecay(0)
            .averagingFrequency(3).numWorkers(1).validationHoldout(4).build();

    @Test
    void theSignalsAreTheSlopesOfTheLastStepsLossAlongItsDisplacementAndTheTrace() {
        var net = new NetModel(TestNets.mlp(5, DataType.DOUBLE, 1e-2, 0, false, false));
        ParamGroups groups = ParamGroups.of(net.network(), GroupingStrategy.of(CFG));
        RoundWorker worker = new RoundWorker(net, groups, CFG);
        List<DataSet> data = TestNets.toDouble(TestNets.irisBatches(10, 3));
        List<DataSet> batches = data.subList(0, 3);
        INDArray theta0 = net.params().dup();
        AdamWState st = AdamWState.zeros(theta0);
        Modulation mod = Modulation.neutral(groups.count());
        INDArray trace = Nd4j.rand(DataType.DOUBLE, theta0.shape()).subi(0.5).muli(0.05);
        // a validation minibatch of the wrong width: reading it would throw
        DataSet unreadable = new DataSet(Nd4j.ones(DataType.DOUBLE, 10, 7), data.get(3).getLabels());

        WorkerResult full = worker.run(theta0, st, mod, batches, unreadable, 0.5, 7, trace, true, false, true);
        WorkerResult upToLast = worker.run(theta0, st, mod, batches.subList(0, 2), null, 0.5, 7, null, true, false, false);
        INDArray thetaLast = upToLast.params();   // θ_(K−1): the same first two steps
        RoundStatistics rs = full.stats();
        assertEquals(1, rs.metaWorkers(), "a meta round");
        DataSet last = batches.get(2);

        // losses: L(θ_r) on the first minibatch and L(θ_(K−1)) on the last stand in for the validation losses
        net.params().assign(theta0);
        assertEquals(net.loss(batches.get(0)), rs.lossValStart(), 1e-12);
        net.params().assign(thetaLast);
        assertEquals(net.loss(last), rs.lossValEnd(), 1e-12);
        assertEquals(rs.lossTrain(), rs.lossValEnd(), 0.0, "the last training loss is L(θ_(K−1)) on the last minibatch");

        INDArray step = thetaLast.sub(theta0);
        double h = 1e-5;
        for (int g = 0; g < groups.count(); g++) {
            INDArray dStep = restricted(step, groups, g), dTrace = restricted(trace, groups, g);
            double slope = centralDifference(net, thetaLast, dStep, last, h);
            double traceSlope = centralDifference(net, thetaLast, dTrace, last, h);
            double[] s = java.util.Arrays.copyOfRange(rs.signalSums(), g * Signal.COUNT, (g + 1) * Signal.COUNT);
            System.out.printf("group %d %s: ⟨g, Δ⟩ %.6e (fd %.6e), ⟨g, μe⟩ %.6e (fd %.6e)%n", g, groups.name(g),
                    s[Signal.GV1_DELTA], slope, s[Signal.GV1_TRACE], traceSlope);
            assertEquals(slope, s[Signal.GV1_DELTA], 1e-6 * Math.max(1, Math.abs(slope)) + 1e-9, "group " + g + ": ⟨g_(K−1), θ_(K−1) − θ_r⟩");
            assertEquals(traceSlope, s[Signal.GV1_TRACE], 1e-6 * Math.max(1, Math.abs(traceSlope)) + 1e-9, "group " + g + ": ⟨g_(K−1), μe⟩");
            double dd = dStep.mul(dStep).sumNumber().doubleValue();
            assertEquals(dd, s[Signal.DELTA_SQ], 1e-12 * Math.max(1, dd), "‖θ_(K−1) − θ_r‖² of group " + g);
            assertTrue(Math.abs(s[Signal.GV1_DELTA]) > 1e-8, "a non-trivial slope in group " + g);
        }
        // the parameters and Adam state are those of a round without signals: nothing else changed
        WorkerResult plain = worker.run(theta0, st, mod, batches, null, 0.5, 7, null, true, false, false);
        assertEquals(plain.params(), full.params());
        assertEquals(plain.state().m(), full.state().m());

        // one local step: no displacement within the round, the slope along the trace only
        WorkerResult one = worker.run(theta0, st, mod, batches.subList(0, 1), unreadable, 0.5, 7, trace, true, false, true);
        for (int g = 0; g < groups.count(); g++) {
            assertEquals(0.0, one.stats().signalSums()[g * Signal.COUNT + Signal.GV1_DELTA], 0.0);
            double traceSlope = centralDifference(net, theta0, restricted(trace, groups, g), batches.get(0), h);
            assertEquals(traceSlope, one.stats().signalSums()[g * Signal.COUNT + Signal.GV1_TRACE], 1e-6 * Math.max(1, Math.abs(traceSlope)) + 1e-9);
        }
    }

    private static INDArray restricted(INDArray v, ParamGroups groups, int g) {
        INDArray r = Nd4j.zeros(v.dataType(), v.shape());
        for (ParamTensor t : groups.members(g)) {
            for (long i = t.offset(); i < t.offset() + t.length(); i++) {
                r.putScalar(i, v.getDouble(i));
            }
        }
        return r;
    }

    private static double centralDifference(NetModel net, INDArray at, INDArray dir, DataSet ds, double h) {
        net.params().assign(at.add(dir.mul(h)));
        double up = net.loss(ds);
        net.params().assign(at.sub(dir.mul(h)));
        double down = net.loss(ds);
        return (up - down) / (2 * h);
    }

    @Test
    void noMinibatchIsHeldOutAndAGivenValidationSetIsNotRead() {
        List<DataSet> data = TestNets.toDouble(TestNets.irisBatches(10, 1));
        MetaAdamWConfig validation = CFG.toBuilder().metaSignal("validation").build();
        assertFalse(new MetaAdamWController(CFG).usesValidation());
        assertFalse(new HypergradientController(CFG.toBuilder().controller("hypergradient").build()).usesValidation());
        assertTrue(new MetaAdamWController(validation).usesValidation());
        Object[] r = SparkTestSupport.withSpark("local[2]", Map.of(), sc -> {
            var rdd = sc.parallelize(data, 2);
            long roundsTraining = new SparkMetaAdamW(sc, TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false), CFG).roundsPerEpoch(rdd, null);
            long roundsValidation = new SparkMetaAdamW(sc, TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false), validation).roundsPerEpoch(rdd, null);
            var a = TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false);
            var ta = new SparkMetaAdamW(sc, a, CFG);
            ta.fit(rdd, null, 3);
            var b = TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false);
            // validation minibatches of the wrong width: reading one would fail the round
            List<DataSet> bad = List.of(new DataSet(Nd4j.ones(DataType.DOUBLE, 10, 7), data.get(0).getLabels()));
            new SparkMetaAdamW(sc, b, CFG).fit(rdd, sc.parallelize(bad, 1), 3);
            return new Object[]{roundsTraining, roundsValidation, a.params().dup(), b.params().dup(), ta.history()};
        });
        assertEquals(5L, r[0], "15 minibatches, K = 3, none held out");
        assertNotEquals(r[0], r[1], "validation signals hold out 1 in 4 minibatches");
        assertEquals(r[2], r[3], "a validation set given is not read");
        @SuppressWarnings("unchecked")
        List<RoundRecord> h = (List<RoundRecord>) r[4];
        assertTrue(h.stream().anyMatch(x -> Math.abs(x.alpha()[0] - 1) > 1e-3), "meta-steps were taken");
        assertTrue(h.stream().noneMatch(RoundRecord::rolledBack));
        assertTrue(h.stream().filter(x -> x.round() >= 1).allMatch(x -> Double.isFinite(x.lossValEnd())),
                "every round from round 1 on is a meta round with signals");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "controller={0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"metaadamw", "hypergradient"})
    void onePartitionEqualsTheSingleJvmTrainer(String controller) {
        MetaAdamWConfig cfg = CFG.toBuilder().controller(controller).build();
        List<DataSet> data = TestNets.toDouble(TestNets.irisBatches(10, 1));
        INDArray spark = SparkTestSupport.withSpark("local[2]", Map.of(), sc -> {
            var a = TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false);
            new SparkMetaAdamW(sc, a, cfg).fit(sc.parallelize(data, 2), null, 2);
            return a.params().dup();
        });
        var net = TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false);
        LocalMetaAdamWTrainer t = new LocalMetaAdamWTrainer(net, cfg);
        t.fit(new ListDataSetIterator<>(data, 1), null, 2);
        double diff = spark.sub(net.params()).amaxNumber().doubleValue();
        System.out.printf("training signals, 1 partition vs single JVM: max |Δθ| = %.3e%n", diff);
        assertEquals(0.0, diff, 0.0, "bit for bit: max |Δθ| = " + diff);
        assertTrue(t.history().stream().anyMatch(x -> Math.abs(x.alpha()[0] - 1) > 1e-3), "the controller must be learning");
    }

    @Test
    void objectivesThatNeedValidationPassesAreRefusedByName() {
        var gap = assertThrows(IllegalArgumentException.class,
                () -> MetaAdamWConfig.builder().metaSignal("training").metaTerms("lossDecrease,gap").build());
        assertTrue(gap.getMessage().contains(MetaAdamWConf.META_SIGNAL.key()) && gap.getMessage().contains("lossDecrease,gap"), gap.getMessage());
        var paper = assertThrows(IllegalArgumentException.class,
                () -> MetaAdamWConfig.fromMap(Map.of("spark.metaadamw.preset", "paper", "spark.metaadamw.meta.signal", "training")));
        assertTrue(paper.getMessage().contains("alignment"), paper.getMessage());
        var averaged = assertThrows(IllegalArgumentException.class,
                () -> MetaAdamWConfig.builder().metaSignal("training").stepEstimate("averaged").build());
        assertTrue(averaged.getMessage().contains(MetaAdamWConf.META_STEP_ESTIMATE.key()), averaged.getMessage());
        // no validation passes: a cost budget has nothing to lengthen
        assertEquals(1, MetaAdamWConfig.builder().metaSignal("training").metaCostBudget(0.05).build().metaInterval());
        assertEquals(6, MetaAdamWConfig.builder().metaCostBudget(0.05).build().metaInterval());
        assertArrayEquals(new boolean[]{false, true, false}, CFG.metaTerms());
    }

    @Test
    void autoTakesTrainingSignalsWhereTheyAreDefinedAndValidationPassesElsewhere() {
        assertTrue(MetaAdamWConfig.builder().metaSignal("auto").build().trainingSignals());
        assertTrue(MetaAdamWConfig.builder().metaSignal("auto").controller("hypergradient").build().trainingSignals());
        assertFalse(MetaAdamWConfig.builder().metaSignal("auto").metaTerms("lossDecrease,gap").build().trainingSignals());
        assertFalse(MetaAdamWConfig.builder().metaSignal("auto").metaTerms("alignment").build().trainingSignals());
        assertFalse(MetaAdamWConfig.builder().metaSignal("auto").stepEstimate("averaged").build().trainingSignals());
        assertFalse(MetaAdamWConfig.fromMap(Map.of("spark.metaadamw.preset", "paper", "spark.metaadamw.meta.signal", "auto")).trainingSignals());
        assertFalse(MetaAdamWConfig.builder().metaSignal("validation").build().trainingSignals());
        // auto with validation passes: a cost budget lengthens the interval as for validation
        assertEquals(6, MetaAdamWConfig.builder().metaSignal("auto").metaTerms("lossDecrease,gap").metaCostBudget(0.05).build().metaInterval());
    }
}
