package org.metaadamw.examples.tasks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metaadamw.io.CifarBinary;
import org.metaadamw.io.DataFormatException;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tasks on users' copies of the standard sets: official splits used as given, the splits a task
 * makes itself shuffled first (a class-sorted file still gives every split every class), the
 * forecasting task on an ETT-layout CSV.
 */
class DataOptionsTest {
    @TempDir
    Path dir;

    private static int examples(List<DataSet> batches) {
        return batches.stream().mapToInt(DataSet::numExamples).sum();
    }

    private static void assertEveryClass(long[] counts, String what) {
        assertTrue(Arrays.stream(counts).allMatch(c -> c > 0), what + " lacks a class: " + Arrays.toString(counts));
    }

    /** CIFAR-10 records sorted by class: {@code perClass} of class 0, then of class 1, ... */
    private static byte[] sortedCifar(int perClass, int fromClass, int toClass) {
        byte[] data = new byte[perClass * (toClass - fromClass) * CifarBinary.RECORD];
        int r = 0;
        for (int k = fromClass; k < toClass; k++) {
            for (int i = 0; i < perClass; i++, r++) {
                data[r * CifarBinary.RECORD] = (byte) k;
                data[r * CifarBinary.RECORD + 1] = (byte) (10 * k);   // a pixel that tells the class
            }
        }
        return data;
    }

    @Test
    void imageTaskReadsAllFiveCifarBatchesAndShufflesAClassSortedSetBeforeTheSplit() throws Exception {
        // the worst case: the training set sorted by class over the five files (two classes per file)
        for (int b = 1; b <= 5; b++) {
            Files.write(dir.resolve("data_batch_" + b + ".bin"), sortedCifar(40, 2 * (b - 1), 2 * b));
        }
        Files.write(dir.resolve("test_batch.bin"), sortedCifar(20, 0, 10));
        Task.Data d = new ImageTask(dir).load(Task.Scale.FULL, 0);
        assertEquals(400, examples(d.train()) + examples(d.valid()), "every record of the five files");
        assertEquals(400 / 6, examples(d.valid()));
        assertEquals(200, examples(d.test()));
        assertEveryClass(Splits.classCounts(d.train()), "training");
        assertEveryClass(Splits.classCounts(d.valid()), "validation");
        assertEveryClass(Splits.classCounts(d.test()), "test");
        // features and labels shuffled together
        for (DataSet b : d.train()) {
            int[] label = b.getLabels().argMax(1).toIntVector();
            for (int i = 0; i < label.length; i++) {
                assertEquals(10 * label[i] / 255.0, b.getFeatures().getDouble(i, 0, 0, 0), 1e-6);
            }
        }
        // the split does not depend on the run's seed
        Task.Data again = new ImageTask(dir).load(Task.Scale.FULL, 7);
        assertEquals(d.valid().get(0).getLabels(), again.valid().get(0).getLabels());
        // QUICK: a sample of all the files, still every class
        Task.Data quick = new ImageTask(dir).load(Task.Scale.QUICK, 0);
        assertEveryClass(Splits.classCounts(quick.valid()), "validation (quick)");
    }

    @Test
    void aClassSortedSplitIsReportedAndTheShuffledOneIsNot() {
        int n = 120;
        float[] x = new float[n * 2 * 2], y = new float[n * 3];
        for (int i = 0; i < n; i++) {
            Arrays.fill(x, i * 4, i * 4 + 4, i);
            y[i * 3 + i * 3 / n] = 1;                         // classes 0, 1, 2 in blocks
        }
        DataSet sorted = new DataSet(Nd4j.create(x, new long[]{n, 1, 2, 2}, 'c'), Nd4j.create(y, new long[]{n, 3}, 'c'));
        var unshuffled = sorted.splitTestAndTrain(100);
        long[] train = Splits.classCounts(List.of(unshuffled.getTrain()));
        String warning = Splits.warnMissingClasses("test", "validation", train, Splits.classCounts(List.of(unshuffled.getTest())));
        assertNotNull(warning);
        assertTrue(warning.contains("class(es) [0, 1]"), warning);
        DataSet shuffled = Splits.shuffled(sorted, 5);
        for (int i = 0; i < n; i++) {
            int original = (int) shuffled.getFeatures().getDouble(i, 0, 1, 1);
            assertEquals(original * 3 / n, shuffled.getLabels().argMax(1).getInt(i), "row " + i + " kept its label");
        }
        var split = shuffled.splitTestAndTrain(100);
        assertNull(Splits.warnMissingClasses("test", "validation", Splits.classCounts(List.of(split.getTrain())),
                Splits.classCounts(List.of(split.getTest()))));
    }

    @Test
    void fashionMnistValidationHasEveryClass() throws Exception {
        Task.Data d = new ImageTask().load(Task.Scale.QUICK, 0);
        assertEquals(200, examples(d.valid()));
        assertEveryClass(Splits.classCounts(d.valid()), "validation");
    }
}
