package org.metaadamw.train;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConf;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.update.L3rsParams;
import org.metaadamw.update.L3rsState;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code l3rs} controller end to end in one JVM, on the Iris MLP: with a pure-Adam φ file it trains
 * exactly as {@code adamw}; with a learned-looking φ it trains differently and a resumed run equals an
 * uninterrupted one bit for bit; its settings and files are checked with messages that name the key.
 */
class L3rsTrainingTest {
    static MetaAdamWConfig.Builder base() {
        return MetaAdamWConfig.builder().shuffle(false).learningRate(1e-2).weightDecay(1e-2).averagingFrequency(3).seed(7);
    }

    static List<DataSet> data(DataType type) {
        List<DataSet> b = TestNets.irisBatches(10, 3);
        return type == DataType.DOUBLE ? TestNets.toDouble(b) : b;
    }

    static MultiLayerNetwork net(DataType type) {
        return TestNets.mlp(4, type, 1e-2, 0, false, false);
    }

    static List<String> groupNames(MetaAdamWConfig cfg) {
        return ParamGroups.of(net(DataType.DOUBLE), GroupingStrategy.of(cfg)).names();
    }

    /** A φ with random weights (std 0.5): per-group mixes strictly between Adam and SGD, scales off 1. */
    static Path learnedPhi(Path dir, MetaAdamWConfig cfg) throws IOException {
        Path f = dir.resolve("phi.json");
        Files.writeString(f, L3rsParams.initial(8, 4, groupNames(cfg), 0.9, 0.02, 0.5, 21).toJson());
        return f;
    }

    static LocalMetaAdamWTrainer train(MetaAdamWConfig cfg, DataType type, int epochs) {
        LocalMetaAdamWTrainer t = new LocalMetaAdamWTrainer(net(type), cfg);
        t.fit(new ListDataSetIterator<>(data(type), 1), null, epochs);
        return t;
    }

    static double maxAbsDiff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DataType.class, names = {"DOUBLE", "FLOAT"})
    void withAPureAdamPhiItTrainsBitForBitAsAdamW(DataType type, @TempDir Path dir) throws IOException {
        int groups = groupNames(base().build()).size();
        Path f = dir.resolve("adam.json");
        Files.writeString(f, L3rsParams.pure(true, 8, 4, groups, 0.9, 0.05).toJson());
        LocalMetaAdamWTrainer adamw = train(base().controller("adamw").build(), type, 3);
        LocalMetaAdamWTrainer l3rs = train(base().controller("l3rs").l3rsParams(f.toString()).build(), type, 3);
        double dTheta = maxAbsDiff(adamw.network().params(), l3rs.network().params());
        double dM = maxAbsDiff(adamw.adamState().m(), l3rs.adamState().m()), dV = maxAbsDiff(adamw.adamState().v(), l3rs.adamState().v());
        double moved = maxAbsDiff(l3rs.network().params(), net(type).params());
        System.out.printf(Locale.ROOT, "%s, %d rounds: l3rs (pure-Adam φ) vs adamw: max |Δθ| = %.3e, |Δm| = %.3e, |Δv| = %.3e (θ moved %.3e)%n",
                type, l3rs.history().size(), dTheta, dM, dV, moved);
        assertEquals(0.0, dTheta, 0.0);
        assertEquals(0.0, dM, 0.0);
        assertEquals(0.0, dV, 0.0);
        assertEquals(adamw.adamState().step(), l3rs.adamState().step());
        assertTrue(moved > 0.05, "the network must have trained: " + moved);
        assertEquals("l3rs", l3rs.controllerName());
    }

    @Test
    void aLearnedPhiTrainsDifferentlyAndLowersTheLoss(@TempDir Path dir) throws IOException {
        MetaAdamWConfig cfg = base().controller("l3rs").l3rsParams(learnedPhi(dir, base().build()).toString()).build();
        LocalMetaAdamWTrainer t = train(cfg, DataType.DOUBLE, 3);
        LocalMetaAdamWTrainer adamw = train(base().controller("adamw").build(), DataType.DOUBLE, 3);
        List<RoundRecord> h = t.history();
        double d = maxAbsDiff(t.network().params(), adamw.network().params());
        System.out.printf(Locale.ROOT, "l3rs (random φ), %d rounds: loss %.4f → %.4f; max |θ − θ_adamw| = %.3e; |b| max %.3e%n", h.size(),
                h.get(0).lossTrain(), h.get(h.size() - 1).lossTrain(), d, t.l3rsState().b().amaxNumber().doubleValue());
        assertTrue(d > 1e-3, "a mix with SGD must train differently from AdamW: " + d);
        assertTrue(h.get(h.size() - 1).lossTrain() < h.get(0).lossTrain(), "the training loss must fall");
        assertTrue(t.l3rsState().b().amaxNumber().doubleValue() > 0, "the SGD momentum is kept");
    }

    static INDArray[] resumable(MetaAdamWConfig cfg, Path dir, int stopAfter, boolean resume) {
        LocalMetaAdamWTrainer t = new LocalMetaAdamWTrainer(net(DataType.DOUBLE), cfg.toBuilder()
                .checkpoint(dir == null ? "" : dir.toUri().toString(), 2, 2).build());
        if (resume) {
            assertTrue(t.resume(), "a checkpoint must be there");
        }
        if (!KilledRun.fit(t, stopAfter, () -> t.fit(new ListDataSetIterator<>(data(DataType.DOUBLE), 1), null, 3))) {
            return null;
        }
        L3rsState s = t.l3rsState();
        return new INDArray[]{t.network().params().dup(), s.m(), s.v(), s.b()};
    }

    @Test
    void aResumedRunEqualsAnUninterruptedOneBitForBit(@TempDir Path dir) throws IOException {
        MetaAdamWConfig cfg = base().controller("l3rs").l3rsParams(learnedPhi(dir, base().build()).toString()).build();
        Path ck = dir.resolve("ck");
        INDArray[] a = resumable(cfg, null, -1, false);
        assertNull(resumable(cfg, ck, 6, false));
        INDArray[] b = resumable(cfg, ck, -1, true);
        double[] d = new double[4];
        for (int i = 0; i < 4; i++) {
            d[i] = maxAbsDiff(a[i], b[i]);
        }
        System.out.printf(Locale.ROOT, "l3rs resumed after round 6 vs uninterrupted: max |Δθ| = %.3e, |Δm| = %.3e, |Δv| = %.3e, |Δb| = %.3e%n",
                d[0], d[1], d[2], d[3]);
        for (double x : d) {
            assertEquals(0.0, x, 0.0);
        }
        try (var dirs = Files.list(ck)) {
            List<Path> rounds = dirs.filter(p -> p.getFileName().toString().startsWith("round-")).toList();
            assertTrue(!rounds.isEmpty() && rounds.stream().allMatch(p -> Files.exists(p.resolve("l3rs.bin"))),
                    "the SGD momentum is checkpointed: " + rounds);
        }

        // another φ does not resume this run, nor does another controller
        Path other = dir.resolve("other.json");
        Files.writeString(other, L3rsParams.initial(8, 4, groupNames(cfg), 0.9, 0.02, 0.5, 22).toJson());
        var e = assertThrows(RuntimeException.class, () -> new LocalMetaAdamWTrainer(net(DataType.DOUBLE), cfg.toBuilder()
                .l3rsParams(other.toString()).checkpoint(ck.toUri().toString(), 2, 2).build()).resume());
        assertTrue(e.getMessage().contains("another L3RS φ") || String.valueOf(e.getCause()).contains("another L3RS φ"), e.toString());
        var f = assertThrows(UncheckedIOException.class, () -> new LocalMetaAdamWTrainer(net(DataType.DOUBLE), base().controller("adamw")
                .checkpoint(ck.toUri().toString(), 2, 2).build()).resume());
        assertTrue(f.getMessage().contains("workers running L3RS"), f.getMessage());
    }

    /** A minibatch with a NaN feature inside round 1 of each epoch: the round is rolled back, nothing non-finite reaches θ or the L3RS state. */
    @Test
    void aRoundThatProducesNaNIsRolledBack(@TempDir Path dir) throws IOException {
        List<DataSet> batches = new java.util.ArrayList<>(data(DataType.DOUBLE));
        DataSet bad = batches.get(4).copy();
        bad.getFeatures().putScalar(0, 0, Double.NaN);
        batches.set(4, bad);   // the second step of round 1 (K = 3)
        MultiLayerNetwork n = net(DataType.DOUBLE);
        LocalMetaAdamWTrainer t = new LocalMetaAdamWTrainer(n, base().controller("l3rs")
                .l3rsParams(learnedPhi(dir, base().build()).toString()).build());
        t.fit(new ListDataSetIterator<>(batches, 1), null, 2);
        long rolled = t.history().stream().filter(RoundRecord::rolledBack).count();
        System.out.printf(Locale.ROOT, "l3rs with a NaN minibatch: %d of %d rounds rolled back%n", rolled, t.history().size());
        assertEquals(2, rolled, "the poisoned round of each epoch");
        L3rsState s = t.l3rsState();
        assertTrue(RoundWorker.isFinite(n.params()) && RoundWorker.isFinite(s.m()) && RoundWorker.isFinite(s.v())
                && RoundWorker.isFinite(s.b()));
        assertTrue(!t.history().get(t.history().size() - 1).rolledBack());
    }

    @Test
    void settingsAndFilesAreCheckedNamingTheKey(@TempDir Path dir) throws IOException {
        String key = MetaAdamWConf.L3RS_PARAMS.key();
        var e = assertThrows(IllegalArgumentException.class, () -> base().controller("l3rs").build());
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains("controller"), e.getMessage());
        Path missing = dir.resolve("nope.json");
        var m = assertThrows(IllegalArgumentException.class, () -> new LocalMetaAdamWTrainer(net(DataType.DOUBLE),
                base().controller("l3rs").l3rsParams(missing.toString()).build()));
        assertTrue(m.getMessage().contains(key) && m.getMessage().contains("nope.json"), m.getMessage());
        Path junk = dir.resolve("junk.json");
        Files.writeString(junk, "{\"format\": 1, \"rule\": \"l3rs\", \"features\": [\"log10RmsGradient\", \"log10RmsParameter\", \"progress\"]}");
        var j = assertThrows(IllegalArgumentException.class, () -> new LocalMetaAdamWTrainer(net(DataType.DOUBLE),
                base().controller("l3rs").l3rsParams(junk.toString()).build()));
        assertTrue(j.getMessage().contains(key) && j.getMessage().contains("missing 'hidden'"), j.getMessage());
        Path layer = dir.resolve("layer.json");
        Files.writeString(layer, L3rsParams.initial(8, 4, groupNames(base().grouping("layer").build()), 0.9, 0.02, 0.5, 21).toJson());
        var g = assertThrows(IllegalArgumentException.class, () -> new LocalMetaAdamWTrainer(net(DataType.DOUBLE),
                base().controller("l3rs").l3rsParams(layer.toString()).build()));
        assertTrue(g.getMessage().contains(key) && g.getMessage().contains("parameter groups"), g.getMessage());
    }
}
