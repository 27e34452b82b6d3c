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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The float path of the attention ({@code meta.precision=float}, {@link VectorFloatAttention}) against the
 * double path: logits and every weight tensor's gradient within a stated relative tolerance over G = 1…512
 * (multiples of the vector width and not), and its gradient against finite differences of the double
 * module. The test JVM has {@code jdk.incubator.vector} (spark-plugin/pom.xml's surefire argLine).
 */
class AttentionModuleFloatTest {
    /** Logits: max |float − double| over max |double|; the attention's inputs and outputs are rounded to float once. */
    static final double LOGIT_TOLERANCE = 1e-5;
    /** Gradients: ‖float − double‖ / ‖double‖ per weight tensor. */
    static final double GRADIENT_TOLERANCE = 1e-5;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        Object[][] shapes = {
                {9, 32, 2, 4, 64, ModuleShape.Activation.RELU, false},   // the default module (basic+ features)
                {5, 8, 2, 4, 12, ModuleShape.Activation.GELU, false},    // head width 2
                {7, 6, 1, 2, 5, ModuleShape.Activation.RELU, false},     // head width 3
                {3, 5, 2, 5, 7, ModuleShape.Activation.GELU, false},     // head width 1
                {16, 8, 2, 2, 16, ModuleShape.Activation.GELU, true},    // learned group embeddings
        };
        for (Object[] s : shapes) {
            for (int g : new int[]{1, 2, 3, 7, 8, 9, 17, 24, 64, 100}) {
                out.add(Arguments.of(s[0], s[1], s[2], s[3], s[4], s[5], s[6], g));
            }
        }
        out.add(Arguments.of(9, 32, 2, 4, 64, ModuleShape.Activation.RELU, false, 512));
        out.add(Arguments.of(9, 32, 2, 4, 64, ModuleShape.Activation.RELU, false, 333));
        return out.stream();
    }

    static FloatAttention kernel() {
        assertTrue(AttentionPrecision.vectorModulePresent(), "the test JVM needs --add-modules jdk.incubator.vector (spark-plugin/pom.xml)");
        FloatAttention k = AttentionPrecision.load();
        assertTrue(k instanceof VectorFloatAttention, String.valueOf(k));
        return k;
    }

    @ParameterizedTest(name = "F={0} d={1} L={2} H={3} dff={4} {5} embeddings={6} G={7}")
    @MethodSource("cases")
    void floatPathFollowsTheDoublePath(int F, int d, int L, int H, int dff, ModuleShape.Activation act, boolean emb, int G) {
        ModuleShape shape = new ModuleShape(F, d, L, H, dff, act, emb ? G : 0);
        SplittableRandom rnd = new SplittableRandom(17L * G + d + 3L * F);
        double[] weights = AttentionModuleReferenceTest.randomWeights(shape, rnd);
        AttentionModule dbl = new AttentionModule(shape, weights);
        AttentionModule flt = new AttentionModule(shape, weights);
        flt.useFloatAttention(kernel());
        double[][] tokens = AttentionModuleReferenceTest.randomTokens(G, F, rnd);
        double[] dOut = AttentionModuleReferenceTest.randomVector(G * ModuleShape.OUTPUTS, rnd);

        AttentionModule.Forward fd = dbl.forward(tokens), ff = flt.forward(tokens);
        assertNull(fd.kernel);
        assertSame(flt.floatAttention(), ff.kernel);
        assertLogitsClose(fd.logits(), ff.logits(), "G=" + G);
        assertGradientsClose(dbl, dbl.backward(fd, dOut), flt.backward(ff, dOut), GRADIENT_TOLERANCE, "G=" + G);

        // the same through a reused pass and workspace: the second call overwrites the first in place
        AttentionModule.Workspace ws = new AttentionModule.Workspace(shape, G);
        double[] gw = new double[flt.numWeights()];
        AttentionModule.Forward reused = flt.forward(AttentionModuleReferenceTest.randomTokens(G, F, rnd), null);
        flt.backward(reused, AttentionModuleReferenceTest.randomVector(G * ModuleShape.OUTPUTS, rnd), gw, ws);
        assertSame(reused, flt.forward(tokens, reused));
        flt.backward(reused, dOut, gw, ws);
        // identical, whether or not the JIT has compiled the kernels yet (the first calls at G = 512 run interpreted)
        assertEquals(0, compareBits(ff.logits(), reused.logits()), "the float path gives the same logits through a reused pass");
        assertEquals(0, compareBits(flt.backward(ff, dOut), gw), "and the same gradient through a reused workspace");
    }

    @Test
    void aPassOfTheOtherPrecisionIsNotReused() {
        ModuleShape shape = ModuleShape.defaults(9);
        SplittableRandom rnd = new SplittableRandom(4);
        AttentionModule m = new AttentionModule(shape, AttentionModuleReferenceTest.randomWeights(shape, rnd));
        double[][] tokens = AttentionModuleReferenceTest.randomTokens(10, 9, rnd);
        AttentionModule.Forward dbl = m.forward(tokens, null);
        m.useFloatAttention(kernel());
        AttentionModule.Forward flt = m.forward(tokens, dbl);
        assertNotSame(dbl, flt);
        assertSame(m.floatAttention(), flt.kernel);
        m.useFloatAttention(null);
        assertNotSame(flt, m.forward(tokens, flt));
    }

    /** The float path's analytic gradient against central differences of the double module (the same function, exactly rounded). */
    @ParameterizedTest(name = "G={0} L={1} H={2} {3} embeddings={4}")
    @MethodSource("org.metaadamw.meta.AttentionModuleGradientTest#shapes")
    void floatGradientMatchesFiniteDifferences(int G, int L, int H, ModuleShape.Activation act, boolean emb) {
        int F = 5;
        ModuleShape shape = new ModuleShape(F, 8, L, H, 12, act, emb ? G : 0);
        AttentionModule module = new AttentionModule(shape, 11 + G * 100L + L * 10L + H);
        SplittableRandom rnd = new SplittableRandom(3 + G);
        double[][] tokens = AttentionModuleGradientTest.randomiseHeadAndTokens(module, G, F, rnd);
        double[] c = AttentionModuleReferenceTest.randomVector(G * ModuleShape.OUTPUTS, rnd);
        AttentionModule flt = module.copy();
        flt.useFloatAttention(kernel());
        double[] analytic = flt.backward(flt.forward(tokens), c);
        // the key biases' gradient is zero but for rounding (see assertGradientsClose): 1e-6 of the whole gradient's norm
        AttentionModuleGradientTest.assertMatchesFiniteDifferences(module, tokens, c, analytic, GRADIENT_TOLERANCE, 1e-6);
    }

    @Test
    void precisionSettingSelectsThePath() {
        assertNull(AttentionPrecision.resolve("double", 512, true), "double: never the float kernel");
        assertNull(AttentionPrecision.resolve("float", 512, false), "float without the module: the double path");
        assertNull(AttentionPrecision.resolve("auto", 512, false), "auto without the module: the double path");
        assertNull(AttentionPrecision.resolve("auto", 127, true), "auto below 128 groups: the double path");
        assertTrue(AttentionPrecision.resolve("auto", 128, true) instanceof VectorFloatAttention);
        assertTrue(AttentionPrecision.resolve("float", 1, true) instanceof VectorFloatAttention);
        assertTrue(AttentionPrecision.resolve("float", 1) instanceof VectorFloatAttention, "this JVM has the module");
        assertThrows(IllegalArgumentException.class, () -> AttentionPrecision.resolve("half", 8, true));
        int lanes = kernel().padded(1);
        assertTrue(lanes >= 8 && lanes % 8 == 0, "rows are padded to whole vectors of at least 8 floats (AVX2), got " + lanes);
        assertEquals(2 * lanes, kernel().padded(lanes + 1));
        assertEquals(lanes, kernel().padded(lanes));
    }

    static void assertLogitsClose(double[] expected, double[] actual, String what) {
        double max = 0, diff = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i]));
            diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
        }
        assertTrue(diff <= LOGIT_TOLERANCE * max, what + ": logits differ by " + diff + " of " + max);
    }

    /**
     * Per weight tensor, ‖float − double‖ ≤ tol·‖double‖ + 1e-6·‖whole double gradient‖: the absolute part is for
     * the key biases, whose gradient is zero but for rounding (a shift of every key moves all of a query's scores
     * alike, which the softmax ignores), about 1e-17 in double and 1e-9 in float.
     */
    static void assertGradientsClose(AttentionModule m, double[] expected, double[] actual, double tol, String what) {
        double all2 = 0;
        for (double v : expected) {
            all2 += v * v;
        }
        double floor = 1e-6 * Math.sqrt(all2);
        for (AttentionModule.Tensor t : m.tensors()) {
            double diff2 = 0, norm2 = 0;
            for (int i = t.offset(); i < t.offset() + t.size(); i++) {
                diff2 += (actual[i] - expected[i]) * (actual[i] - expected[i]);
                norm2 += expected[i] * expected[i];
            }
            double diff = Math.sqrt(diff2), norm = Math.sqrt(norm2);
            assertTrue(diff <= tol * norm + floor, what + " " + t.name() + ": difference " + diff + ", norm " + norm
                    + " (relative " + diff / norm + ")");
        }
    }

    private static int compareBits(double[] a, double[] b) {
        assertEquals(a.length, b.length);
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (Double.doubleToRawLongBits(a[i]) != Double.doubleToRawLongBits(b[i])) {
                n++;
            }
        }
        return n;
    }
}
