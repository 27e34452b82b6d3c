package org.metaadamw.train;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.update.HypergradientSum;
import org.metaadamw.update.MadaCoefficients;
import org.metaadamw.update.MadaCoefficients.Coefficient;
import org.metaadamw.update.MadaState;
import org.metaadamw.update.UpdateRule;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code mada} controller end to end in one JVM, on the Iris MLP: frozen at the Adam corner it
 * trains exactly as {@code adamw}; with its hypergradient learning rates on, the coefficients move and
 * each round's step is {@link MadaCoefficients#hyperStep} of what the worker sent; a resumed run equals
 * an uninterrupted one.
 */
class MadaTrainingTest {
    /** β2 = 0.99: inside MADA's range, so that the Adam corner and AdamW use the same β2. */
    static MetaAdamWConfig.Builder base() {
        return MetaAdamWConfig.builder().shuffle(false).learningRate(1e-2).beta2(0.99).averagingFrequency(3).seed(7);
    }

    static List<DataSet> data(DataType type) {
        List<DataSet> b = TestNets.irisBatches(10, 3);
        return type == DataType.DOUBLE ? TestNets.toDouble(b) : b;
    }

    static LocalMetaAdamWTrainer train(MetaAdamWConfig cfg, DataType type, int epochs, List<RoundRecord> records) {
        MultiLayerNetwork net = TestNets.mlp(4, type, 1e-2, 0, false, false);
        LocalMetaAdamWTrainer t = new LocalMetaAdamWTrainer(net, cfg);
        if (records != null) {
            t.onRound(records::add);
        }
        t.fit(new ListDataSetIterator<>(data(type), 1), null, epochs);
        return t;
    }

    static double maxAbsDiff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DataType.class, names = {"DOUBLE", "FLOAT"})
    void frozenAtTheAdamCornerItTrainsBitForBitAsAdamW(DataType type) {
        LocalMetaAdamWTrainer adamw = train(base().controller("adamw").build(), type, 3, null);
        List<RoundRecord> rounds = new ArrayList<>();
        LocalMetaAdamWTrainer mada = train(base().controller("mada").madaLearningRates(0, 0, 0, 0, 0, 0).build(), type, 3, rounds);
        double dTheta = maxAbsDiff(adamw.network().params(), mada.network().params());
        double dM = maxAbsDiff(adamw.adamState().m(), mada.adamState().m()), dV = maxAbsDiff(adamw.adamState().v(), mada.adamState().v());
        double moved = maxAbsDiff(mada.network().params(), TestNets.mlp(4, type, 1e-2, 0, false, false).params());
        System.out.printf(Locale.ROOT, "%s, %d rounds: mada (adam corner, rates 0) vs adamw: max |Δθ| = %.3e, |Δm| = %.3e, |Δv| = %.3e "
                + "(θ moved %.3e from its start)%n", type, rounds.size(), dTheta, dM, dV, moved);
        assertEquals(0.0, dTheta, 0.0);
        assertEquals(0.0, dM, 0.0);
        assertEquals(0.0, dV, 0.0);
        assertEquals(adamw.adamState().step(), mada.adamState().step());
        assertTrue(moved > 0.05, "the network must have trained: " + moved);
        // the hypergradients were computed (K − 1 = 2 per full round) and changed nothing
        assertEquals(2.0, rounds.get(0).metrics().get("mada.signals"), 0.0);
        assertEquals(0.9, mada.controllerMetrics().get("mada.beta1"), 0.0);
        assertEquals(1.0, mada.controllerMetrics().get("mada.gamma"), 0.0);
    }

    /**
     * Round 0 by hand: a separate worker on a separate copy of the network runs the round's K steps
     * from the same start and returns its hypergradient sum; the trainer's coefficients after round 0
     * must be hyperStep of exactly that sum (bit for bit), and its parameters those of the worker.
     */
    @ParameterizedTest(name = "coefficients {0}")
    @CsvSource({"global", "group"})
    void theDriverStepIsHyperStepOfTheWorkersSignalsAndTheCoefficientsMove(String sets) {
        MetaAdamWConfig cfg = base().controller("mada").madaCoefficients(sets).build();
        List<RoundRecord> rounds = new ArrayList<>();
        LocalMetaAdamWTrainer t = train(cfg, DataType.DOUBLE, 3, rounds);

        MultiLayerNetwork copy = TestNets.mlp(4, DataType.DOUBLE, 1e-2, 0, false, false);
        ParamGroups groups = ParamGroups.of(copy, GroupingStrategy.of(cfg));
        MadaCoefficients start = MadaCoefficients.adam(0.9, 0.99);
        if (sets.equals("group")) {
            start = start.perGroupCopy(groups.count());
        }
        RoundWorker worker = new RoundWorker(new NetModel(copy), groups, cfg);
        INDArray theta0 = copy.params().dup();
        WorkerResult r = worker.runMada(theta0, MadaState.zeros(theta0), UpdateRule.mada(start, 0.95, 0.98), data(DataType.DOUBLE).subList(0, 3),
                new RoundCoordinator(cfg, groups, org.metaadamw.meta.Controllers.create(cfg)).roundSeed());
        HypergradientSum h = r.hypergradients();
        assertEquals(2, h.contributions());
        MadaCoefficients expected = start.hyperStep(h.sum(), h.contributions(), cfg.madaLearningRates());
        Map<String, Double> after0 = rounds.get(0).metrics();
        int checked = 0;
        for (int s = 0; s < expected.sets(); s++) {
            for (Coefficient k : Coefficient.values()) {
                String name = "mada." + k.name().toLowerCase(Locale.ROOT) + (expected.isGlobal() ? "" : "." + s);
                assertEquals(expected.get(s, k), after0.get(name), 0.0, name);
                checked++;
            }
        }
        assertTrue(!expected.equals(start), "round 0 must move the coefficients: " + expected);

        // over the run the coefficients keep moving, inside their ranges
        Map<String, Double> end = t.controllerMetrics();
        double maxMove = 0;
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < expected.sets(); s++) {
            for (Coefficient k : Coefficient.values()) {
                String name = "mada." + k.name().toLowerCase(Locale.ROOT) + (expected.isGlobal() ? "" : "." + s);
                double v = end.get(name);
                assertTrue(v >= k.min() && v <= k.max(), name + " = " + v);
                maxMove = Math.max(maxMove, Math.abs(v - start.get(s, k)));
                if (s == 0) {
                    sb.append(String.format(Locale.ROOT, " %s %.6f→%.6f", k.label(), start.get(s, k), v));
                }
            }
        }
        System.out.printf(Locale.ROOT, "mada %s, %d coefficients checked against hyperStep after round 0; after %d rounds (set 0):%s; "
                + "max |Δk| = %.4f; loss %.4f → %.4f%n", sets, checked, rounds.size(), sb, maxMove, rounds.get(0).lossTrain(),
                rounds.get(rounds.size() - 1).lossTrain());
        assertTrue(maxMove > 1e-3, "the coefficients must move off their start: max |Δk| = " + maxMove);
        assertEquals(0.0, end.get("mada.skippedNonFinite"), 0.0);
        assertTrue(rounds.get(rounds.size() - 1).lossTrain() < rounds.get(0).lossTrain(), "the training loss must fall");
    }

    static INDArray[] resumable(MetaAdamWConfig cfg, Path dir, int stopAfter, boolean resume, Map<String, Double>[] metrics) {
        MultiLayerNetwork net = TestNets.mlp(4, DataType.DOUBLE, 1e-2, 0, false, false);
        LocalMetaAdamWTrainer t = new LocalMetaAdamWTrainer(net, cfg.toBuilder()
                .checkpoint(dir == null ? "" : dir.toUri().toString(), 2, 2).build());
        if (resume) {
            assertTrue(t.resume(), "a checkpoint must be there");
        }
        if (!KilledRun.fit(t, stopAfter, () -> t.fit(new ListDataSetIterator<>(data(DataType.DOUBLE), 1), null, 3))) {
            return null;
        }
        metrics[0] = t.controllerMetrics();
        return new INDArray[]{net.params().dup(), t.adamState().m(), t.adamState().v()};
    }

    @ParameterizedTest(name = "initial {0}, coefficients {1}")
    @CsvSource({"adam, global", "yogi, group", "adan, global"})
    @SuppressWarnings("unchecked")
    void aResumedRunEqualsAnUninterruptedOneBitForBit(String initial, String sets, @TempDir Path dir) {
        MetaAdamWConfig cfg = base().controller("mada").madaInitial(initial).madaCoefficients(sets).build();
        Map<String, Double>[] clean = new Map[1], resumed = new Map[1];
        INDArray[] a = resumable(cfg, null, -1, false, clean);
        assertNull(resumable(cfg, dir, 6, false, null));
        INDArray[] b = resumable(cfg, dir, -1, true, resumed);
        double dTheta = maxAbsDiff(a[0], b[0]), dM = maxAbsDiff(a[1], b[1]), dV = maxAbsDiff(a[2], b[2]);
        System.out.printf(Locale.ROOT, "mada %s/%s resumed after round 6 vs uninterrupted: max |Δθ| = %.3e, |Δm| = %.3e, |Δv| = %.3e, "
                + "coefficients equal: %s (γ = %s)%n", initial, sets, dTheta, dM, dV, clean[0].equals(resumed[0]),
                clean[0].get(sets.equals("global") ? "mada.gamma" : "mada.gamma.0"));
        assertEquals(0.0, dTheta, 0.0);
        assertEquals(0.0, dM, 0.0);
        assertEquals(0.0, dV, 0.0);
        assertEquals(clean[0], resumed[0], "the controller's coefficients");
    }

    /** A minibatch with a NaN feature inside round 1 of each epoch: the round is rolled back and nothing non-finite reaches θ, the state or the coefficients. */
    @Test
    void aRoundThatProducesNaNIsRolledBackAndTheCoefficientsKeepTheirValues() {
        List<DataSet> batches = new ArrayList<>(data(DataType.DOUBLE));
        DataSet bad = batches.get(4).copy();
        bad.getFeatures().putScalar(0, 0, Double.NaN);
        batches.set(4, bad);   // the second step of round 1 (K = 3)
        MultiLayerNetwork net = TestNets.mlp(4, DataType.DOUBLE, 1e-2, 0, false, false);
        LocalMetaAdamWTrainer t = new LocalMetaAdamWTrainer(net, base().controller("mada").build());
        t.fit(new ListDataSetIterator<>(batches, 1), null, 2);
        List<RoundRecord> h = t.history();
        int rolled = 0;
        for (int i = 0; i < h.size(); i++) {
            if (h.get(i).rolledBack()) {
                rolled++;
                assertEquals(h.get(i - 1).metrics().get("mada.gamma"), h.get(i).metrics().get("mada.gamma"), 0.0, "round " + i);
                assertEquals(h.get(i - 1).metrics().get("mada.beta3"), h.get(i).metrics().get("mada.beta3"), 0.0, "round " + i);
            }
            for (var e : h.get(i).metrics().entrySet()) {
                assertTrue(Double.isFinite(e.getValue()), "round " + i + ": " + e);
            }
        }
        System.out.printf(Locale.ROOT, "mada with a NaN minibatch: %d of %d rounds rolled back, γ at the end %s%n", rolled, h.size(),
                t.controllerMetrics().get("mada.gamma"));
        assertEquals(2, rolled, "the poisoned round of each epoch");
        assertTrue(RoundWorker.isFinite(net.params()));
        assertTrue(RoundWorker.isFinite(t.adamState().m()) && RoundWorker.isFinite(t.adamState().v()));
        assertTrue(!h.get(h.size() - 1).rolledBack());
        assertTrue(h.get(h.size() - 1).metrics().get("mada.gamma") != 1.0, "the coefficients kept learning");
    }

    @Test
    void aMadaCheckpointIsNotResumedByAnAdamWTrainerNorTheOtherWay(@TempDir Path dir) {
        MetaAdamWConfig cfg = base().controller("mada").checkpoint(dir.toUri().toString(), 2, 2).build();
        MultiLayerNetwork net = TestNets.mlp(4, DataType.DOUBLE, 1e-2, 0, false, false);
        LocalMetaAdamWTrainer t = new LocalMetaAdamWTrainer(net, cfg);
        t.fit(new ListDataSetIterator<>(data(DataType.DOUBLE), 1), null, 1);
        var e = assertThrows(UncheckedIOException.class, () -> new LocalMetaAdamWTrainer(TestNets.mlp(4, DataType.DOUBLE, 1e-2, 0, false, false),
                cfg.toBuilder().controller("adamw").build()).resume());
        assertTrue(e.getMessage().contains("round-") && e.getMessage().contains("workers running MADA"), e.getMessage());
        Path other = dir.resolve("adamw");
        new LocalMetaAdamWTrainer(TestNets.mlp(4, DataType.DOUBLE, 1e-2, 0, false, false),
                cfg.toBuilder().controller("adamw").checkpoint(other.toUri().toString(), 2, 2).build())
                .fit(new ListDataSetIterator<>(data(DataType.DOUBLE), 1), null, 1);
        var f = assertThrows(UncheckedIOException.class, () -> new LocalMetaAdamWTrainer(TestNets.mlp(4, DataType.DOUBLE, 1e-2, 0, false, false),
                cfg.toBuilder().checkpoint(other.toUri().toString(), 2, 2).build()).resume());
        assertTrue(f.getMessage().contains("workers running AdamW") && f.getMessage().contains("runs MADA"), f.getMessage());
    }
}
