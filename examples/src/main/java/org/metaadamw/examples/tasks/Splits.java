package org.metaadamw.examples.tasks;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The shuffles that come before every split a task makes itself, and a check of the classes that
 * land in each split. A file sorted by class (as some CIFAR-10 and TSV exports are) split without a
 * shuffle leaves whole classes out of training, and the only symptom is chance accuracy on them.
 *
 * <p>The shuffle seeds are fixed per task, not the run's seed: runs with different seeds see the
 * same split, so their spread measures the optimizer, not the data.
 */
final class Splits {
    private Splits() {
    }

    private static final Logger LOG = LoggerFactory.getLogger(Splits.class);

    /** A copy of {@code in}, shuffled by {@code new Random(seed)}. */
    static <T> List<T> shuffled(List<T> in, long seed) {
        List<T> out = new ArrayList<>(in);
        Collections.shuffle(out, new Random(seed));
        return out;
    }

    /** 0 .. n-1 shuffled by {@code new Random(seed)}. */
    static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        Random r = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The examples of {@code ds} in the order of {@link #permutation}. */
    static DataSet shuffled(DataSet ds, long seed) {
        int[] p = permutation(ds.numExamples(), seed);
        return new DataSet(rows(ds.getFeatures(), p), rows(ds.getLabels(), p), rows(ds.getFeaturesMaskArray(), p),
                rows(ds.getLabelsMaskArray(), p));
    }

    private static INDArray rows(INDArray a, int[] p) {
        if (a == null) {
            return null;
        }
        long[] shape = a.shape();
        INDArray flat = a.dup('c').reshape('c', shape[0], a.length() / shape[0]);
        return Nd4j.pullRows(flat, 1, p).reshape('c', shape);
    }

    /** Examples per class of one-hot labelled minibatches. */
    static long[] classCounts(List<DataSet> batches) {
        long[] c = null;
        for (DataSet b : batches) {
            INDArray l = b.getLabels();
            if (c == null) {
                c = new long[(int) l.size(1)];
            }
            for (int k : l.argMax(1).toIntVector()) {
                c[k]++;
            }
        }
        return c == null ? new long[0] : c;
    }

    /**
     * Logs a warning, and returns it, when {@code split} lacks classes the training split has (null
     * when it has them all).
     */
    static String warnMissingClasses(String task, String split, long[] train, long[] other) {
        List<Integer> missing = new ArrayList<>();
        for (int k = 0; k < train.length; k++) {
            if (train[k] > 0 && (k >= other.length || other[k] == 0)) {
                missing.add(k);
            }
        }
        if (missing.isEmpty()) {
            return null;
        }
        String msg = String.format("%s: the %s split has no example of class(es) %s, which the training split has: its metric "
                + "does not measure them (is the input sorted by class, or too small?)", task, split, missing);
        LOG.warn(msg);
        return msg;
    }
}
