package org.metaadamw.update;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.grouping.ParamTensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The per-coordinate multiplier vectors that {@link GroupAdamW#setModulation} fills in place, one
 * tensor at a time, are bit for bit the vectors of the earlier construction (two heap {@code double[]}
 * of the model's size, cast to the network's data type), for random multipliers, in float and
 * double, with and without decayed biases, and when they are set again over earlier values.
 */
class GroupAdamWScalesTest {

    @ParameterizedTest(name = "{0}, decayBiases={1}, lambda={2}")
    @CsvSource({"FLOAT, false, 0.01", "FLOAT, true, 0.01", "DOUBLE, false, 0.01", "FLOAT, false, 0"})
    void inPlaceScalesEqualTheHeapArrayConstruction(DataType dtype, boolean decayBiases, double lambda) throws Exception {
        var net = TestNets.mlp(5, dtype, 1e-2, 0, false, true);   // the decay is MetaAdamW's own; batch norm: a tensor outside every group
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().weightDecay(lambda).decayBiases(decayBiases).grouping("fine").build();
        ParamGroups groups = ParamGroups.of(net, GroupingStrategy.of(cfg));
        GroupAdamW opt = new GroupAdamW(cfg, groups, dtype);
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 3; trial++) {
            int G = groups.count();
            double[] a = new double[G], b = new double[G], half = new double[G];
            for (int g = 0; g < G; g++) {
                a[g] = Math.exp(r.nextDouble(-4, 4));
                b[g] = Math.exp(r.nextDouble(-2, 2));
                half[g] = 0.5;
            }
            Modulation mod = new Modulation(a, b, half, half);
            opt.setModulation(mod);
            INDArray[] expected = heapArrayConstruction(groups, mod, lambda, decayBiases, dtype);
            assertBitEqual(expected[0], field(opt, "lrScale"), "learning-rate scales, trial " + trial);
            if (expected[1] == null) {
                assertEquals(false, field(opt, "decaying"));
            } else {
                assertEquals(true, field(opt, "decaying"));
                assertBitEqual(expected[1], field(opt, "decayScale"), "decay scales, trial " + trial);
            }
        }
        if (lambda == 0) {
            assertNull(field(opt, "decayScale"), "no decay vector is allocated without weight decay");
        }
    }

    /** The construction before 2026-12-01 evening, kept here as the reference. */
    private static INDArray[] heapArrayConstruction(ParamGroups groups, Modulation mod, double lambda, boolean decayBiases, DataType dtype) {
        double[] lrs = new double[(int) groups.numParams()];
        double[] dec = new double[lrs.length];
        boolean anyDecay = false;
        List<ParamTensor> ts = groups.tensors();
        for (int i = 0; i < ts.size(); i++) {
            int g = groups.groupOfTensor(i);
            if (g < 0) {
                continue;
            }
            ParamTensor t = ts.get(i);
            double a = mod.alpha(g);
            double d = (!t.bias() || decayBiases) ? a * mod.beta(g) * lambda : 0.0;
            anyDecay |= d != 0;
            java.util.Arrays.fill(lrs, (int) t.offset(), (int) (t.offset() + t.length()), a);
            java.util.Arrays.fill(dec, (int) t.offset(), (int) (t.offset() + t.length()), d);
        }
        return new INDArray[]{Nd4j.createFromArray(lrs).castTo(dtype), anyDecay ? Nd4j.createFromArray(dec).castTo(dtype) : null};
    }

    /** INDArray.equals allows 1e-5; this compares every element's bits, and the data type. */
    private static void assertBitEqual(INDArray expected, Object actual, String what) {
        INDArray a = (INDArray) actual;
        assertEquals(expected.dataType(), a.dataType(), what);
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.toDoubleVector(), a.toDoubleVector(), 0.0, what);
    }

    private static Object field(GroupAdamW opt, String name) throws Exception {
        var f = GroupAdamW.class.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(opt);
    }
}
