package org.metaadamw.update;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.train.NetModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The coordinatewise LSTM rule on the Iris MLP against a direct scalar implementation of the paper's
 * preprocessing and of the two-layer LSTM, written coordinate by coordinate in plain Java (doubles): the
 * parameters and the per-coordinate state agree to 1e-12 after 20 steps (double), in blocks of the
 * default size and of 7 coordinates; the preprocessing's cases (NaN/Inf give NaN); the signum-like φ0 steps by
 * η·sign(g) on a gradient of constant sign (to 1e-4 after 100 steps); φ's JSON form reads back bit for bit.
 */
class LstmUpdateRuleTest {
    static final double P = LstmParams.PAPER_P;

    /** The paper's preprocessing of one gradient value, in its two-case form. */
    static double[] reference(double g) {
        if (Math.abs(g) >= Math.exp(-P)) {
            return new double[]{Math.max(-1, Math.min(1, Math.log(Math.abs(g)) / P)), Math.signum(g)};
        }
        return new double[]{-1, Math.exp(P) * g};
    }

    @Test
    void preprocessingMatchesThePapersCases() {
        double e = Math.exp(-P);
        double[] g = {0, 1e-6, -1e-6, e * 0.999, -e * 0.999, e * 1.001, 1e-3, -0.5, 3, -7e4, 1e30};
        INDArray x = Lstm.preprocessGradient(Nd4j.create(g), P);
        for (int i = 0; i < g.length; i++) {
            double[] r = reference(g[i]);
            assertEquals(r[0], x.getDouble(i, 0), 1e-15, "log part of " + g[i]);
            assertEquals(r[1], x.getDouble(i, 1), 1e-12, "sign part of " + g[i]);
        }
        // the cases by value: large gradients give (log|g|/10, ±1), tiny ones (−1, e^10 g), beyond e^10 the log part clips at 1
        assertEquals(Math.log(1e-3) / 10, x.getDouble(6, 0), 1e-15);
        assertEquals(-1.0, x.getDouble(7, 1), 0);
        assertEquals(-1.0, x.getDouble(1, 0), 0);
        assertEquals(Math.exp(10) * 1e-6, x.getDouble(1, 1), 1e-15);
        assertEquals(1.0, x.getDouble(10, 0), 0);
        INDArray bad = Lstm.preprocessGradient(Nd4j.create(new double[]{Double.NaN, Double.POSITIVE_INFINITY}), P);
        for (int i = 0; i < 4; i++) {
            assertTrue(Double.isNaN(bad.getDouble(i / 2, i % 2)), "NaN/Inf gradients give NaN inputs: " + bad);
        }
    }

    /** The scalar LSTM of one coordinate: state {h1, c1, h2, c2} (each H values) updated in place, returns y. */
    static double scalarLstm(double[] w, int h, double[] x, double[][] st) {
        int[] o = LstmParams.offsets(h);
        int g4 = 4 * h;
        double[] z1 = new double[g4], z2 = new double[g4];
        for (int c = 0; c < g4; c++) {
            double a = w[o[2] + c];
            for (int i = 0; i < 2; i++) {
                a += x[i] * w[o[0] + i * g4 + c];
            }
            for (int j = 0; j < h; j++) {
                a += st[0][j] * w[o[1] + j * g4 + c];
            }
            z1[c] = a;
        }
        double[] h1 = new double[h];
        for (int j = 0; j < h; j++) {
            double i = sig(z1[j]), f = sig(z1[h + j]), gg = Math.tanh(z1[2 * h + j]), oo = sig(z1[3 * h + j]);
            st[1][j] = f * st[1][j] + i * gg;
            h1[j] = oo * Math.tanh(st[1][j]);
        }
        for (int c = 0; c < g4; c++) {
            double a = w[o[5] + c];
            for (int j = 0; j < h; j++) {
                a += h1[j] * w[o[3] + j * g4 + c] + st[2][j] * w[o[4] + j * g4 + c];
            }
            z2[c] = a;
        }
        st[0] = h1;
        double y = w[o[7]];
        for (int j = 0; j < h; j++) {
            double i = sig(z2[j]), f = sig(z2[h + j]), gg = Math.tanh(z2[2 * h + j]), oo = sig(z2[3 * h + j]);
            st[3][j] = f * st[3][j] + i * gg;
            st[2][j] = oo * Math.tanh(st[3][j]);
            y += st[2][j] * w[o[6] + j];
        }
        return y;
    }

    static double sig(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @ParameterizedTest(name = "{0} φ, block {1}, weightDecay {2}")
    @CsvSource({"random, 16384, 0.0", "random, 7, 0.05", "initial, 16384, 0.01", "initial, 7, 0.0"})
    void theBatchedRuleIsTheScalarLstmOfEveryCoordinate(String init, int block, double lambda) {
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().learningRate(1e-2).weightDecay(lambda).decayBiases(true).build();
        MultiLayerNetwork net = TestNets.mlp(4, DataType.DOUBLE, 1e-2, 0, false, false);
        ParamGroups groups = ParamGroups.of(net, GroupingStrategy.of(cfg));
        NetModel nm = new NetModel(net);
        int h = LstmParams.PAPER_HIDDEN;
        double s = 0.7;
        LstmParams phi = init.equals("random") ? LstmParams.random(h, P, s, 0.3, 5) : LstmParams.initial(h, P, s, 0.05, 5);
        Lstm rule = new Lstm(cfg, groups, DataType.DOUBLE, phi, block);
        LstmState st = LstmState.zeros(nm.params(), h);
        int n = (int) nm.params().length();
        double[] theta = nm.params().toDoubleVector();
        double[][][] ref = new double[n][4][h];
        double[] w = phi.phi();
        List<DataSet> d = TestNets.toDouble(TestNets.irisBatches(10, 3));
        for (int t = 0; t < 20; t++) {
            DataSet b = d.get(t % d.size());
            nm.computeGradient(b);
            INDArray g = nm.gradient();
            rule.preprocess(g, b.getFeatures().size(0));
            double[] gv = g.toDoubleVector();
            rule.step(nm.params(), g, st);
            for (int i = 0; i < n; i++) {
                double y = scalarLstm(w, h, reference(gv[i]), ref[i]);
                theta[i] -= 1e-2 * (s * y + lambda * theta[i]);
            }
            // the gradient of the next step is taken at the batched rule's θ: keep the reference on the same path
            double err = 0;
            double[] got = nm.params().toDoubleVector();
            for (int i = 0; i < n; i++) {
                err = Math.max(err, Math.abs(got[i] - theta[i]));
            }
            assertTrue(err < 1e-12, String.format(Locale.ROOT, "step %d: max |θ − θ_ref| = %.3e", t, err));
            theta = got;
        }
        double[] sv = st.values().toDoubleVector();
        double err = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 4; k++) {
                for (int j = 0; j < h; j++) {
                    err = Math.max(err, Math.abs(sv[k * n * h + i * h + j] - ref[i][k][j]));
                }
            }
        }
        assertTrue(err < 1e-12, "max |state − state_ref| = " + err);
        assertEquals(20, st.step());
    }

    @Test
    void theInitialPhiStepsByEtaTimesTheSignOfAConstantGradient() {
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().learningRate(1e-3).weightDecay(0).build();
        MultiLayerNetwork net = TestNets.mlp(4, DataType.DOUBLE, 1e-2, 0, false, false);
        ParamGroups groups = ParamGroups.of(net, GroupingStrategy.of(cfg));
        NetModel nm = new NetModel(net);
        Lstm rule = new Lstm(cfg, groups, DataType.DOUBLE, LstmParams.initial(20, P, 1.0, 0.0, 1));
        int n = (int) nm.params().length();
        INDArray g = Nd4j.zeros(DataType.DOUBLE, n);
        for (int i = 0; i < n; i++) {
            g.putScalar(i, (i % 2 == 0 ? 1 : -1) * Math.pow(10, -(i % 4)));   // magnitudes 1 .. 1e-3, alternating signs
        }
        LstmState st = LstmState.zeros(nm.params(), 20);
        INDArray before = null;
        for (int t = 0; t < 100; t++) {
            before = nm.params().dup();
            rule.step(nm.params(), g, st);
        }
        INDArray step = before.sub(nm.params()).divi(1e-3);
        for (int i = 0; i < n; i++) {
            // the state approaches its steady state geometrically (forget gate 0.9): 1 − 8e-6 after 100 steps
            assertEquals(Math.signum(g.getDouble(i)), step.getDouble(i), 1e-4, "coordinate " + i);
        }
    }

    @Test
    void aStepsTemporariesAreRecycledNotLeftToTheGarbageCollector() {
        // ≈ 100 k parameters in double: one step makes ≈ 40 temporaries of 16,384 × 20 values per block
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE).list()
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(784).nOut(128).build())
                .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nIn(128).nOut(10)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().learningRate(1e-3).build();
        ParamGroups groups = ParamGroups.of(net, GroupingStrategy.of(cfg));
        NetModel nm = new NetModel(net);
        Lstm rule = new Lstm(cfg, groups, DataType.DOUBLE, LstmParams.initial(20, P, 1.0, 0.01, 1));
        LstmState st = LstmState.zeros(nm.params(), 20);
        INDArray g = Nd4j.rand(DataType.DOUBLE, nm.params().length()).subi(0.5).muli(1e-2);
        rule.step(nm.params(), g, st);   // the workspace learns its size
        long before = org.bytedeco.javacpp.Pointer.physicalBytes();
        for (int t = 0; t < 20; t++) {
            rule.step(nm.params(), g, st);
        }
        long grown = org.bytedeco.javacpp.Pointer.physicalBytes() - before;
        System.out.printf(Locale.ROOT, "20 LSTM steps on %d parameters: resident memory grew by %.1f MB%n", nm.params().length(), grown / 1e6);
        // measured: 77 MB with the step's workspace; 4.2 GB without it (the temporaries' native buffers
        // waited for the garbage collector)
        assertTrue(grown < 500_000_000L, "resident memory grew by " + grown + " bytes over 20 steps");
        double norm = nm.params().norm2Number().doubleValue();
        assertTrue(Double.isFinite(norm) && norm > 0, "parameters after 21 steps: norm " + norm);
    }

    @Test
    void theJsonFormReadsBackBitForBitAndBadFilesAreRefused() {
        LstmParams phi = LstmParams.random(20, P, 0.5, 0.2, 9).withPhi(LstmParams.random(20, P, 0.5, 0.2, 9).phi(), Map.of("k", "v"));
        LstmParams back = LstmParams.fromJson(phi.toJson());
        assertEquals(phi, back);
        assertEquals(phi.digest(), back.digest());
        assertEquals(5141, phi.size());
        assertEquals("v", back.provenance().get("k"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LstmParams.fromJson("{\"format\":1,\"rule\":\"l3rs\"}"))
                .getMessage().contains("not an LSTM parameter file"));
        String shortPhi = phi.toJson().replaceFirst("\"phi\" : \\[ [^,]+,", "\"phi\" : [");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LstmParams.fromJson(shortPhi)).getMessage().contains("has 5141 values"));
    }
}
