package org.metaadamw.l3rs;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.spark.SparkTestSupport;
import org.metaadamw.train.LocalMetaAdamWTrainer;
import org.metaadamw.update.LstmParams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NES meta-training of the coordinatewise LSTM on Iris (the fixtures of {@link L3rsMetaTrainerTest}: 120
 * training rows in 12 minibatches, 30 validation rows): the meta-objective falls, and the meta-trained φ,
 * through {@code lstm.params}, trains to its meta-objective bit for bit; a Spark run whose candidate 1
 * fails on its first attempt in every iteration gives the φ and scores of a clean Spark run and of the
 * single-JVM run, bit for bit.
 */
class LstmMetaTrainerTest {
    static final MetaAdamWConfig CFG = L3rsMetaTrainerTest.CFG;
    static final AtomicInteger INJECTED = new AtomicInteger();

    static LstmMetaTrainer.Settings settings(int iterations) {
        return LstmMetaTrainer.Settings.defaults().withIterations(iterations).withPairs(3).withSteps(12).withSeed(17);
    }

    static MultiLayerNetwork net() {
        return L3rsMetaTrainerTest.net();
    }

    @Test
    void nesLowersTheMetaObjectiveOnIrisAndTheTrainerRunsTheMetaTrainedPhi(@TempDir Path dir) throws IOException {
        LstmMetaTrainer meta = new LstmMetaTrainer(net(), CFG, settings(6));
        LstmMetaTrainer.Result r = meta.runLocal(L3rsMetaTrainerTest.train(), L3rsMetaTrainerTest.validation());
        List<LstmMetaTrainer.Iteration> h = r.history();
        double first = h.get(0).mean(), last = h.get(h.size() - 1).mean();
        double phi0 = meta.evaluate(L3rsMetaTrainerTest.train(), L3rsMetaTrainerTest.validation(), meta.initialParams());
        double phiM = meta.evaluate(L3rsMetaTrainerTest.train(), L3rsMetaTrainerTest.validation(), r.params());
        StringBuilder sb = new StringBuilder();
        h.forEach(it -> sb.append(String.format(Locale.ROOT, " %.4f", it.mean())));
        System.out.printf(Locale.ROOT, "LSTM NES on Iris, %d iterations of %d candidates: mean candidate score per iteration%s; "
                + "φ0 %.4f → φ_M %.4f (validation loss)%n", h.size(), h.get(0).scores().length, sb, phi0, phiM);
        assertTrue(last < first, "the mean candidate score must fall: " + first + " → " + last);
        assertTrue(phiM < phi0, "the meta-trained φ must beat φ0: " + phi0 + " → " + phiM);
        assertEquals("6", r.params().provenance().get("nes.iterations"));
        assertEquals(r.params(), LstmParams.fromJson(r.params().toJson()));

        Path file = dir.resolve("lstm.json");
        Files.writeString(file, r.params().toJson());
        MultiLayerNetwork n = net();
        LocalMetaAdamWTrainer t = new LocalMetaAdamWTrainer(n, CFG.toBuilder().shuffle(false).controller("lstm").lstmParams(file.toString()).build());
        t.fit(new ListDataSetIterator<>(L3rsMetaTrainerTest.train(), 1), null, 1);
        double trained = L3rsMetaTrainerTest.validationLoss(n);
        System.out.printf(Locale.ROOT, "controller=lstm with φ_M, one epoch: validation loss %.17g, φ_M's meta-objective %.17g%n", trained, phiM);
        assertEquals(phiM, trained, 0.0);
    }

    @Test
    void sparkEqualsLocalBitForBitAlsoWhenEveryIterationHasATaskRetried() {
        LstmMetaTrainer.Settings s = settings(2);
        LstmMetaTrainer local = new LstmMetaTrainer(net(), CFG, s);
        LstmMetaTrainer.Result l = local.runLocal(L3rsMetaTrainerTest.train(), L3rsMetaTrainerTest.validation());
        double c1 = local.candidateScore(L3rsMetaTrainerTest.train(), L3rsMetaTrainerTest.validation(), l.history().get(1).phi(), 1, 3);
        assertEquals(l.history().get(1).scores()[3], c1, 0.0);
        INJECTED.set(0);
        LstmMetaTrainer.Result[] spark = SparkTestSupport.withSpark("local[2,3]", Map.of(), sc -> {
            LstmMetaTrainer.Result a = new LstmMetaTrainer(net(), CFG, s).run(sc, L3rsMetaTrainerTest.train(), L3rsMetaTrainerTest.validation());
            LstmMetaTrainer failing = new LstmMetaTrainer(net(), CFG, s).onCandidate((it, cand, attempt) -> {
                if (cand == 1 && attempt == 0) {
                    INJECTED.incrementAndGet();
                    throw new IllegalStateException("injected failure of candidate 1, iteration " + it + ", attempt 0");
                }
            });
            return new LstmMetaTrainer.Result[]{a, failing.run(sc, L3rsMetaTrainerTest.train(), L3rsMetaTrainerTest.validation())};
        });
        System.out.printf(Locale.ROOT, "LSTM NES, %d iterations: local vs Spark vs Spark with %d retried tasks, φ equal: %s, %s%n",
                l.history().size(), INJECTED.get(), java.util.Arrays.equals(l.params().phi(), spark[0].params().phi()),
                java.util.Arrays.equals(l.params().phi(), spark[1].params().phi()));
        assertEquals(s.iterations(), INJECTED.get(), "one injected failure per iteration");
        for (LstmMetaTrainer.Result sp : spark) {
            assertArrayEquals(l.params().phi(), sp.params().phi(), 0.0);
            for (int k = 0; k < s.iterations(); k++) {
                assertArrayEquals(l.history().get(k).scores(), sp.history().get(k).scores(), 0.0, "iteration " + k);
            }
        }
        assertNotEquals(local.initialParams(), l.params(), "φ must have moved");
    }
}
