package org.metaadamw.stats;

import java.io.Serializable;
import java.util.Arrays;

/**
 * What workers emit after one round, summed across workers by Spark (algorithm.md section 5):
 * per-group feature values (section 3) and the ten meta-signal scalars per group (the seven of
 * section 5, plus ‖Δ‖² and ⟨gv0, Δ⟩ for the hypergradient controller and the averaged-step
 * estimate, and ⟨gv1, μe⟩ with the driver's step trace e, zero without one), the three losses, and counts. The driver divides by the counts ({@link #summarize()}).
 *
 * <p>A value type: immutable (arrays are never written after construction), serializable, with an
 * identity {@link #EMPTY} and a {@link #merge} that is commutative and associative (up to
 * floating-point rounding of the sums), as a tree aggregation needs. Merging two non-empty values
 * of different shapes fails loudly.
 *
 * @param groups       G (0 only for {@link #EMPTY})
 * @param features     F, feature columns per group
 * @param featureSums  G×F row-major sums of per-worker feature values
 * @param signalSums   G×{@link Signal#COUNT} row-major sums of per-worker meta-signals
 * @param lossValStart sum of L_val(θ_r)
 * @param lossValEnd   sum of L_val(θ_end)
 * @param lossTrain    sum of the last training minibatch losses L_tr
 * @param workers      number of worker results in the feature and training-loss sums
 * @param metaWorkers  number of worker results in the signal and validation-loss sums
 */
public record RoundStatistics(int groups, int features, double[] featureSums, double[] signalSums,
                              double lossValStart, double lossValEnd, double lossTrain,
                              long workers, long metaWorkers) implements Serializable {

    /** Indices of the per-group meta-signals. */
    public static final class Signal {
        public static final int GV1_DELTA = 0, GV1_DELTA_WD = 1, GTK_DELTA = 2, GTK_DELTA_WD = 3,
                GV0_SQ = 4, GV1_SQ = 5, GV0_GV1 = 6, DELTA_SQ = 7, GV0_DELTA = 8,
                GV1_TRACE = 9, COUNT = 10;

        private Signal() {
        }
    }

    /** The identity of {@link #merge}. */
    public static final RoundStatistics EMPTY = new RoundStatistics(0, 0, new double[0], new double[0], 0, 0, 0, 0, 0);

    public RoundStatistics {
        if (featureSums.length != groups * features || signalSums.length != groups * Signal.COUNT) {
            throw new IllegalArgumentException("round statistics: arrays of " + featureSums.length + " and "
                    + signalSums.length + " values do not fit G=" + groups + ", F=" + features);
        }
        if (workers < 0 || metaWorkers < 0 || metaWorkers > workers) {
            throw new IllegalArgumentException("round statistics: invalid counts workers=" + workers + ", metaWorkers=" + metaWorkers);
        }
    }

    public boolean isEmpty() {
        return workers == 0 && groups == 0;
    }

    /** Sum of two results. Commutative and associative; {@link #EMPTY} is its identity. */
    public RoundStatistics merge(RoundStatistics o) {
        if (o.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return o;
        }
        if (o.groups != groups || o.features != features) {
            throw new IllegalArgumentException("cannot merge round statistics of G=" + groups + ", F=" + features
                    + " with G=" + o.groups + ", F=" + o.features);
        }
        return new RoundStatistics(groups, features, add(featureSums, o.featureSums), add(signalSums, o.signalSums),
                lossValStart + o.lossValStart, lossValEnd + o.lossValEnd, lossTrain + o.lossTrain,
                workers + o.workers, metaWorkers + o.metaWorkers);
    }

    private static double[] add(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] + b[i];
        }
        return r;
    }

    /** Size in bytes of the arrays and scalars this value carries (the network cost per worker). */
    public long payloadBytes() {
        return 8L * (featureSums.length + signalSums.length + 3) + 8 * 2 + 4 * 2;
    }

    /**
     * Means over workers.
     *
     * @throws IllegalStateException when empty: there is nothing to report
     */
    public RoundSummary summarize() {
        if (isEmpty() || workers == 0) {
            throw new IllegalStateException("no worker statistics in this round: nothing to summarise");
        }
        double[][] f = new double[groups][features];
        double[][] s = new double[groups][Signal.COUNT];
        for (int g = 0; g < groups; g++) {
            for (int j = 0; j < features; j++) {
                f[g][j] = featureSums[g * features + j] / workers;
            }
            for (int j = 0; j < Signal.COUNT; j++) {
                s[g][j] = metaWorkers == 0 ? Double.NaN : signalSums[g * Signal.COUNT + j] / metaWorkers;
            }
        }
        double nan = Double.NaN;
        return new RoundSummary(f, metaWorkers == 0 ? null : s, metaWorkers == 0 ? nan : lossValStart / metaWorkers,
                metaWorkers == 0 ? nan : lossValEnd / metaWorkers, lossTrain / workers, workers);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RoundStatistics r && groups == r.groups && features == r.features
                && Arrays.equals(featureSums, r.featureSums) && Arrays.equals(signalSums, r.signalSums)
                && Double.compare(lossValStart, r.lossValStart) == 0 && Double.compare(lossValEnd, r.lossValEnd) == 0
                && Double.compare(lossTrain, r.lossTrain) == 0 && workers == r.workers && metaWorkers == r.metaWorkers;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(featureSums) * 31 + Arrays.hashCode(signalSums) + (int) workers;
    }

    @Override
    public String toString() {
        return "RoundStatistics{G=" + groups + ", F=" + features + ", workers=" + workers + ", metaWorkers=" + metaWorkers + "}";
    }
}
