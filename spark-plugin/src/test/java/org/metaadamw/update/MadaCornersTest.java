package org.metaadamw.update;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.grouping.ParamTensor;
import org.metaadamw.train.NetModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each named corner of MADA against an independent, textbook implementation of that optimizer
 * written here with plain double loops: 30 steps on a real Iris network's gradients (the gradient
 * at Mada's parameters is handed to both, so only the update arithmetic is compared), with
 * decoupled weight decay on the weights. The references follow the optimizers' own papers in
 * their own notation; the conventions MADA fixes are the same in both: zero initial moments and
 * g_0 = 0, bias correction of the first and second moments, ε added to √v̂ as ε/√(1−β2^t).
 */
class MadaCornersTest {
    static final double LR = 5e-3, LAMBDA = 0.05, EPS = 1e-8, B1 = 0.85, B2 = 0.95, B3 = 0.08;
    static final int STEPS = 30;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"avgrad", "yogi", "lion", "adan"})
    void cornerMatchesTheDirectImplementation(String which) {
        List<DataSet> batches = TestNets.toDouble(TestNets.irisBatches(10, 11));
        MultiLayerNetwork net = TestNets.mlp(7, DataType.DOUBLE, LR, 0, false, false);
        NetModel nm = new NetModel(net);
        ParamGroups groups = ParamGroups.of(net, GroupingStrategy.LAYER);
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().learningRate(LR).epsilon(EPS).weightDecay(LAMBDA).decayBiases(false).build();
        Mada mada = new Mada(cfg, groups, DataType.DOUBLE);
        mada.setCoefficients(switch (which) {
            case "avgrad" -> MadaCoefficients.avgrad(B1, B2);
            case "yogi" -> MadaCoefficients.yogi(B1, B2);
            case "lion" -> MadaCoefficients.lion();
            default -> MadaCoefficients.adan(B1, B2, B3);
        });
        MadaState st = MadaState.zeros(nm.params());
        // Adam on the same gradients, to show that the corner is a different optimizer
        Mada adam = new Mada(cfg, groups, DataType.DOUBLE);
        adam.setCoefficients(MadaCoefficients.adam(B1, B2));
        MadaState adamState = MadaState.zeros(nm.params());
        INDArray adamTheta = nm.params().dup();

        int p = (int) nm.params().length();
        double[] lambda = new double[p];
        for (ParamTensor t : groups.tensors()) {
            for (long i = t.offset(); i < t.offset() + t.length(); i++) {
                lambda[(int) i] = t.bias() ? 0 : LAMBDA;
            }
        }
        double[] theta = nm.params().toDoubleVector();
        Reference ref = switch (which) {
            case "avgrad" -> new AvGrad(p);
            case "yogi" -> new Yogi(p);
            case "lion" -> new Lion(p, Mada.DEFAULT_LION_BETA1, Mada.DEFAULT_LION_BETA2);
            default -> new Adan(p, 1 - B1, 1 - B3, 1 - B2);
        };
        double[] start = theta.clone();
        double maxDiff = 0, scale = 0;
        for (int k = 1; k <= STEPS; k++) {
            DataSet d = batches.get((k - 1) % batches.size());
            nm.computeGradient(d);
            INDArray g = nm.gradient();
            mada.preprocess(g, d.getFeatures().size(0));
            double[] gd = g.toDoubleVector();
            ref.step(theta, gd, lambda, k);
            adam.step(adamTheta, g, adamState);
            mada.step(nm.params(), g, st);
            double[] ours = nm.params().toDoubleVector();
            for (int i = 0; i < p; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(ours[i] - theta[i]));
                scale = Math.max(scale, Math.abs(theta[i] - start[i]));
            }
        }
        double fromAdam = adamTheta.sub(nm.params()).amaxNumber().doubleValue();
        System.out.printf("Mada corner %s: %d steps, max |Δθ| vs direct implementation = %.3e (max movement %.3e, "
                + "max |θ − θ_Adam| = %.3e)%n", which, STEPS, maxDiff, scale, fromAdam);
        assertTrue(scale > 10 * LR, "the network must actually train (moved " + scale + ")");
        assertTrue(fromAdam > 1e-4, which + " must differ from Adam on these gradients (max |θ − θ_Adam| = " + fromAdam + ")");
        assertTrue(maxDiff <= 1e-12, which + ": max |Δθ| = " + maxDiff);
    }

    interface Reference {
        /** One step at t = k (1-based) on theta, in place, with decoupled decay λ_i θ_i. */
        void step(double[] theta, double[] g, double[] lambda, int k);
    }

    /** AVGrad: Adam whose second moment in the step is the mean of v_1..v_t (AMSGrad's max replaced by the mean). */
    static final class AvGrad implements Reference {
        final double[] m, v, sum;

        AvGrad(int p) {
            m = new double[p];
            v = new double[p];
            sum = new double[p];
        }

        @Override
        public void step(double[] theta, double[] g, double[] lambda, int k) {
            double bc1 = 1 - Math.pow(B1, k), bc2 = 1 - Math.pow(B2, k);
            for (int i = 0; i < theta.length; i++) {
                m[i] = B1 * m[i] + (1 - B1) * g[i];
                v[i] = B2 * v[i] + (1 - B2) * g[i] * g[i];
                sum[i] += v[i];
                double mHat = m[i] / bc1;
                double vHat = (sum[i] / k) / bc2;
                theta[i] -= LR * (mHat / (Math.sqrt(vHat) + EPS / Math.sqrt(bc2)) + lambda[i] * theta[i]);
            }
        }
    }

    /** Yogi (Zaheer et al. 2018): v ← v − (1−β2) sign(v − g²) g², with Adam's bias corrections. */
    static final class Yogi implements Reference {
        final double[] m, v;

        Yogi(int p) {
            m = new double[p];
            v = new double[p];
        }

        @Override
        public void step(double[] theta, double[] g, double[] lambda, int k) {
            double bc1 = 1 - Math.pow(B1, k), bc2 = 1 - Math.pow(B2, k);
            for (int i = 0; i < theta.length; i++) {
                double g2 = g[i] * g[i];
                m[i] = B1 * m[i] + (1 - B1) * g[i];
                v[i] = v[i] - (1 - B2) * Math.signum(v[i] - g2) * g2;
                theta[i] -= LR * ((m[i] / bc1) / (Math.sqrt(v[i] / bc2) + EPS / Math.sqrt(bc2)) + lambda[i] * theta[i]);
            }
        }
    }

    /** Lion (Chen et al. 2023, Algorithm 2): θ ← θ − η(sign(β1 m + (1−β1) g) + λθ); m ← β2 m + (1−β2) g. */
    static final class Lion implements Reference {
        final double[] m;
        final double b1, b2;

        Lion(int p, double b1, double b2) {
            m = new double[p];
            this.b1 = b1;
            this.b2 = b2;
        }

        @Override
        public void step(double[] theta, double[] g, double[] lambda, int k) {
            for (int i = 0; i < theta.length; i++) {
                double c = b1 * m[i] + (1 - b1) * g[i];
                theta[i] -= LR * (Math.signum(c) + lambda[i] * theta[i]);
                m[i] = b2 * m[i] + (1 - b2) * g[i];
            }
        }
    }

    /**
     * Adan (Xie et al. 2022, Algorithm 1, no restart) in its own notation, where β's weigh the new
     * term: m ← (1−β1)m + β1 g, v ← (1−β2)v + β2 Δg, n ← (1−β3)n + β3 (g + (1−β2)Δg)², step
     * (m̂ + (1−β2) v)/(√n̂ + ε'), with MADA's conventions (zero start, g_0 = 0, bias correction of m
     * and n, AdamW-style decay).
     */
    static final class Adan implements Reference {
        final double[] m, v, n, prev;
        final double a1, a2, a3;

        Adan(int p, double a1, double a2, double a3) {
            m = new double[p];
            v = new double[p];
            n = new double[p];
            prev = new double[p];
            this.a1 = a1;
            this.a2 = a2;
            this.a3 = a3;
        }

        @Override
        public void step(double[] theta, double[] g, double[] lambda, int k) {
            double bc1 = 1 - Math.pow(1 - a1, k), bc3 = 1 - Math.pow(1 - a3, k);
            for (int i = 0; i < theta.length; i++) {
                double diff = g[i] - prev[i];
                m[i] = (1 - a1) * m[i] + a1 * g[i];
                v[i] = (1 - a2) * v[i] + a2 * diff;
                double q = g[i] + (1 - a2) * diff;
                n[i] = (1 - a3) * n[i] + a3 * q * q;
                double step = (m[i] / bc1 + (1 - a2) * v[i]) / (Math.sqrt(n[i] / bc3) + EPS / Math.sqrt(bc3));
                theta[i] -= LR * (step + lambda[i] * theta[i]);
                prev[i] = g[i];
            }
        }
    }
}
