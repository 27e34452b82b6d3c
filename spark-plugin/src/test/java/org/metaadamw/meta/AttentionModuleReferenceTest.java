package org.metaadamw.meta;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The feature-major, workspace-based {@link AttentionModule} against the straightforward row-major code
 * it replaced ({@link ReferenceAttentionModule}): logits and every weight gradient must be equal bit for
 * bit, over group counts that are and are not multiples of the kernels' block sizes (2 rows, 4 terms,
 * 8 queries), widths with and without a remainder mod 4, and through reused and re-sized buffers.
 */
class AttentionModuleReferenceTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        // F, d, L, H, d_ff, activation, embeddings
        Object[][] shapes = {
                {9, 32, 2, 4, 64, ModuleShape.Activation.RELU, false},   // the default module (basic+ features)
                {5, 8, 2, 4, 12, ModuleShape.Activation.GELU, false},
                {7, 6, 1, 2, 5, ModuleShape.Activation.RELU, false},     // head width 3, widths not multiples of 4
                {3, 5, 2, 5, 7, ModuleShape.Activation.GELU, false},     // head width 1
                {2, 3, 1, 1, 3, ModuleShape.Activation.RELU, false},     // every width below 4
                {16, 8, 2, 2, 16, ModuleShape.Activation.GELU, true},    // enhanced: learned group embeddings
        };
        for (Object[] s : shapes) {
            for (int g : new int[]{1, 2, 3, 5, 8, 9, 17, 64}) {
                out.add(Arguments.of(s[0], s[1], s[2], s[3], s[4], s[5], s[6], g));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "F={0} d={1} L={2} H={3} dff={4} {5} embeddings={6} G={7}")
    @MethodSource("cases")
    void forwardAndBackwardEqualTheReferenceBitForBit(int F, int d, int L, int H, int dff, ModuleShape.Activation act,
                                                      boolean emb, int G) {
        ModuleShape shape = new ModuleShape(F, d, L, H, dff, act, emb ? G : 0);
        SplittableRandom rnd = new SplittableRandom(31L * G + d + 7L * F);
        double[] weights = randomWeights(shape, rnd);
        AttentionModule module = new AttentionModule(shape, weights);
        ReferenceAttentionModule reference = new ReferenceAttentionModule(shape, weights);
        double[][] tokens = randomTokens(G, F, rnd);
        double[] dOut = randomVector(G * ModuleShape.OUTPUTS, rnd);

        AttentionModule.Forward fw = module.forward(tokens);
        ReferenceAttentionModule.Forward rf = reference.forward(tokens);
        assertBitsEqual(rf.logits(), fw.logits(), "logits");
        assertBitsEqual(reference.backward(rf, dOut), module.backward(fw, dOut), "weight gradient");

        // the same through reused buffers, twice (the second pass overwrites the first in place)
        AttentionModule.Workspace ws = new AttentionModule.Workspace(shape, G);
        double[] gw = new double[module.numWeights()];
        AttentionModule.Forward reused = module.forward(randomTokens(G, F, rnd), new AttentionModule.Forward(shape, G));
        module.backward(reused, randomVector(G * ModuleShape.OUTPUTS, rnd), gw, ws);
        assertSame(reused, module.forward(tokens, reused), "a pass of the right size is reused");
        module.backward(reused, dOut, gw, ws);
        assertBitsEqual(rf.logits(), reused.logits(), "logits, reused pass");
        assertBitsEqual(reference.backward(rf, dOut), gw, "weight gradient, reused workspace");
    }

    @Test
    void changingGroupCountsGetBuffersOfTheirOwnSize() {
        ModuleShape shape = new ModuleShape(5, 8, 2, 2, 12, ModuleShape.Activation.GELU, 0);
        SplittableRandom rnd = new SplittableRandom(5);
        double[] weights = randomWeights(shape, rnd);
        AttentionModule module = new AttentionModule(shape, weights);
        ReferenceAttentionModule reference = new ReferenceAttentionModule(shape, weights);
        AttentionModule.Forward pass = null;
        AttentionModule.Workspace ws = null;
        double[] gw = new double[module.numWeights()];
        for (int G : new int[]{4, 4, 11, 1, 11, 64, 3, 3}) {
            double[][] tokens = randomTokens(G, 5, rnd);
            double[] dOut = randomVector(G * ModuleShape.OUTPUTS, rnd);
            AttentionModule.Forward next = module.forward(tokens, pass);
            if (pass != null && pass.groups() == G) {
                assertSame(pass, next);
            } else {
                assertNotSame(pass, next);
                assertEquals(G, next.groups());
            }
            pass = next;
            if (ws == null || !ws.fits(shape, G)) {
                ws = new AttentionModule.Workspace(shape, G);
            }
            module.backward(pass, dOut, gw, ws);
            ReferenceAttentionModule.Forward rf = reference.forward(tokens);
            assertBitsEqual(rf.logits(), pass.logits(), "logits at G=" + G);
            assertBitsEqual(reference.backward(rf, dOut), gw, "weight gradient at G=" + G);
        }
        // a workspace of another group count is refused rather than read out of bounds
        AttentionModule.Forward four = module.forward(randomTokens(4, 5, rnd));
        AttentionModule.Workspace three = new AttentionModule.Workspace(shape, 3);
        assertThrows(IllegalArgumentException.class, () -> module.backward(four, new double[16], new double[module.numWeights()], three));
    }

    @Test
    void publicPassesAreNotOverwrittenByLaterCalls() {
        ModuleShape shape = ModuleShape.defaults(9);
        SplittableRandom rnd = new SplittableRandom(8);
        AttentionModule module = new AttentionModule(shape, randomWeights(shape, rnd));
        AttentionModule.Forward a = module.forward(randomTokens(6, 9, rnd));
        double[] before = a.logits();
        module.forward(randomTokens(6, 9, rnd));
        module.backward(a, randomVector(24, rnd));
        assertBitsEqual(before, a.logits(), "first pass after a second one");
    }

    /** Random weights everywhere, the head included (the default zero head would make most gradients zero). */
    static double[] randomWeights(ModuleShape shape, SplittableRandom rnd) {
        AttentionModule m = new AttentionModule(shape, rnd.nextLong());
        double[] w = m.weights().clone();
        for (AttentionModule.Tensor t : m.tensors()) {
            if (t.name().startsWith("head.") || t.name().contains(".shift") || t.name().endsWith(".bias")) {
                for (int i = 0; i < t.size(); i++) {
                    w[t.offset() + i] = rnd.nextDouble(-0.5, 0.5);
                }
            } else if (t.name().endsWith(".gain")) {
                for (int i = 0; i < t.size(); i++) {
                    w[t.offset() + i] = rnd.nextDouble(0.5, 1.5);
                }
            }
        }
        return w;
    }

    static double[][] randomTokens(int G, int F, SplittableRandom rnd) {
        double[][] t = new double[G][F];
        for (double[] row : t) {
            for (int j = 0; j < F; j++) {
                row[j] = rnd.nextDouble(-2, 2);
            }
        }
        return t;
    }

    static double[] randomVector(int n, SplittableRandom rnd) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextDouble(-1, 1);
        }
        return v;
    }

    private static void assertBitsEqual(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToRawLongBits(expected[i]) != Double.doubleToRawLongBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", the reference gives " + expected[i]
                        + " (difference " + (actual[i] - expected[i]) + ")");
            }
        }
    }
}
