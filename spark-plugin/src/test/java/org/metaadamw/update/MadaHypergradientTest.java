package org.metaadamw.update;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.train.NetModel;
import org.metaadamw.update.MadaCoefficients.Coefficient;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one-step hypergradient signals against central finite differences of the next minibatch's
 * loss: for step t, with the state before the step and the gradient g_t held fixed,
 * ∂L_next(θ_t)/∂k ≈ (L_next(θ_t(k + h)) − L_next(θ_t(k − h)))/(2h), for every coefficient k of every
 * group, on a real DL4J network (4-6-5-3, tanh, so the loss is smooth in θ) trained on Iris in
 * double precision with interior coefficients that differ per group.
 */
class MadaHypergradientTest {
    static final double LR = 0.02, H = 1e-5, TOL = 1e-4;
    /**
     * A central difference with h = 1e-5 of a loss near 1 carries a rounding error of about ulp(1)/h ≈ 2e-11; a
     * relative error of 1e-4 is resolved from |∂L/∂k| ≥ RESOLVED, below which the absolute error is checked against NOISE.
     */
    static final double RESOLVED = 2.5e-7, NOISE = 5e-11;

    static MultiLayerNetwork tanhNet(long seed) {
        var conf = new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE).weightInit(WeightInit.XAVIER)
                .updater(new Sgd(LR)).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Interior coefficients, different per group. */
    static MadaCoefficients interior(int groups) {
        double[][] k = new double[groups][];
        for (int g = 0; g < groups; g++) {
            k[g] = new double[]{0.8 + 0.02 * g, 0.9 + 0.01 * g, 0.3 + 0.05 * g, 0.6 - 0.05 * g, 0.5 - 0.04 * g, 0.7 + 0.03 * g};
        }
        return MadaCoefficients.of(k);
    }

    /** A trained setup right before step {@code t}: the network at θ_{t−1}, the state, g_t and the next minibatch. */
    record Setup(NetModel net, Mada mada, MadaState state, INDArray theta, INDArray grad, DataSet next, ParamGroups groups) {
    }

    static Setup setup(int t, boolean perGroup) {
        List<DataSet> batches = TestNets.toDouble(TestNets.irisBatches(10, 3));
        MultiLayerNetwork net = tanhNet(5);
        NetModel nm = new NetModel(net);
        ParamGroups groups = ParamGroups.of(net, GroupingStrategy.LAYER);
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().learningRate(LR).epsilon(1e-8).weightDecay(0.05).decayBiases(false).build();
        Mada mada = new Mada(cfg, groups, DataType.DOUBLE);
        mada.setCoefficients(perGroup ? interior(groups.count()) : MadaCoefficients.global(0.82, 0.93, 0.25, 0.55, 0.45, 0.75));
        MadaState st = MadaState.zeros(nm.params());
        for (int k = 1; k < t; k++) {
            DataSet d = batches.get(k - 1);
            nm.computeGradient(d);
            INDArray g = nm.gradient();
            mada.preprocess(g, d.getFeatures().size(0));
            mada.step(nm.params(), g, st);
        }
        DataSet d = batches.get(t - 1);
        nm.computeGradient(d);
        INDArray g = nm.gradient().dup();
        mada.preprocess(g, d.getFeatures().size(0));
        return new Setup(nm, mada, st, nm.params().dup(), g, batches.get(t), groups);
    }

    /** The analytic signals of step t paired with the next minibatch's gradient; leaves the network at θ_t. */
    static double[][] analytic(Setup s) {
        MadaState st = s.state().copy();
        s.net().params().assign(s.theta());
        s.mada().step(s.net().params(), s.grad().dup(), st, true);
        s.net().computeGradient(s.next());
        INDArray gNext = s.net().gradient().dup();
        s.mada().preprocess(gNext, s.next().getFeatures().size(0));
        return s.mada().hypergradient(gNext);
    }

    /** L_next(θ_t) after step t taken with coefficients {@code k}. */
    static double lossAfterStep(Setup s, MadaCoefficients k) {
        MadaCoefficients before = s.mada().coefficients();
        s.mada().setCoefficients(k);
        s.net().params().assign(s.theta());
        s.mada().step(s.net().params(), s.grad().dup(), s.state().copy());
        s.mada().setCoefficients(before);
        return s.net().loss(s.next());
    }

    @ParameterizedTest(name = "step {0}")
    @CsvSource({"1", "2", "7"})
    void perGroupSignalsMatchCentralDifferences(int t) {
        Setup s = setup(t, true);
        double[][] hg = analytic(s);
        MadaCoefficients k0 = s.mada().coefficients();
        double worst = 0;
        StringBuilder table = new StringBuilder(), small = new StringBuilder();
        for (int g = 0; g < s.groups().count(); g++) {
            for (Coefficient c : Coefficient.values()) {
                double x = k0.get(g, c);
                double fd = (lossAfterStep(s, k0.with(g, c, x + H)) - lossAfterStep(s, k0.with(g, c, x - H))) / (2 * H);
                double a = hg[g][c.ordinal()];
                if (Math.abs(fd) < RESOLVED) {
                    // below what a central difference resolves to 1e-4: at t = 1, m̂ = g, v̄ = v and (v_0 = 0) g̃² = ĝ²
                    // do not depend on β1, ρ, c, and β2 acts only through ε' = ε/√(1−β2)
                    small.append(' ').append(g).append('/').append(c.label());
                    table.append(String.format("  t=%d group %d %-2s analytic %+.6e  fd %+.6e  |Δ| %.2e (below resolution)%n",
                            t, g, c.label(), a, fd, Math.abs(a - fd)));
                    assertTrue(Math.abs(a - fd) <= NOISE, "group " + g + " " + c.label() + ": analytic " + a + ", finite difference " + fd);
                    continue;
                }
                double rel = Math.abs(a - fd) / Math.abs(fd);
                worst = Math.max(worst, rel);
                table.append(String.format("  t=%d group %d %-2s analytic %+.6e  fd %+.6e  rel %.2e%n", t, g, c.label(), a, fd, rel));
                assertTrue(rel <= TOL, "group " + g + " " + c.label() + ": analytic " + a + ", finite difference " + fd
                        + ", relative error " + rel);
            }
        }
        if (t == 1) {
            assertTrue(small.toString().trim().split(" ").length <= 4 * s.groups().count(), "unresolved at t = 1: " + small);
        } else {
            assertEquals("", small.toString(), "every signal must be resolved after the first step");
        }
        System.out.printf("Mada hypergradient per group, step %d: max relative error vs central differences = %.3e; below resolution (checked to %.0e absolute):%s%n%s",
                t, worst, NOISE, small.length() == 0 ? " none" : small, table);
    }

    @Test
    void globalSignalIsTheSumOverGroupsAndMatchesCentralDifferences() {
        Setup s = setup(4, false);
        double[][] hg = analytic(s);
        MadaCoefficients k0 = s.mada().coefficients();
        double worst = 0;
        for (Coefficient c : Coefficient.values()) {
            double total = 0;
            for (double[] row : hg) {
                total += row[c.ordinal()];
            }
            double x = k0.get(0, c);
            double fd = (lossAfterStep(s, k0.with(0, c, x + H)) - lossAfterStep(s, k0.with(0, c, x - H))) / (2 * H);
            double rel = Math.abs(total - fd) / Math.abs(fd);
            worst = Math.max(worst, rel);
            System.out.printf("  global %-2s analytic %+.6e  fd %+.6e  rel %.2e%n", c.label(), total, fd, rel);
            assertTrue(rel <= TOL, c.label() + ": analytic " + total + ", finite difference " + fd + ", relative error " + rel);
        }
        System.out.printf("Mada hypergradient global, step 4: max relative error vs central differences = %.3e%n", worst);
    }

    @Test
    void signalsNeedRecordedTangentsAndAreDeterministic() {
        Setup s = setup(3, true);
        INDArray g = s.grad().dup();
        assertThrows(IllegalStateException.class, () -> s.mada().hypergradient(g));
        double[][] a = analytic(s), b = analytic(s);
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i], 0.0);
        }
        assertThrows(IllegalArgumentException.class, () -> s.mada().hypergradient(g.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 5))));
        // a step without tangents, or new coefficients, invalidate them
        s.mada().step(s.net().params(), g, s.state().copy());
        assertThrows(IllegalStateException.class, () -> s.mada().hypergradient(g));
        assertEquals(s.groups().count(), a.length);
    }
}
