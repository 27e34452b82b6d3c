package org.metaadamw.update;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * φ, the meta-parameters of the coordinatewise LSTM update rule ({@link Lstm}; Andrychowicz et al. 2016,
 * "Learning to learn by gradient descent by gradient descent"; docs/lstm.md): two stacked LSTM layers of
 * H units (the paper's 20) and a linear output, shared by every coordinate of the network, plus the two
 * fixed settings of the rule, the preprocessing exponent p (the paper's 10) and the output scale s.
 * Per coordinate, with input x ∈ R² (the preprocessed gradient) and gates in PyTorch's order (i, f, g, o):
 * <pre>
 *   z1 = x W1x + h1 W1h + b1            [i f g o] = [σ σ tanh σ](z1)     c1 ← f c1 + i g,  h1 ← o tanh(c1)
 *   z2 = h1 W2x + h2 W2h + b2           (the same gates)                 c2 ← f c2 + i g,  h2 ← o tanh(c2)
 *   y  = h2 wo + bo                     the step direction, θ ← θ − η (s y + λ θ)
 * </pre>
 * The flat vector {@link #phi()} holds, in this order: W1x (2 × 4H, row-major), W1h (H × 4H), b1 (4H),
 * W2x (H × 4H), W2h (H × 4H), b2 (4H), wo (H), bo (1): {@link #size(int)} = 12H² + 18H + 1 values, 5141 for H = 20.
 * φ does not depend on the network (no per-group part), so one φ can be used on any network.
 *
 * <p>Saved as JSON ({@link #toJson}, {@link #fromJson}), bit for bit. Immutable (arrays copied in and
 * out), serializable, thread-safe.
 */
public final class LstmParams implements LearnedParams {
    private static final long serialVersionUID = 1L;
    /** Version of the JSON layout; reading refuses any other. */
    public static final int FORMAT_VERSION = 1;
    /** The per-coordinate input: the two preprocessed values of the gradient. */
    public static final int INPUTS = 2;
    /** The paper's preprocessing exponent p (its appendix on gradient preprocessing; not in the seed summary, docs/lstm.md). */
    public static final double PAPER_P = 10.0;
    /** The paper's number of hidden units per layer. */
    public static final int PAPER_HIDDEN = 20;

    private final int hidden;
    private final double p, outputScale;
    private final double[] phi;
    private final Map<String, String> provenance;

    /**
     * @param hidden      H, units per layer, &gt;= 1
     * @param p           the preprocessing exponent, &gt; 0 (gradients below e^−p in magnitude take the linear branch)
     * @param outputScale s, multiplies the LSTM output before the learning rate, &gt; 0 and finite
     * @param phi         {@link #size(int)} finite values
     * @param provenance  how φ was made, written to the file
     */
    public LstmParams(int hidden, double p, double outputScale, double[] phi, Map<String, String> provenance) {
        if (hidden < 1) {
            throw new IllegalArgumentException("LSTM: hidden units must be >= 1 (got " + hidden + ")");
        }
        if (!(p > 0) || Double.isInfinite(p)) {
            throw new IllegalArgumentException("LSTM: the preprocessing exponent p must be > 0 and finite (got " + p + ")");
        }
        if (!(outputScale > 0) || Double.isInfinite(outputScale)) {
            throw new IllegalArgumentException("LSTM: the output scale must be > 0 and finite (got " + outputScale + ")");
        }
        if (phi.length != size(hidden)) {
            throw new IllegalArgumentException("LSTM: φ of H=" + hidden + " has " + size(hidden) + " values, got " + phi.length);
        }
        ParamsFiles.checkFinite("LSTM", phi);
        this.hidden = hidden;
        this.p = p;
        this.outputScale = outputScale;
        this.phi = phi.clone();
        this.provenance = Map.copyOf(provenance);
    }

    /** The length of φ for H units per layer: two LSTM layers and the linear output. */
    public static int size(int hidden) {
        int g = 4 * hidden;
        return INPUTS * g + hidden * g + g + hidden * g + hidden * g + g + hidden + 1;
    }

    /** Offsets into φ of W1x, W1h, b1, W2x, W2h, b2, wo, bo (package-private: the rule and its tests read φ through them). */
    static int[] offsets(int hidden) {
        int g = 4 * hidden;
        int w1x = 0, w1h = w1x + INPUTS * g, b1 = w1h + hidden * g, w2x = b1 + g, w2h = w2x + hidden * g, b2 = w2h + hidden * g,
                wo = b2 + g, bo = wo + hidden;
        return new int[]{w1x, w1h, b1, w2x, w2h, b2, wo, bo};
    }

    /**
     * φ0 of meta-training: an LSTM built to start as a sensible optimizer, sign descent with momentum
     * (signum), plus N(0, std²) on every weight (not the biases) from {@code java.util.Random(seed)} to break
     * the symmetry of the units. Every unit j of layer 1 integrates the sign input: i and o gates open
     * (bias +5, σ = 0.993), forget gate σ = 0.9 (bias ln 9), candidate tanh(0.1 x₂), so c1 is close to
     * 0.1 Σ 0.9^k sign(g_(t−k)); unit j of layer 2 passes h1_j through (forget gate shut, bias −5; candidate
     * weight 1 from h1_j); the output averages the units, scaled so that a gradient of constant sign gives
     * y → 1 (the steady state, computed here). So η is the step size per coordinate, as in Adam.
     */
    public static LstmParams initial(int hidden, double p, double outputScale, double std, long seed) {
        double[] w = new double[size(hidden)];
        int[] o = offsets(hidden);
        int g = 4 * hidden;
        Random r = new Random(seed);
        for (int i = 0; i < w.length; i++) {
            boolean bias = (i >= o[2] && i < o[3]) || (i >= o[5] && i < o[6]) || i == o[7];
            w[i] = bias ? 0.0 : std * r.nextGaussian();
        }
        double open = 5, forget = Math.log(9), shut = -5, in = 0.1;
        for (int j = 0; j < hidden; j++) {
            w[o[2] + j] = open;                     // layer 1: i
            w[o[2] + hidden + j] = forget;          // f
            w[o[2] + 3 * hidden + j] = open;        // o
            w[o[0] + g + 2 * hidden + j] += in;     // candidate from x₂ (row 1 of W1x)
            w[o[5] + j] = open;                     // layer 2: i
            w[o[5] + hidden + j] = shut;            // f
            w[o[5] + 3 * hidden + j] = open;        // o
            w[o[3] + j * g + 2 * hidden + j] += 1;  // candidate from h1_j
        }
        // the steady state of one unit under x₂ = 1, to scale the output to 1
        double c1 = 0, h1, c2 = 0, h2 = 0;
        for (int t = 0; t < 1000; t++) {
            c1 = sigmoid(forget) * c1 + sigmoid(open) * Math.tanh(in);
            h1 = sigmoid(open) * Math.tanh(c1);
            c2 = sigmoid(shut) * c2 + sigmoid(open) * Math.tanh(h1);
            h2 = sigmoid(open) * Math.tanh(c2);
        }
        for (int j = 0; j < hidden; j++) {
            w[o[6] + j] += 1.0 / (hidden * h2);
        }
        return new LstmParams(hidden, p, outputScale, w, Map.of("init", "signum-like, weights + N(0," + std + "²), seed " + seed));
    }

    /** φ with every weight and bias from N(0, std²) ({@code java.util.Random(seed)}): the paper's kind of start, for comparison. */
    public static LstmParams random(int hidden, double p, double outputScale, double std, long seed) {
        double[] w = new double[size(hidden)];
        Random r = new Random(seed);
        for (int i = 0; i < w.length; i++) {
            w[i] = std * r.nextGaussian();
        }
        return new LstmParams(hidden, p, outputScale, w, Map.of("init", "N(0," + std + "²), seed " + seed));
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    @Override
    public LstmParams withPhi(double[] newPhi, Map<String, String> newProvenance) {
        return new LstmParams(hidden, p, outputScale, newPhi, newProvenance);
    }

    /** {@link UpdateRule#lstm}(this). */
    @Override
    public UpdateRule rule() {
        return UpdateRule.lstm(this);
    }

    /** H, units per layer. */
    public int hidden() {
        return hidden;
    }

    /** The preprocessing exponent p. */
    public double p() {
        return p;
    }

    /** s, the output scale. */
    public double outputScale() {
        return outputScale;
    }

    @Override
    public double[] phi() {
        return phi.clone();
    }

    /** The live φ, for the rule in this package (never written). */
    double[] phiView() {
        return phi;
    }

    @Override
    public int size() {
        return phi.length;
    }

    public Map<String, String> provenance() {
        return provenance;
    }

    /** SHA-256 of H, p, s and the bits of φ (hex): what a checkpoint records to refuse another φ. */
    public String digest() {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 * 2);
        b.putInt(hidden).putDouble(p).putDouble(outputScale);
        return ParamsFiles.digest(b.array(), phi);
    }

    /** The JSON form: format, rule "lstm", hidden, layers (2), p, outputScale, phi, provenance. */
    @Override
    public String toJson() {
        ObjectNode o = ParamsFiles.header(FORMAT_VERSION, "lstm");
        o.put("hidden", hidden);
        o.put("layers", 2);
        o.put("p", p);
        o.put("outputScale", outputScale);
        return ParamsFiles.finish(o, phi, provenance);
    }

    /**
     * Reads what {@link #toJson} wrote.
     *
     * @throws IllegalArgumentException naming what is missing or wrong
     */
    public static LstmParams fromJson(String text) {
        JsonNode o = ParamsFiles.parse(text, FORMAT_VERSION, "lstm", "LSTM", "hidden", "layers", "p", "outputScale", "phi");
        if (o.get("layers").asInt() != 2) {
            throw new IllegalArgumentException("layers " + o.get("layers") + ", this library's LSTM rule has 2");
        }
        return new LstmParams(o.get("hidden").asInt(), o.get("p").asDouble(), o.get("outputScale").asDouble(), ParamsFiles.phi(o),
                ParamsFiles.provenance(o));
    }

    @Override
    public boolean equals(Object x) {
        return x instanceof LstmParams q && q.hidden == hidden && Double.compare(q.p, p) == 0
                && Double.compare(q.outputScale, outputScale) == 0 && Arrays.equals(q.phi, phi);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(phi) * 31 + hidden;
    }

    @Override
    public String toString() {
        return "LstmParams(H=" + hidden + ", p=" + p + ", s=" + outputScale + ", " + phi.length + " values)";
    }
}
