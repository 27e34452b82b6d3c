package org.metaadamw.update;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.update.MadaCoefficients.Coefficient;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coefficients' ranges, the driver's clipped and projected hypergradient step, and bad input. */
class MadaCoefficientsTest {
    static final double[] START = {0.9, 0.95, 0.5, 0.5, 0.5, 0.5};
    static final double[] LR = MadaCoefficients.defaultMetaLearningRates();

    static double[][] rows(int groups, double value) {
        double[][] h = new double[groups][MadaCoefficients.COUNT];
        for (double[] r : h) {
            Arrays.fill(r, value);
        }
        return h;
    }

    @Test
    void smallHypergradientIsAPlainStep() {
        MadaCoefficients k = MadaCoefficients.of(new double[][]{START});
        MadaCoefficients next = k.hyperStep(rows(1, 0.3), 1, LR);
        for (Coefficient c : Coefficient.values()) {
            assertEquals(START[c.ordinal()] - LR[c.ordinal()] * 0.3, next.get(0, c), 0.0, c.label());
        }
        assertEquals(k, MadaCoefficients.of(new double[][]{START}), "hyperStep must not change its receiver");
    }

    @Test
    void hypergradientIsClippedToTenThenTheStepIsProjected() {
        MadaCoefficients k = MadaCoefficients.of(new double[][]{START});
        // +1e6 is clipped to +10: β1, β2 move down by 5e-3; β3, ρ, c, γ by 1 and are projected onto their lower ends
        MadaCoefficients down = k.hyperStep(rows(1, 1e6), 1, LR);
        assertEquals(0.9 - 5e-4 * 10, down.get(0, Coefficient.BETA1), 1e-15);
        assertEquals(0.95 - 5e-4 * 10, down.get(0, Coefficient.BETA2), 1e-15);
        for (Coefficient c : new Coefficient[]{Coefficient.BETA3, Coefficient.RHO, Coefficient.C, Coefficient.GAMMA}) {
            assertEquals(0.0, down.get(0, c), 0.0, c.label());
        }
        // −1e6 is clipped to −10: up by 5e-3 and by 1 (β3, ρ, c, γ projected onto their upper ends)
        MadaCoefficients up = k.hyperStep(rows(1, -1e6), 1, LR);
        assertEquals(0.9 + 5e-4 * 10, up.get(0, Coefficient.BETA1), 1e-15);
        assertEquals(0.95 + 5e-4 * 10, up.get(0, Coefficient.BETA2), 1e-15);
        assertEquals(0.99, up.get(0, Coefficient.BETA3), 0.0);
        assertEquals(1.0, up.get(0, Coefficient.RHO), 0.0);
        assertEquals(1.0, up.get(0, Coefficient.C), 0.0);
        assertEquals(1.0, up.get(0, Coefficient.GAMMA), 0.0);
        // exactly at the clip: unchanged by clipping
        assertEquals(0.9 - 5e-4 * 10, k.hyperStep(rows(1, 10), 1, LR).get(0, Coefficient.BETA1), 1e-15);
        // the upper ends of β1 and β2 (0.99)
        MadaCoefficients high = MadaCoefficients.global(0.987, 0.988, 0, 1, 1, 1).hyperStep(rows(1, -1e6), 1, LR);
        assertEquals(0.99, high.get(0, Coefficient.BETA1), 0.0);
        assertEquals(0.99, high.get(0, Coefficient.BETA2), 0.0);
        // the lower ends of β1 (0.01) and β2 (0.501)
        MadaCoefficients low = MadaCoefficients.global(0.02, 0.51, 0, 0, 0, 0).hyperStep(rows(1, 1e6), 1, new double[]{1, 1, 1, 1, 1, 1});
        assertEquals(0.01, low.get(0, Coefficient.BETA1), 0.0);
        assertEquals(0.501, low.get(0, Coefficient.BETA2), 0.0);
    }

    @Test
    void globalCoefficientsStepOnTheSumOverGroupsOfTheMeanOverContributions() {
        MadaCoefficients k = MadaCoefficients.of(new double[][]{START});
        // 3 groups, summed over 4 workers: mean per group 0.1, 0.2, 0.3 → global 0.6
        double[][] sum = {{0.4, 0.4, 0.4, 0.4, 0.4, 0.4}, {0.8, 0.8, 0.8, 0.8, 0.8, 0.8}, {1.2, 1.2, 1.2, 1.2, 1.2, 1.2}};
        double[][] copy = {sum[0].clone(), sum[1].clone(), sum[2].clone()};
        MadaCoefficients next = k.hyperStep(sum, 4, LR);
        assertEquals(1, next.sets());
        for (Coefficient c : Coefficient.values()) {
            assertEquals(START[c.ordinal()] - LR[c.ordinal()] * 0.6, next.get(0, c), 1e-15, c.label());
        }
        for (int g = 0; g < 3; g++) {
            assertArrayEquals(copy[g], sum[g], 0.0, "the input must not change");
        }
        assertEquals(next, k.hyperStep(sum, 4, LR), "deterministic");
    }

    @Test
    void perGroupCoefficientsStepOnTheirOwnGroup() {
        MadaCoefficients k = MadaCoefficients.of(new double[][]{START, START});
        double[][] h = {{0.1, 0.1, 0.1, 0.1, 0.1, 0.1}, {-20, -20, -20, -20, -20, -20}};
        MadaCoefficients next = k.hyperStep(h, 1, LR);
        for (Coefficient c : Coefficient.values()) {
            assertEquals(START[c.ordinal()] - LR[c.ordinal()] * 0.1, next.get(0, c), 1e-15, c.label());
            assertEquals(c.project(START[c.ordinal()] + LR[c.ordinal()] * 10), next.get(1, c), 1e-15, c.label());
        }
    }

    @Test
    void hyperStepRefusesBadInput() {
        MadaCoefficients global = MadaCoefficients.of(new double[][]{START});
        MadaCoefficients two = MadaCoefficients.of(new double[][]{START, START});
        double[][] nan = rows(1, 0.1);
        nan[0][Coefficient.RHO.ordinal()] = Double.NaN;
        assertMessage(() -> global.hyperStep(nan, 1, LR), "ρ", "not finite");
        assertMessage(() -> two.hyperStep(rows(3, 0.1), 1, LR), "3 groups");
        assertMessage(() -> global.hyperStep(new double[][]{{1, 2, 3}}, 1, LR), "group 0 has 3");
        assertMessage(() -> global.hyperStep(rows(1, 0.1), 0, LR), "contributions");
        assertMessage(() -> global.hyperStep(rows(1, 0.1), 1, new double[]{1, 1}), "2 learning rates");
        assertMessage(() -> global.hyperStep(rows(1, 0.1), 1, new double[]{1, 1, -1, 1, 1, 1}), "β3", ">= 0");
    }

    @ParameterizedTest
    @EnumSource(Coefficient.class)
    void outOfRangeCoefficientsAreRefusedByNameAndRange(Coefficient c) {
        double step = 1e-9;
        for (double bad : new double[]{c.min() - step, c.max() + step, Double.NaN, Double.POSITIVE_INFINITY}) {
            double[] v = START.clone();
            v[c.ordinal()] = bad;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MadaCoefficients.of(new double[][]{v}));
            assertTrue(e.getMessage().contains(c.label()) && e.getMessage().contains(c.range()), e.getMessage());
            // per group: the group is named too
            IllegalArgumentException eg = assertThrows(IllegalArgumentException.class,
                    () -> MadaCoefficients.of(new double[][]{START, v}));
            assertTrue(eg.getMessage().contains(c.label() + " of group 1") && eg.getMessage().contains(c.range()), eg.getMessage());
        }
        // the ends themselves are allowed
        double[] lo = START.clone(), hi = START.clone();
        lo[c.ordinal()] = c.min();
        hi[c.ordinal()] = c.max();
        MadaCoefficients.of(new double[][]{lo});
        MadaCoefficients.of(new double[][]{hi});
    }

    @Test
    void rangesAreThePapers() {
        assertEquals("[0.01, 0.99]", Coefficient.BETA1.range());
        assertEquals("[0.501, 0.99]", Coefficient.BETA2.range());
        assertEquals("[0, 0.99]", Coefficient.BETA3.range());
        assertEquals("[0, 1]", Coefficient.RHO.range());
        assertEquals("[0, 1]", Coefficient.C.range());
        assertEquals("[0, 1]", Coefficient.GAMMA.range());
        assertMessage(() -> MadaCoefficients.adam(0.9, 0.999), "β2", "[0.501, 0.99]", "0.999");
        assertMessage(() -> MadaCoefficients.global(0.9, 0.95, 0, 1, 1, 1).with(0, Coefficient.C, 1.5), "c", "[0, 1]");
    }

    @Test
    void wrongLengthsAreRefused() {
        double[] g2 = {0.9, 0.9}, g3 = {0.9, 0.9, 0.9};
        double[] b2 = {0.95, 0.95};
        assertMessage(() -> MadaCoefficients.perGroup(g2, b2, new double[]{0, 0}, g3, new double[]{1, 1}, new double[]{1, 1}),
                "ρ has 3 values", "β1 has 2");
        assertMessage(() -> MadaCoefficients.of(new double[][]{{0.9, 0.95}}), "set 0 has 2 values", "expected 6");
        assertMessage(() -> MadaCoefficients.of(new double[0][]), "at least one set");

        var net = TestNets.mlp(1, DataType.DOUBLE, 1e-3, 0, false, false);
        ParamGroups groups = ParamGroups.of(net, GroupingStrategy.LAYER);
        Mada mada = new Mada(MetaAdamWConfig.defaults(), groups, DataType.DOUBLE);
        assertMessage(() -> mada.setCoefficients(MadaCoefficients.of(new double[][]{START, START})), "2 groups",
                "network has " + groups.count());
        INDArray p = net.params().reshape(net.params().length()).dup();
        INDArray shortGrad = Nd4j.zeros(DataType.DOUBLE, p.length() - 1);
        assertMessage(() -> mada.step(p, shortGrad, MadaState.zeros(p)), "gradient " + (p.length() - 1));
        assertMessage(() -> mada.step(p, p.dup(), MadaState.zeros(shortGrad)), "state " + (p.length() - 1));
        INDArray z = Nd4j.zeros(DataType.DOUBLE, 4);
        assertMessage(() -> new MadaState(z, z, z, Nd4j.zeros(DataType.DOUBLE, 3), z, z, 0), "vBar has 3 values");
        assertMessage(() -> new MadaState(z, z, z, z, z, Nd4j.zeros(DataType.FLOAT, 4), 0), "lion is FLOAT");
        assertMessage(() -> new MadaState(z, z, z, z, z, z, -1), "step must be >= 0");
        assertMessage(() -> new Mada(MetaAdamWConfig.defaults(), groups, DataType.DOUBLE, 1.0, 0.9), "Lion betas");
    }

    @Test
    void stateAccessorsReturnCopies() {
        INDArray p = Nd4j.ones(DataType.DOUBLE, 5);
        MadaState s = MadaState.zeros(p);
        INDArray m = s.m();
        m.addi(3);
        assertEquals(0.0, s.m().sumNumber().doubleValue(), 0.0);
        assertNotSame(s.v(), s.v());
        MadaState c = s.copy();
        c.advance();
        assertEquals(0, s.step());
        s.assign(c);
        assertEquals(1, s.step());
    }

    @Test
    void coefficientArraysAreCopiedInAndOut() {
        double[][] in = {START.clone()};
        MadaCoefficients k = MadaCoefficients.of(in);
        in[0][0] = 0.5;
        assertEquals(0.9, k.get(0, Coefficient.BETA1), 0.0);
        double[][] out = k.toArray();
        out[0][0] = 0.5;
        assertEquals(0.9, k.get(0, Coefficient.BETA1), 0.0);
        assertArrayEquals(new double[]{0.9, 0.9, 0.9}, k.perGroup(Coefficient.BETA1, 3), 0.0);
        assertEquals(3, k.perGroupCopy(3).sets());
    }

    @Test
    void stateAndCoefficientsSurviveJavaSerialization() throws Exception {
        MadaState s = MadaState.zeros(Nd4j.linspace(DataType.DOUBLE, 1, 6, 6));
        s.m.assign(Nd4j.linspace(DataType.DOUBLE, 1, 6, 6));
        s.vBar.assign(2);
        s.advance();
        MadaCoefficients k = MadaCoefficients.of(new double[][]{START, START});
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(s);
            out.writeObject(k);
        }
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            MadaState s2 = (MadaState) in.readObject();
            MadaCoefficients k2 = (MadaCoefficients) in.readObject();
            assertEquals(s.m(), s2.m());
            assertEquals(s.vBar(), s2.vBar());
            assertEquals(1, s2.step());
            assertEquals(k, k2);
        }
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' should contain '" + part + "'");
        }
    }
}
