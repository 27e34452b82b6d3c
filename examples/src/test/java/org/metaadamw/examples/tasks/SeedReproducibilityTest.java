package org.metaadamw.examples.tasks;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.junit.jupiter.api.Test;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.train.LocalMetaAdamWTrainer;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The same run seed gives the same run, seed 0 (the jobs' default) included: DL4J hands its seed to
 * ND4J's native generator, which reads a seed of 0 as "use the clock" (see {@link Seeds}).
 */
class SeedReproducibilityTest {

    /** Sizes the models read from {@link Task.Data#info()}, small enough to build in milliseconds. */
    private static final Map<String, int[]> INFO = Map.of(
            "forecasting", new int[]{8, 8},
            "language-model", new int[]{200},
            "translation", new int[]{150, 160},
            "image", new int[]{1, 28},
            "sentiment", new int[]{300, 2});

    private static float[] params(Model m) {
        return m.params().dup().data().asFloat();
    }

    @Test
    void everyTaskModelIsTheSameForTheSameSeedZeroIncluded() {
        // every task reported, not only the first that fails
        assertAll(Task.ALL.stream().map(name -> () -> {
            Task task = Task.byName(name);
            var data = new Task.Data(List.of(), List.of(), List.of(), "sizes only", INFO.get(name));
            float[] a = params(task.model(data, 0)), b = params(task.model(data, 0));
            assertArrayEquals(a, b, name + ": two models built with seed 0 differ");
            assertFalse(java.util.Arrays.equals(a, params(task.model(data, 1))), name + ": seeds 0 and 1 give the same model");
        }));
    }

    @Test
    void aShortTrainingRunAtSeedZeroIsRepeatable() throws Exception {
        Task task = new SentimentTask();
        Task.Data data = task.load(Task.Scale.QUICK, 0);
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().controller("metaadamw").learningRate(2e-3).averagingFrequency(4)
                .seed(0).build();
        float[][] runs = new float[2][];
        for (int r = 0; r < 2; r++) {
            Model model = task.model(data, 0);
            var trainer = new LocalMetaAdamWTrainer(model, cfg);
            trainer.fit(new ListDataSetIterator<>(data.train(), 1), new ListDataSetIterator<>(data.valid(), 1), 2);
            assertNotEquals(0, trainer.history().size());
            runs[r] = params(model);
        }
        assertArrayEquals(runs[0], runs[1], "two training runs at seed 0 ended with different parameters");
    }

    @Test
    void modelSeedsAreNeverZeroForSmallRunSeedsAndStayDistinct() {
        var seen = new java.util.HashSet<Long>();
        for (long s = -100_000; s <= 100_000; s++) {
            long m = Seeds.model(s);
            assertNotEquals(0L, m, "run seed " + s);
            seen.add(m);
        }
        assertEquals(200_001, seen.size());
        assertNotEquals(0L, Seeds.model(Long.MAX_VALUE));
        assertNotEquals(0L, Seeds.model(Long.MIN_VALUE));
        assertEquals(0L, Seeds.model(-0x9E3779B97F4A7C15L), "the documented single preimage of 0");
    }
}
