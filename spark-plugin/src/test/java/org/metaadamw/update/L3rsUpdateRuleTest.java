package org.metaadamw.update;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.grouping.ParamTensor;
import org.metaadamw.train.NetModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The L3RS update rule on the Iris MLP: with φ at the pure-Adam corner it is AdamW ({@link GroupAdamW}
 * with neutral multipliers) bit for bit; at the pure-SGD corner it is SGD with momentum and decoupled
 * weight decay written out coordinate by coordinate in plain Java; in between it moves differently;
 * φ's JSON form reads back bit for bit.
 */
class L3rsUpdateRuleTest {
    static final int STEPS = 45;

    static List<DataSet> data(DataType type) {
        List<DataSet> b = TestNets.irisBatches(10, 3);
        return type == DataType.DOUBLE ? TestNets.toDouble(b) : b;
    }

    static double maxAbsDiff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    @ParameterizedTest(name = "{0}, weightDecay {1}, decayBiases {2}")
    @CsvSource({"DOUBLE, 0.01, false", "DOUBLE, 0.05, true", "FLOAT, 0.01, false", "DOUBLE, 0.0, false"})
    void atThePureAdamCornerItIsAdamWBitForBit(DataType type, double lambda, boolean decayBiases) {
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().learningRate(1e-2).weightDecay(lambda).decayBiases(decayBiases).build();
        MultiLayerNetwork a = TestNets.mlp(4, type, 1e-2, 0, false, false), b = TestNets.mlp(4, type, 1e-2, 0, false, false);
        ParamGroups groups = ParamGroups.of(a, GroupingStrategy.of(cfg));
        NetModel na = new NetModel(a), nb = new NetModel(b);
        GroupAdamW adamw = new GroupAdamW(cfg, groups, type);
        L3rs l3rs = new L3rs(cfg, groups, type, L3rsParams.pure(true, 8, 4, groups.count(), 0.9, 0.1));
        AdamWState sa = AdamWState.zeros(na.params());
        L3rsState sb = L3rsState.zeros(nb.params());
        List<DataSet> d = data(type);
        for (int i = 0; i < STEPS; i++) {
            DataSet x = d.get(i % d.size());
            na.computeGradient(x);
            INDArray ga = na.gradient();
            adamw.preprocess(ga, x.getFeatures().size(0));
            adamw.step(na.params(), ga, sa);
            nb.computeGradient(x);
            INDArray gb = nb.gradient();
            l3rs.preprocess(gb, x.getFeatures().size(0));
            l3rs.step(nb.params(), gb, sb, (double) i / STEPS);
        }
        double dTheta = maxAbsDiff(na.params(), nb.params()), dM = maxAbsDiff(sa.m(), sb.m()), dV = maxAbsDiff(sa.v(), sb.v());
        double moved = maxAbsDiff(na.params(), TestNets.mlp(4, type, 1e-2, 0, false, false).params());
        System.out.printf(Locale.ROOT, "L3RS pure Adam vs AdamW, %s λ=%s, %d steps: max |Δθ| = %.3e, |Δm| = %.3e, |Δv| = %.3e (θ moved %.3f)%n",
                type, lambda, STEPS, dTheta, dM, dV, moved);
        assertEquals(0.0, dTheta, 0.0);
        assertEquals(0.0, dM, 0.0);
        assertEquals(0.0, dV, 0.0);
        assertEquals(sa.step(), sb.step());
        assertTrue(moved > 0.05, "the network must have trained: " + moved);
        for (double[] o : l3rs.lastOutputs()) {
            assertArrayEquals(new double[]{1.0, 0.0, 1.0}, o, 0.0);
        }
    }

    /** θ ← θ − ηλθ − η_SGD b, b ← μ b + ∇ (PyTorch's SGD with momentum, AdamW's decoupled decay), coordinate by coordinate. */
    @ParameterizedTest(name = "weightDecay {0}")
    @CsvSource({"0.01", "0.0"})
    void atThePureSgdCornerItIsSgdWithMomentumWrittenOutByHand(double lambda) {
        double lr = 1e-2, sgdLr = 0.05, mu = 0.8;
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().learningRate(lr).weightDecay(lambda).build();
        MultiLayerNetwork a = TestNets.mlp(4, DataType.DOUBLE, lr, 0, false, false), b = TestNets.mlp(4, DataType.DOUBLE, lr, 0, false, false);
        ParamGroups groups = ParamGroups.of(a, GroupingStrategy.of(cfg));
        NetModel na = new NetModel(a), nb = new NetModel(b);
        L3rs l3rs = new L3rs(cfg, groups, DataType.DOUBLE, L3rsParams.pure(false, 8, 4, groups.count(), mu, sgdLr));
        L3rsState st = L3rsState.zeros(na.params());
        int n = (int) groups.numParams();
        boolean[] decayed = new boolean[n];
        for (ParamTensor t : groups.tensors()) {
            for (long i = t.offset(); i < t.offset() + t.length(); i++) {
                decayed[(int) i] = !t.bias();
            }
        }
        double[] theta = nb.params().toDoubleVector(), mom = new double[n];
        List<DataSet> d = data(DataType.DOUBLE);
        for (int s = 0; s < STEPS; s++) {
            DataSet x = d.get(s % d.size());
            na.computeGradient(x);
            INDArray ga = na.gradient();
            l3rs.preprocess(ga, x.getFeatures().size(0));
            l3rs.step(na.params(), ga, st, 0.5);

            nb.params().assign(Nd4j.create(theta));
            nb.computeGradient(x);
            INDArray gb = nb.gradient();
            l3rs.preprocess(gb, x.getFeatures().size(0));   // the minibatch mean, where DL4J sums
            double[] g = gb.toDoubleVector();
            for (int i = 0; i < n; i++) {
                mom[i] = mom[i] * mu + g[i];
                theta[i] = theta[i] - (decayed[i] ? theta[i] * lambda : 0.0) * lr;
                theta[i] = theta[i] - mom[i] * sgdLr;
            }
        }
        double dTheta = maxAbsDiff(na.params(), Nd4j.create(theta)), dB = maxAbsDiff(st.b(), Nd4j.create(mom));
        double moved = maxAbsDiff(na.params(), TestNets.mlp(4, DataType.DOUBLE, lr, 0, false, false).params());
        System.out.printf(Locale.ROOT, "L3RS pure SGD (μ=%s, η_SGD=%s, λ=%s) vs by hand, %d steps: max |Δθ| = %.3e, |Δb| = %.3e (θ moved %.3f)%n",
                mu, sgdLr, lambda, STEPS, dTheta, dB, moved);
        assertEquals(0.0, dTheta, 0.0);
        assertEquals(0.0, dB, 0.0);
        assertTrue(moved > 0.05, "the network must have trained: " + moved);
    }

    @Test
    void aLearnedMixMovesDifferentlyAndItsOutputsAreInRange() {
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().learningRate(1e-2).build();
        MultiLayerNetwork a = TestNets.mlp(4, DataType.DOUBLE, 1e-2, 0, false, false);
        ParamGroups groups = ParamGroups.of(a, GroupingStrategy.of(cfg));
        NetModel na = new NetModel(a);
        L3rsParams phi = L3rsParams.initial(8, 4, groups.names(), 0.9, 0.1, 0.5, 11);
        L3rs l3rs = new L3rs(cfg, groups, DataType.DOUBLE, phi);
        L3rsState st = L3rsState.zeros(na.params());
        DataSet x = data(DataType.DOUBLE).get(0);
        na.computeGradient(x);
        INDArray g = na.gradient();
        l3rs.preprocess(g, 10);
        l3rs.step(na.params(), g, st, 0.25);
        double[][] out = l3rs.lastOutputs();
        boolean differ = false;
        for (double[] o : out) {
            assertEquals(1.0, o[0] + o[1], 1e-15);
            assertTrue(o[0] > 0 && o[0] < 1 && o[2] >= Math.exp(-3) && o[2] <= Math.exp(3), java.util.Arrays.toString(o));
            differ |= Math.abs(o[0] - out[0][0]) > 1e-6;
        }
        assertTrue(differ, "the embeddings give the groups different mixes");
        assertEquals(groups.count(), out.length);
        assertThrows(IllegalArgumentException.class, () -> new L3rs(cfg, groups, DataType.DOUBLE,
                L3rsParams.pure(true, 8, 4, groups.count() + 1, 0.9, 0.1)));
    }

    @Test
    void theJsonFormReadsBackBitForBitAndWrongFilesAreRefused() {
        L3rsParams phi = L3rsParams.initial(6, 3, List.of("a", "b"), 0.85, 0.07, 0.3, 5).withPhi(
                L3rsParams.initial(6, 3, List.of("a", "b"), 0.85, 0.07, 1.7, 6).phi(), Map.of("k", "v"));
        L3rsParams back = L3rsParams.fromJson(phi.toJson());
        assertEquals(phi, back);
        assertEquals(phi.digest(), back.digest());
        assertEquals(Map.of("k", "v"), back.provenance());
        assertNotEquals(phi.digest(), L3rsParams.initial(6, 3, List.of("a", "b"), 0.85, 0.07, 0.3, 5).digest());
        var e = assertThrows(IllegalArgumentException.class, () -> L3rsParams.fromJson(phi.toJson().replace("\"hidden\" : 6", "\"hidden\" : 5")));
        assertTrue(e.getMessage().contains("has"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> L3rsParams.fromJson("{\"format\": 1, \"rule\": \"mada\"}"));
        assertThrows(IllegalArgumentException.class, () -> L3rsParams.pure(true, 8, 4, 2, 1.0, 0.1));
    }
}
