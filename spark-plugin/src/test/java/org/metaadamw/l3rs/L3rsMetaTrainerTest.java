package org.metaadamw.l3rs;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.spark.SparkTestSupport;
import org.metaadamw.train.LocalMetaAdamWTrainer;
import org.metaadamw.update.L3rsParams;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NES meta-training of L3RS on Iris (120 training rows in 12 minibatches, 30 validation rows): the
 * meta-objective falls; a candidate's score is the same every time it is computed; a Spark run whose
 * tasks fail once on their first attempt (local[2,3]: up to 3 attempts) gives the φ of a clean Spark
 * run and of the single-JVM run, bit for bit.
 */
class L3rsMetaTrainerTest {
    /** η = 3e-3 with K = 3: slow enough in 12 steps that a learned mix and scale have room to help. */
    static final MetaAdamWConfig CFG = MetaAdamWConfig.builder().learningRate(3e-3).averagingFrequency(3).build();
    /** Counts the hook's injected failures (the hook runs in this JVM in local mode). */
    static final AtomicInteger INJECTED = new AtomicInteger();

    static List<DataSet> all() {
        return TestNets.toDouble(TestNets.irisBatches(10, 3));
    }

    static List<DataSet> train() {
        return all().subList(0, 12);
    }

    static List<DataSet> validation() {
        return all().subList(12, 15);
    }

    static MultiLayerNetwork net() {
        return TestNets.mlp(4, DataType.DOUBLE, 1e-2, 0, false, false);
    }

    static L3rsMetaTrainer.Settings settings(int iterations) {
        return L3rsMetaTrainer.Settings.defaults().withIterations(iterations).withPairs(3).withSteps(12).withSigma(0.1)
                .withLearningRate(0.05).withSeed(17);
    }

    /** The mean validation loss in inference mode, weighted by rows: the meta-objective's own measure. */
    static double validationLoss(org.deeplearning4j.nn.api.Model net) {
        org.metaadamw.train.NetModel m = new org.metaadamw.train.NetModel(net);
        double sum = 0;
        long n = 0;
        for (DataSet v : validation()) {
            sum += m.loss(v, false) * v.getFeatures().size(0);
            n += v.getFeatures().size(0);
        }
        return sum / n;
    }

    /**
     * NES lowers the meta-objective, and the meta-trained φ, saved and read back through
     * {@code spark.metaadamw.l3rs.params}, gives a normal one-epoch training run with {@code controller=l3rs}
     * whose validation loss is φ's meta-objective bit for bit (12 steps = one epoch of the 12 training
     * minibatches, in rounds of K = 3 with t/T = r/4 in both; the Iris MLP has no dropout, so the
     * round seeds do not matter).
     */
    @Test
    void nesLowersTheMetaObjectiveOnIrisAndTheTrainerRunsTheMetaTrainedPhi(@TempDir Path dir) throws IOException {
        L3rsMetaTrainer meta = new L3rsMetaTrainer(net(), CFG, settings(6));
        L3rsMetaTrainer.Result r = meta.runLocal(train(), validation());
        List<L3rsMetaTrainer.Iteration> h = r.history();
        double first = h.get(0).mean(), last = h.get(h.size() - 1).mean();
        double phi0 = meta.evaluate(train(), validation(), meta.initialParams()), phiM = meta.evaluate(train(), validation(), r.params());
        StringBuilder sb = new StringBuilder();
        h.forEach(it -> sb.append(String.format(Locale.ROOT, " %.4f", it.mean())));
        System.out.printf(Locale.ROOT, "L3RS NES on Iris, %d iterations of %d candidates: mean candidate score per iteration%s; "
                + "φ0 %.4f → φ_M %.4f (validation loss)%n", h.size(), h.get(0).scores().length, sb, phi0, phiM);
        assertTrue(last < 0.85 * first, "the mean candidate score must fall by 15 %: " + first + " → " + last);
        assertTrue(phiM < 0.75 * phi0, "the meta-trained φ must beat φ0 by 25 %: " + phi0 + " → " + phiM);
        assertEquals("6", r.params().provenance().get("nes.iterations"));
        assertEquals(r.params(), L3rsParams.fromJson(r.params().toJson()));

        Path file = dir.resolve("phi.json");
        Files.writeString(file, r.params().toJson());
        MultiLayerNetwork n = net();
        LocalMetaAdamWTrainer t = new LocalMetaAdamWTrainer(n, CFG.toBuilder().shuffle(false).controller("l3rs").l3rsParams(file.toString()).build());
        t.fit(new ListDataSetIterator<>(train(), 1), null, 1);
        double trained = validationLoss(n);
        System.out.printf(Locale.ROOT, "controller=l3rs with φ_M, one epoch (%d rounds): validation loss %.17g, φ_M's meta-objective %.17g%n",
                t.history().size(), trained, phiM);
        assertEquals(phiM, trained, 0.0);
    }

    @Test
    void sparkEqualsLocalBitForBitAlsoWhenEveryIterationHasATaskRetried() {
        L3rsMetaTrainer.Settings s = settings(3);
        L3rsMetaTrainer local = new L3rsMetaTrainer(net(), CFG, s);
        L3rsMetaTrainer.Result l = local.runLocal(train(), validation());
        // the same candidate computed twice (a retried task's work)
        double c1 = local.candidateScore(train(), validation(), l.history().get(1).phi(), 1, 3);
        double c2 = local.candidateScore(train(), validation(), l.history().get(1).phi(), 1, 3);
        assertEquals(c1, c2, 0.0);
        assertEquals(l.history().get(1).scores()[3], c1, 0.0);

        INJECTED.set(0);
        L3rsMetaTrainer.Result[] spark = SparkTestSupport.withSpark("local[2,3]", Map.of(), sc -> {
            L3rsMetaTrainer clean = new L3rsMetaTrainer(net(), CFG, s);
            L3rsMetaTrainer.Result a = clean.run(sc, train(), validation());
            L3rsMetaTrainer failing = new L3rsMetaTrainer(net(), CFG, s).onCandidate((it, cand, attempt) -> {
                if (cand == 1 && attempt == 0) {
                    INJECTED.incrementAndGet();
                    throw new IllegalStateException("injected failure of candidate 1, iteration " + it + ", attempt 0");
                }
            });
            return new L3rsMetaTrainer.Result[]{a, failing.run(sc, train(), validation())};
        });
        System.out.printf(Locale.ROOT, "L3RS NES, %d iterations: local vs Spark vs Spark with %d retried tasks: φ equal %s, %s; "
                        + "scores of iteration 2: %s%n", l.history().size(), INJECTED.get(), Arrays.equals(l.params().phi(), spark[0].params().phi()),
                Arrays.equals(l.params().phi(), spark[1].params().phi()), Arrays.toString(l.history().get(2).scores()));
        assertEquals(s.iterations(), INJECTED.get(), "one injected failure per iteration");
        for (L3rsMetaTrainer.Result sp : spark) {
            assertArrayEquals(l.params().phi(), sp.params().phi(), 0.0);
            for (int k = 0; k < s.iterations(); k++) {
                assertArrayEquals(l.history().get(k).scores(), sp.history().get(k).scores(), 0.0, "iteration " + k);
            }
        }
        assertNotEquals(local.initialParams(), l.params(), "φ must have moved");
    }

    @Test
    void centredRanksAndSettingsAreChecked() {
        assertArrayEquals(new double[]{0.5, -0.5, 0.0}, Nes.centredRanks(new double[]{3, 1, 2}), 0.0);
        assertArrayEquals(new double[]{-0.5, 0.5}, Nes.centredRanks(new double[]{1, 1}), 0.0);
        var e = assertThrows(IllegalArgumentException.class, () -> L3rsMetaTrainer.Settings.defaults().withSigma(0));
        assertTrue(e.getMessage().contains("sigma") && e.getMessage().contains("> 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> L3rsMetaTrainer.Settings.defaults().withSgd(1.0, 0.1));
    }
}
