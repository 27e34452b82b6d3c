package org.metaadamw.update;

import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.grouping.ParamTensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * How the update rules of this package see a network's flattened parameter vector: which index
 * ranges hold a raw gradient that DL4J sums over the minibatch (divided by {@link #preprocess}),
 * which coordinates are not optimised (DL4J's no-op updater: their pseudo-gradient is subtracted
 * as is, {@link #passMask}), and the maximal runs of adjacent tensors that share a group and a
 * bias flag ({@link #segments}), over which per-group values are spread with one ND4J assign
 * each.
 *
 * <p>Shared by {@link GroupAdamW} and {@link Mada} so that both preprocess gradients the same
 * way. Immutable after construction; {@link #passMask} is an internal array that callers only
 * read. Safe to share between threads that only read it.
 */
final class ParamLayout {
    /** A run [start, end) of tensors of one group ({@code -1}: not optimised) and one bias flag. */
    record Segment(long start, long end, int group, boolean bias) {
    }

    private final long numParams;
    private final int groups;
    private final DataType dtype;
    private final List<long[]> divideRanges = new ArrayList<>();
    private final List<Segment> segments = new ArrayList<>();
    private final INDArray passMask;

    ParamLayout(ParamGroups groups, DataType dtype) {
        this.numParams = groups.numParams();
        this.groups = groups.count();
        this.dtype = dtype;
        INDArray pass = null;
        long start = -1, end = -1;
        List<ParamTensor> ts = groups.tensors();
        for (int i = 0; i < ts.size(); i++) {
            ParamTensor t = ts.get(i);
            if (t.divideByMinibatch()) {
                if (t.offset() == end) {
                    end += t.length();
                } else {
                    if (end > start) {
                        divideRanges.add(new long[]{start, end});
                    }
                    start = t.offset();
                    end = t.offset() + t.length();
                }
            }
            if (!t.trainable()) {
                if (pass == null) {
                    pass = Nd4j.zeros(dtype, groups.numParams());
                }
                t.view(pass).assign(1);
            }
            int g = groups.groupOfTensor(i);
            Segment last = segments.isEmpty() ? null : segments.get(segments.size() - 1);
            if (last != null && last.end() == t.offset() && last.group() == g && last.bias() == t.bias()) {
                segments.set(segments.size() - 1, new Segment(last.start(), t.offset() + t.length(), g, t.bias()));
            } else if (t.length() > 0) {
                segments.add(new Segment(t.offset(), t.offset() + t.length(), g, t.bias()));
            }
        }
        if (end > start) {
            divideRanges.add(new long[]{start, end});
        }
        this.passMask = pass;
    }

    long numParams() {
        return numParams;
    }

    /** G, the number of groups. */
    int groups() {
        return groups;
    }

    DataType dtype() {
        return dtype;
    }

    List<Segment> segments() {
        return segments;
    }

    /** 1 on the coordinates that are not optimised, 0 elsewhere; null when every coordinate is optimised. */
    INDArray passMask() {
        return passMask;
    }

    /** Turns DL4J's raw gradient into the minibatch mean, in place, where DL4J does. */
    void preprocess(INDArray rawGrad, long batchSize) {
        if (batchSize <= 1) {
            return;
        }
        for (long[] r : divideRanges) {
            rawGrad.get(NDArrayIndex.interval(r[0], r[1])).divi(batchSize);
        }
    }

    /**
     * Fills {@code target} (length {@link #numParams}) with {@code perGroup[g]} on the coordinates
     * of group g and {@code notOptimised} on those of no group: one assign per segment, or one
     * in all when every value is the same.
     */
    INDArray spread(INDArray target, double[] perGroup, double notOptimised) {
        if (segments.isEmpty()) {
            return target;
        }
        double first = valueOf(segments.get(0), perGroup, notOptimised);
        boolean same = true;
        for (Segment s : segments) {
            same &= Double.compare(valueOf(s, perGroup, notOptimised), first) == 0;
        }
        if (same) {
            return target.assign(first);
        }
        for (Segment s : segments) {
            target.get(NDArrayIndex.interval(s.start(), s.end())).assign(valueOf(s, perGroup, notOptimised));
        }
        return target;
    }

    private static double valueOf(Segment s, double[] perGroup, double notOptimised) {
        return s.group() < 0 ? notOptimised : perGroup[s.group()];
    }

    /** Per group, the sum of {@code x} over the group's coordinates (index -1 is dropped). */
    double[] sumByGroup(INDArray x) {
        double[] out = new double[groups];
        for (Segment s : segments) {
            if (s.group() >= 0) {
                out[s.group()] += x.get(NDArrayIndex.interval(s.start(), s.end())).sumNumber().doubleValue();
            }
        }
        return out;
    }
}
