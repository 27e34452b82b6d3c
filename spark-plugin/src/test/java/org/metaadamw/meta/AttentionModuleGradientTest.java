package org.metaadamw.meta;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.metaadamw.update.Modulation;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finite-difference checks of every weight tensor's gradient, across module shapes. */
class AttentionModuleGradientTest {

    static Stream<Arguments> shapes() {
        List<Arguments> out = new ArrayList<>();
        for (int g : new int[]{1, 3, 24}) {
            for (int l : new int[]{1, 2}) {
                for (int h : new int[]{1, 4}) {
                    out.add(Arguments.of(g, l, h, ModuleShape.Activation.GELU, false));
                }
            }
        }
        out.add(Arguments.of(3, 2, 4, ModuleShape.Activation.RELU, false));
        out.add(Arguments.of(24, 1, 4, ModuleShape.Activation.RELU, false));
        out.add(Arguments.of(3, 2, 2, ModuleShape.Activation.GELU, true));
        return out.stream();
    }

    @ParameterizedTest(name = "G={0} L={1} H={2} {3} embeddings={4}")
    @MethodSource("shapes")
    void everyWeightTensorMatchesFiniteDifferences(int G, int L, int H, ModuleShape.Activation act, boolean emb) {
        int F = 5;
        ModuleShape shape = new ModuleShape(F, 8, L, H, 12, act, emb ? G : 0);
        AttentionModule module = new AttentionModule(shape, 11 + G * 100L + L * 10L + H);
        SplittableRandom rnd = new SplittableRandom(3 + G);
        double[][] tokens = randomiseHeadAndTokens(module, G, F, rnd);
        double[] c = new double[G * ModuleShape.OUTPUTS];
        for (int i = 0; i < c.length; i++) {
            c[i] = rnd.nextDouble(-1, 1);
        }
        AttentionModule.Forward fw = module.forward(tokens);
        double[] analytic = module.backward(fw, c);
        assertMatchesFiniteDifferences(module, tokens, c, analytic, 1e-5, 0);
    }

    /** A non-zero head, shifts and biases (or every gradient below the head would be exactly zero), and G random tokens. */
    static double[][] randomiseHeadAndTokens(AttentionModule module, int G, int F, SplittableRandom rnd) {
        for (AttentionModule.Tensor t : module.tensors()) {
            if (t.name().startsWith("head.") || t.name().contains(".shift") || t.name().endsWith(".bias")) {
                for (int i = 0; i < t.size(); i++) {
                    module.weights()[t.offset() + i] = rnd.nextDouble(-0.5, 0.5);
                }
            }
        }
        double[][] tokens = new double[G][F];
        for (double[] row : tokens) {
            for (int j = 0; j < F; j++) {
                row[j] = rnd.nextDouble(-2, 2);
            }
        }
        return tokens;
    }

    /**
     * Per weight tensor, ‖analytic − numeric‖ / ‖|analytic| + |numeric|‖ ≤ {@code tol}, with the numeric gradient of
     * the loss Σ c·logits by central differences of {@code module}'s forward pass (step 1e-6), or the difference at most
     * {@code floor}·‖analytic‖ (over all weights) for a gradient that is zero but for rounding.
     */
    static void assertMatchesFiniteDifferences(AttentionModule module, double[][] tokens, double[] c, double[] analytic, double tol,
                                               double floor) {
        double h = 1e-6;
        double[] w = module.weights();
        double all2 = 0;
        for (double v : analytic) {
            all2 += v * v;
        }
        double absolute = floor * Math.sqrt(all2);
        for (AttentionModule.Tensor t : module.tensors()) {
            double diff2 = 0, sum2 = 0;
            for (int i = t.offset(); i < t.offset() + t.size(); i++) {
                double keep = w[i];
                w[i] = keep + h;
                double up = loss(module, tokens, c);
                w[i] = keep - h;
                double down = loss(module, tokens, c);
                w[i] = keep;
                double numeric = (up - down) / (2 * h);
                diff2 += (analytic[i] - numeric) * (analytic[i] - numeric);
                sum2 += (Math.abs(analytic[i]) + Math.abs(numeric)) * (Math.abs(analytic[i]) + Math.abs(numeric));
            }
            double scale = Math.sqrt(sum2);
            if (scale < 1e-8) {
                continue; // both zero (for example query/key weights when G = 1: softmax over one token)
            }
            double rel = Math.sqrt(diff2) / scale;
            assertTrue(rel <= tol || Math.sqrt(diff2) <= absolute, t.name() + ": relative error " + rel + ", difference " + Math.sqrt(diff2));
        }
    }

    private static double loss(AttentionModule m, double[][] tokens, double[] c) {
        double[] out = m.forward(tokens).logits();
        double s = 0;
        for (int i = 0; i < out.length; i++) {
            s += c[i] * out[i];
        }
        return s;
    }

    @Test
    void zeroInitialisedHeadGivesExactlyNeutralMultipliers() {
        AttentionModule module = new AttentionModule(ModuleShape.defaults(9), 5);
        SplittableRandom rnd = new SplittableRandom(1);
        double[][] tokens = new double[7][9];
        for (double[] row : tokens) {
            for (int j = 0; j < row.length; j++) {
                row[j] = rnd.nextDouble(-3, 3);
            }
        }
        Modulation m = OutputMap.sigmoid(1.0, 1.0).apply(module.forward(tokens).logits());
        for (int g = 0; g < 7; g++) {
            assertEquals(1.0, m.alpha(g), 0.0);
            assertEquals(1.0, m.beta(g), 0.0);
            assertEquals(0.5, m.lambda1(g), 0.0);
        }
        assertTrue(m.isNeutral());
    }

    @Test
    void moduleIsEquivariantOverGroups() {
        ModuleShape shape = new ModuleShape(4, 8, 2, 2, 16, ModuleShape.Activation.RELU, 0);
        AttentionModule module = new AttentionModule(shape, 9);
        SplittableRandom rnd = new SplittableRandom(2);
        for (AttentionModule.Tensor t : module.tensors()) {
            if (t.name().startsWith("head.")) {
                for (int i = 0; i < t.size(); i++) {
                    module.weights()[t.offset() + i] = rnd.nextDouble(-1, 1);
                }
            }
        }
        double[][] tokens = new double[5][4];
        for (double[] row : tokens) {
            for (int j = 0; j < 4; j++) {
                row[j] = rnd.nextDouble(-1, 1);
            }
        }
        int[] perm = {3, 0, 4, 1, 2};
        double[][] permuted = new double[5][];
        for (int i = 0; i < 5; i++) {
            permuted[i] = tokens[perm[i]];
        }
        AttentionModule.Forward a = module.forward(tokens), b = module.forward(permuted);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < ModuleShape.OUTPUTS; j++) {
                assertEquals(a.logit(perm[i], j), b.logit(i, j), 1e-12);
            }
        }
    }

    @Test
    void invalidShapesNameTheParameter() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new ModuleShape(4, 10, 2, 4, 16, ModuleShape.Activation.RELU, 0));
        assertTrue(e.getMessage().contains("heads") && e.getMessage().contains("divisor of d = 10"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new ModuleShape(0, 8, 2, 4, 16, ModuleShape.Activation.RELU, 0));
        assertTrue(e.getMessage().contains("inputFeatures must be >= 1"), e.getMessage());
    }
}
