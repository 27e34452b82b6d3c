package org.metaadamw.examples;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.examples.tasks.ForecastingTask;
import org.metaadamw.examples.tasks.Task;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example jobs' {@code --checkpoint}/{@code --resume}: a run interrupted anywhere (mid-epoch, at an
 * epoch end before the job recorded its evaluation, after the last epoch) and resumed gives the same
 * parameters (SHA-256 of their bytes), validation history and test metric as an uninterrupted one; a
 * directory of another run is refused, naming the file. Real data (the fetched weather series), the
 * metaadamw controller, Spark local[2], 5 rounds per epoch.
 */
class TaskRunnerResumeTest {
    private static JavaSparkContext sc;
    private static Task task;
    private static TaskRunner.Rdds rdds;
    private static TaskRunner.Result clean;
    private static final int EPOCHS = 3;

    @BeforeAll
    static void start() throws Exception {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("resume-test").set("spark.ui.enabled", "false"));
        task = new ForecastingTask(null, null);
        rdds = TaskRunner.Rdds.of(sc, task.load(Task.Scale.QUICK, 0), 2);
        clean = run(null, EPOCHS, 0, false, r -> { });
    }

    @AfterAll
    static void stop() {
        sc.close();
    }

    private static TaskRunner.Result run(Path dir, int epochs, int patience, boolean resume,
                                         java.util.function.Consumer<org.metaadamw.train.RoundRecord> onRound) {
        var b = MetaAdamWConfig.builder().controller("metaadamw").learningRate(5e-4).weightDecay(1e-2).numWorkers(2)
                .averagingFrequency(1);
        if (dir != null) {
            b.checkpoint(dir.toUri().toString(), 2, 20);
        }
        List<String> lines = new ArrayList<>();
        var r = TaskRunner.run(sc, task, rdds, new TaskRunner.Spec("metaadamw", b.build(), 0, epochs, patience, resume),
                lines::add, onRound);
        lines.forEach(System.out::println);
        return r;
    }

    /** Stops the run when round {@code n} (from 1) has finished, before its checkpoint is written. */
    private static java.util.function.Consumer<org.metaadamw.train.RoundRecord> crashAfter(int n) {
        return r -> {
            if (r.round() + 1 == n) {
                throw new IllegalStateException("simulated crash after round " + n);
            }
        };
    }

    private static void assertSameRun(TaskRunner.Result expected, TaskRunner.Result got) {
        assertEquals(expected.paramsSha256(), got.paramsSha256(), "final parameters");
        assertEquals(expected.validation(), got.validation(), "validation per epoch");
        assertEquals(expected.trainLoss(), got.trainLoss(), "training loss per epoch");
        assertEquals(expected.test(), got.test(), 0.0, "test metric");
        assertEquals(expected.alphaPerRound().size(), got.alphaPerRound().size());
        for (int i = 0; i < expected.alphaPerRound().size(); i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected.alphaPerRound().get(i), got.alphaPerRound().get(i), 0.0);
        }
    }

    @Test
    void aRunCrashedMidEpochResumesToTheSameResult(@TempDir Path dir) {
        // round 8 is in epoch 2; its newest checkpoint is round 6, the job has evaluated epoch 1
        assertThrows(IllegalStateException.class, () -> run(dir, EPOCHS, 0, false, crashAfter(8)));
        assertTrue(Files.exists(dir.resolve("job-epochs-0001.json")));
        assertSameRun(clean, run(dir, EPOCHS, 0, true, r -> { }));
    }

    @Test
    void anEpochEndCheckpointTheJobHadNotEvaluatedIsEvaluatedOnResume(@TempDir Path dir, @TempDir Path oneEpoch) throws Exception {
        // the job died between the trainer's checkpoint at the end of epoch 2 and its own record of epoch 2:
        // the trainer's newest checkpoint is round 10, the job's state is that of epoch 1
        run(dir, 2, 0, false, r -> { });
        run(oneEpoch, 1, 0, false, r -> { });
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("job-")).toList()) {
                Files.delete(p);
            }
        }
        for (String f : new String[]{"job-epochs-0001.json", "job-best-0001.ndarray"}) {
            Files.copy(oneEpoch.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        assertSameRun(clean, run(dir, EPOCHS, 0, true, r -> { }));
    }

    @Test
    void aFinishedRunResumesToItsResultAndALongerBudgetContinuesIt(@TempDir Path dir) {
        run(dir, 2, 0, false, r -> { });
        assertSameRun(clean, run(dir, EPOCHS, 0, true, r -> { }));    // two epochs done, the third one runs
        assertSameRun(clean, run(dir, EPOCHS, 0, true, r -> { }));    // all done: nothing runs, same result
    }

    @Test
    void aDirectoryOfAnotherRunIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        run(dir, 1, 0, false, r -> { });
        Path state = dir.resolve("job-epochs-0001.json");
        // edited by hand: Hadoop's local file system keeps a .crc beside each file, which an edit leaves stale
        Files.writeString(state, Files.readString(state).replace("seed 0", "seed 7"));
        Files.deleteIfExists(dir.resolve(".job-epochs-0001.json.crc"));
        var e = assertThrows(UncheckedIOException.class, () -> run(dir, EPOCHS, 0, true, r -> { }));
        assertTrue(e.getMessage().contains("job-epochs-0001.json") && e.getMessage().contains("not of 'forecasting metaadamw seed 0'"),
                e.getMessage());
        Files.writeString(state, Files.readString(state).replace("seed 7", "seed 0"));
        Files.deleteIfExists(dir.resolve(".job-best-0001.ndarray.crc"));
        Path best = dir.resolve("job-best-0001.ndarray");
        byte[] raw = Files.readAllBytes(best);
        raw[raw.length - 1] ^= 1;
        Files.write(best, raw);
        e = assertThrows(UncheckedIOException.class, () -> run(dir, EPOCHS, 0, true, r -> { }));
        assertTrue(e.getMessage().contains("job-best-0001.ndarray: checksum mismatch"), e.getMessage());
        assertTrue(Files.exists(state) && Files.exists(best), "nothing already written is deleted");
    }
}
