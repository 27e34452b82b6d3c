package org.metaadamw.train;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConf;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.update.LstmParams;
import org.metaadamw.update.LstmState;
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
 * The {@code lstm} controller end to end in one JVM, on the Iris MLP: the signum-like φ0 lowers the loss;
 * a resumed run equals an uninterrupted one bit for bit (θ and the LSTM state, {@code lstm.bin}), and is not
 * resumed with another φ or by {@code adamw}; a NaN minibatch rolls its round back; bad settings and files
 * are refused naming {@code spark.metaadamw.lstm.params}.
 */
class LstmTrainingTest {
    static MetaAdamWConfig.Builder base() {
        return MetaAdamWConfig.builder().learningRate(1e-2).weightDecay(1e-2).averagingFrequency(3).seed(7);
    }

    static List<DataSet> data() {
        return TestNets.toDouble(TestNets.irisBatches(10, 3));
    }

    static MultiLayerNetwork net() {
        return TestNets.mlp(4, DataType.DOUBLE, 1e-2, 0, false, false);
    }

    static Path phi(Path dir, long seed) throws IOException {
        Path f = dir.resolve("lstm-" + seed + ".json");
        Files.writeString(f, LstmParams.initial(20, LstmParams.PAPER_P, 1.0, 0.05, seed).toJson());
        return f;
    }

    static double loss(MultiLayerNetwork n) {
        NetModel m = new NetModel(n);
        double s = 0;
        for (DataSet d : data()) {
            s += m.loss(d, false);
        }
        return s / data().size();
    }

    @Test
    void theInitialPhiLowersTheLoss(@TempDir Path dir) throws IOException {
        MultiLayerNetwork n = net();
        double before = loss(n);
        LocalMetaAdamWTrainer t = new LocalMetaAdamWTrainer(n, base().controller("lstm").lstmParams(phi(dir, 1).toString()).build());
        t.fit(new ListDataSetIterator<>(data(), 1), null, 3);
        double after = loss(n);
        System.out.printf(Locale.ROOT, "lstm (φ0) on Iris, 3 epochs (%d rounds): mean training loss %.4f → %.4f; state %d values for %d parameters%n",
                t.history().size(), before, after, t.lstmState().values().length(), n.numParams());
        assertTrue(after < 0.6 * before, before + " → " + after);
        assertEquals(80 * n.numParams(), t.lstmState().values().length());
        assertEquals(45, t.lstmState().step());
    }

    static INDArray[] resumable(MetaAdamWConfig cfg, Path dir, int stopAfter, boolean resume) {
        LocalMetaAdamWTrainer t = new LocalMetaAdamWTrainer(net(), cfg.toBuilder().checkpoint(dir == null ? "" : dir.toUri().toString(), 2, 2).build());
        if (resume) {
            assertTrue(t.resume(), "a checkpoint must be there");
        }
        if (!KilledRun.fit(t, stopAfter, () -> t.fit(new ListDataSetIterator<>(data(), 1), null, 3))) {
            return null;
        }
        return new INDArray[]{t.network().params().dup(), t.lstmState().values()};
    }

    @Test
    void aResumedRunEqualsAnUninterruptedOneBitForBit(@TempDir Path dir) throws IOException {
        MetaAdamWConfig cfg = base().controller("lstm").lstmParams(phi(dir, 1).toString()).build();
        Path ck = dir.resolve("ck");
        INDArray[] a = resumable(cfg, null, -1, false);
        assertNull(resumable(cfg, ck, 6, false));
        INDArray[] b = resumable(cfg, ck, -1, true);
        double dTheta = a[0].sub(b[0]).amaxNumber().doubleValue(), dState = a[1].sub(b[1]).amaxNumber().doubleValue();
        System.out.printf(Locale.ROOT, "lstm resumed after round 6 vs uninterrupted: max |Δθ| = %.3e, |Δstate| = %.3e%n", dTheta, dState);
        assertEquals(0.0, dTheta, 0.0);
        assertEquals(0.0, dState, 0.0);
        try (var dirs = Files.list(ck)) {
            List<Path> rounds = dirs.filter(p -> p.getFileName().toString().startsWith("round-")).toList();
            assertTrue(!rounds.isEmpty() && rounds.stream().allMatch(p -> Files.exists(p.resolve("lstm.bin"))), "the LSTM state is checkpointed");
        }
        var e = assertThrows(RuntimeException.class, () -> new LocalMetaAdamWTrainer(net(), cfg.toBuilder()
                .lstmParams(phi(dir, 2).toString()).checkpoint(ck.toUri().toString(), 2, 2).build()).resume());
        assertTrue(e.getMessage().contains("another LSTM φ") || String.valueOf(e.getCause()).contains("another LSTM φ"), e.toString());
        var f = assertThrows(UncheckedIOException.class, () -> new LocalMetaAdamWTrainer(net(), base().controller("adamw")
                .checkpoint(ck.toUri().toString(), 2, 2).build()).resume());
        assertTrue(f.getMessage().contains("workers running LSTM"), f.getMessage());
    }

    @Test
    void aRoundThatProducesNaNIsRolledBack(@TempDir Path dir) throws IOException {
        List<DataSet> batches = new java.util.ArrayList<>(data());
        DataSet bad = batches.get(4).copy();
        bad.getFeatures().putScalar(0, 0, Double.NaN);
        batches.set(4, bad);
        MultiLayerNetwork n = net();
        LocalMetaAdamWTrainer t = new LocalMetaAdamWTrainer(n, base().controller("lstm").lstmParams(phi(dir, 1).toString()).build());
        t.fit(new ListDataSetIterator<>(batches, 1), null, 2);
        long rolled = t.history().stream().filter(RoundRecord::rolledBack).count();
        System.out.printf(Locale.ROOT, "lstm with a NaN minibatch: %d of %d rounds rolled back%n", rolled, t.history().size());
        assertEquals(2, rolled, "the poisoned round of each epoch");
        LstmState s = t.lstmState();
        assertTrue(RoundWorker.isFinite(n.params()) && s.isFinite());
    }

    @Test
    void settingsAndFilesAreCheckedNamingTheKey(@TempDir Path dir) throws IOException {
        String key = MetaAdamWConf.LSTM_PARAMS.key();
        var e = assertThrows(IllegalArgumentException.class, () -> base().controller("lstm").build());
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains("controller"), e.getMessage());
        Path missing = dir.resolve("nope.json");
        var m = assertThrows(IllegalArgumentException.class, () -> new LocalMetaAdamWTrainer(net(),
                base().controller("lstm").lstmParams(missing.toString()).build()));
        assertTrue(m.getMessage().contains(key) && m.getMessage().contains("nope.json") && m.getMessage().contains("cannot read"), m.getMessage());
        Path junk = dir.resolve("junk.json");
        Files.writeString(junk, "{\"format\": 1, \"rule\": \"lstm\", \"hidden\": 20}");
        var j = assertThrows(IllegalArgumentException.class, () -> new LocalMetaAdamWTrainer(net(),
                base().controller("lstm").lstmParams(junk.toString()).build()));
        assertTrue(j.getMessage().contains(key) && j.getMessage().contains("junk.json") && j.getMessage().contains("missing 'layers'"), j.getMessage());
        Path l3rs = dir.resolve("l3rs.json");
        Files.writeString(l3rs, "{\"format\": 1, \"rule\": \"l3rs\"}");
        var w = assertThrows(IllegalArgumentException.class, () -> new LocalMetaAdamWTrainer(net(),
                base().controller("lstm").lstmParams(l3rs.toString()).build()));
        assertTrue(w.getMessage().contains(key) && w.getMessage().contains("not an LSTM parameter file"), w.getMessage());
    }
}
