package org.metaadamw.update;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * φ, the meta-parameters of the L3RS update rule ({@link L3rs}; Kristiansen et al. 2025, "Narrowing
 * the Focus: Learned Optimizers for Pretrained Models", Figure 2): one small MLP shared by every
 * parameter group plus a learned embedding per group, and the two fixed hyper-parameters of the SGD
 * direction. For group g with features x_g = (log10 rms(∇_g), log10 rms(θ_g), t/T) and embedding e_g:
 * <pre>
 *   h   = tanh(W1 [x_g; e_g] + b1)            (H hidden units)
 *   o   = W2 h + b2                           (3 outputs)
 *   (μ_Adam, μ_SGD) = softmax(o_0, o_1)       mixing weights, each in [0, 1], summing to 1
 *   s   = exp(clamp(o_2, −{@value #LOG_SCALE_LIMIT}, {@value #LOG_SCALE_LIMIT}))   the group's update scale
 * </pre>
 * The flat vector {@link #phi()} holds, in this order: W1 (H × (3 + E), row-major), b1 (H), W2 (3 × H,
 * row-major), b2 (3), the G embeddings (G × E, row-major).
 *
 * <p>Saved as JSON ({@link #toJson}, {@link #fromJson}): the doubles are written in their shortest
 * round-tripping decimal form, so a saved φ reads back bit for bit. The file also carries the
 * network's group names (checked by the {@code l3rs} controller) and free-form provenance.
 *
 * <p>Immutable (the arrays are copied in and out), serializable, thread-safe.
 */
public final class L3rsParams implements LearnedParams {
    private static final long serialVersionUID = 1L;
    /** Version of the JSON layout; reading refuses any other. */
    public static final int FORMAT_VERSION = 1;
    /** Per-group features fed to the MLP: log10 rms(∇), log10 rms(θ), training progress t/T. */
    public static final int FEATURES = 3;
    /** The MLP's outputs: the Adam and SGD mixing logits and the log update scale. */
    public static final int OUTPUTS = 3;
    /** |o_2| is clamped to this: the update scale s lies in [e^−3, e^3] ≈ [0.050, 20.1]. */
    public static final double LOG_SCALE_LIMIT = 3.0;
    /** A mixing logit this large against −this gives softmax weights of exactly 1 and 0 in double (e^−800 underflows to 0). */
    public static final double PURE_LOGIT = 400.0;
    private static final List<String> FEATURE_NAMES = List.of("log10RmsGradient", "log10RmsParameter", "progress");

    private final int hidden, embedding, groups;
    private final double momentum, sgdLearningRate;
    private final double[] phi;
    private final List<String> groupNames;
    private final Map<String, String> provenance;

    /**
     * @param hidden          H, hidden units of the MLP, &gt;= 1
     * @param embedding       E, dimension of a group's embedding, &gt;= 0
     * @param groups          G, the number of parameter groups, &gt;= 1
     * @param momentum        μ of the SGD direction b ← μ b + ∇, in [0, 1)
     * @param sgdLearningRate η_SGD, the step size of the SGD direction, &gt; 0 (Adam's is {@code learningRate})
     * @param phi             the flat meta-parameters, {@link #size(int, int, int)} values, all finite
     * @param groupNames      the network's group names (G of them), or an empty list when unknown
     * @param provenance      how φ was made (meta-training settings, seeds), written to the file
     */
    public L3rsParams(int hidden, int embedding, int groups, double momentum, double sgdLearningRate, double[] phi,
                      List<String> groupNames, Map<String, String> provenance) {
        if (hidden < 1 || embedding < 0 || groups < 1) {
            throw new IllegalArgumentException("L3RS: hidden units must be >= 1, embedding >= 0, groups >= 1 (got " + hidden + ", "
                    + embedding + ", " + groups + ")");
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("L3RS: momentum must be in [0, 1) (got " + momentum + ")");
        }
        if (!(sgdLearningRate > 0) || Double.isInfinite(sgdLearningRate)) {
            throw new IllegalArgumentException("L3RS: the SGD learning rate must be > 0 and finite (got " + sgdLearningRate + ")");
        }
        int n = size(hidden, embedding, groups);
        if (phi.length != n) {
            throw new IllegalArgumentException("L3RS: φ of H=" + hidden + ", E=" + embedding + ", G=" + groups + " has " + n
                    + " values, got " + phi.length);
        }
        ParamsFiles.checkFinite("L3RS", phi);
        if (!groupNames.isEmpty() && groupNames.size() != groups) {
            throw new IllegalArgumentException("L3RS: " + groupNames.size() + " group names for " + groups + " groups");
        }
        this.hidden = hidden;
        this.embedding = embedding;
        this.groups = groups;
        this.momentum = momentum;
        this.sgdLearningRate = sgdLearningRate;
        this.phi = phi.clone();
        this.groupNames = List.copyOf(groupNames);
        this.provenance = Map.copyOf(provenance);
    }

    /** The length of φ for H hidden units, embeddings of dimension E and G groups. */
    public static int size(int hidden, int embedding, int groups) {
        int in = FEATURES + embedding;
        return hidden * in + hidden + OUTPUTS * hidden + OUTPUTS + groups * embedding;
    }

    /**
     * φ0 of meta-training: W1, W2 and the embeddings drawn from N(0, std²) with {@code java.util.Random(seed)}
     * (the same on every JVM), b1 = 0 and b2 = 0, so that the mix starts near half Adam, half SGD and the
     * scale near 1.
     */
    public static L3rsParams initial(int hidden, int embedding, List<String> groupNames, double momentum, double sgdLearningRate,
                                     double std, long seed) {
        int g = groupNames.size();
        double[] p = new double[size(hidden, embedding, g)];
        Random r = new Random(seed);
        int in = FEATURES + embedding;
        int w2 = hidden * in + hidden;
        for (int i = 0; i < p.length; i++) {
            boolean bias = (i >= hidden * in && i < w2) || (i >= w2 + OUTPUTS * hidden && i < w2 + OUTPUTS * hidden + OUTPUTS);
            p[i] = bias ? 0.0 : std * r.nextGaussian();
        }
        return new L3rsParams(hidden, embedding, g, momentum, sgdLearningRate, p, groupNames, Map.of("init", "N(0," + std + "²), seed " + seed));
    }

    /**
     * A φ whose mix is exactly one direction and whose scale is exactly 1 for every group and every input:
     * every weight 0, b2 = (±{@link #PURE_LOGIT}, ∓{@link #PURE_LOGIT}, 0). With {@code adam} true the rule is
     * AdamW; otherwise SGD with momentum and AdamW's decoupled weight decay.
     */
    public static L3rsParams pure(boolean adam, int hidden, int embedding, int groups, double momentum, double sgdLearningRate) {
        double[] p = new double[size(hidden, embedding, groups)];
        int b2 = hidden * (FEATURES + embedding) + hidden + OUTPUTS * hidden;
        p[b2] = adam ? PURE_LOGIT : -PURE_LOGIT;
        p[b2 + 1] = -p[b2];
        return new L3rsParams(hidden, embedding, groups, momentum, sgdLearningRate, p, List.of(),
                Map.of("init", adam ? "pure Adam" : "pure SGD with momentum"));
    }

    /** Same shape and hyper-parameters, φ replaced by {@code newPhi} (and the provenance by {@code newProvenance}). */
    @Override
    public L3rsParams withPhi(double[] newPhi, Map<String, String> newProvenance) {
        return new L3rsParams(hidden, embedding, groups, momentum, sgdLearningRate, newPhi, groupNames, newProvenance);
    }

    /**
     * The MLP of group {@code g} on {@code features} (length {@link #FEATURES}): {μ_Adam, μ_SGD, s}.
     * Non-finite features give NaN outputs (the round then holds NaN and is rolled back).
     */
    public double[] forward(int g, double[] features) {
        if (g < 0 || g >= groups) {
            throw new IllegalArgumentException("L3RS: group " + g + " of " + groups);
        }
        int in = FEATURES + embedding;
        double[] x = new double[in];
        System.arraycopy(features, 0, x, 0, FEATURES);
        int emb = size(hidden, embedding, groups) - groups * embedding + g * embedding;
        System.arraycopy(phi, emb, x, FEATURES, embedding);
        int b1 = hidden * in, w2 = b1 + hidden, b2 = w2 + OUTPUTS * hidden;
        double[] h = new double[hidden];
        for (int j = 0; j < hidden; j++) {
            double a = phi[b1 + j];
            for (int i = 0; i < in; i++) {
                a += phi[j * in + i] * x[i];
            }
            h[j] = Math.tanh(a);
        }
        double[] o = new double[OUTPUTS];
        for (int k = 0; k < OUTPUTS; k++) {
            double a = phi[b2 + k];
            for (int j = 0; j < hidden; j++) {
                a += phi[w2 + k * hidden + j] * h[j];
            }
            o[k] = a;
        }
        double top = Math.max(o[0], o[1]);
        double ea = Math.exp(o[0] - top), es = Math.exp(o[1] - top), sum = ea + es;
        double scale = Double.isNaN(o[2]) ? Double.NaN : Math.exp(Math.max(-LOG_SCALE_LIMIT, Math.min(LOG_SCALE_LIMIT, o[2])));
        return new double[]{ea / sum, es / sum, scale};
    }

    /** {@link UpdateRule#l3rs}(this). */
    @Override
    public UpdateRule rule() {
        return UpdateRule.l3rs(this);
    }

    public int hidden() {
        return hidden;
    }

    public int embedding() {
        return embedding;
    }

    /** G, the number of parameter groups φ has embeddings for. */
    public int groups() {
        return groups;
    }

    public double momentum() {
        return momentum;
    }

    public double sgdLearningRate() {
        return sgdLearningRate;
    }

    /** A copy of the flat φ. */
    @Override
    public double[] phi() {
        return phi.clone();
    }

    @Override
    public int size() {
        return phi.length;
    }

    public List<String> groupNames() {
        return groupNames;
    }

    public Map<String, String> provenance() {
        return provenance;
    }

    /** SHA-256 of the shape, the hyper-parameters and the bits of φ (hex): what a checkpoint records to refuse another φ. */
    public String digest() {
        ByteBuffer b = ByteBuffer.allocate(4 * 3 + 8 * 2);
        b.putInt(hidden).putInt(embedding).putInt(groups).putDouble(momentum).putDouble(sgdLearningRate);
        return ParamsFiles.digest(b.array(), phi);
    }

    /** The JSON form: format, features, H, E, G, momentum, sgdLearningRate, groupNames, phi, provenance. */
    @Override
    public String toJson() {
        ObjectNode o = ParamsFiles.header(FORMAT_VERSION, "l3rs");
        ArrayNode f = o.putArray("features");
        FEATURE_NAMES.forEach(f::add);
        o.put("hidden", hidden);
        o.put("embedding", embedding);
        o.put("groups", groups);
        o.put("momentum", momentum);
        o.put("sgdLearningRate", sgdLearningRate);
        ArrayNode names = o.putArray("groupNames");
        groupNames.forEach(names::add);
        return ParamsFiles.finish(o, phi, provenance);
    }

    /**
     * Reads what {@link #toJson} wrote.
     *
     * @throws IllegalArgumentException naming what is missing or wrong
     */
    public static L3rsParams fromJson(String text) {
        JsonNode o = ParamsFiles.parse(text, FORMAT_VERSION, "l3rs", "L3RS", "hidden", "embedding", "groups", "momentum",
                "sgdLearningRate", "phi");
        List<String> features = new java.util.ArrayList<>();
        o.path("features").forEach(n -> features.add(n.asText()));
        if (!features.equals(FEATURE_NAMES)) {
            throw new IllegalArgumentException("features " + features + ", this library computes " + FEATURE_NAMES);
        }
        List<String> names = new java.util.ArrayList<>();
        o.path("groupNames").forEach(n -> names.add(n.asText()));
        return new L3rsParams(o.get("hidden").asInt(), o.get("embedding").asInt(), o.get("groups").asInt(), o.get("momentum").asDouble(),
                o.get("sgdLearningRate").asDouble(), ParamsFiles.phi(o), names, ParamsFiles.provenance(o));
    }

    @Override
    public boolean equals(Object x) {
        return x instanceof L3rsParams p && p.hidden == hidden && p.embedding == embedding && p.groups == groups
                && Double.compare(p.momentum, momentum) == 0 && Double.compare(p.sgdLearningRate, sgdLearningRate) == 0
                && Arrays.equals(p.phi, phi) && p.groupNames.equals(groupNames);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(phi) * 31 + groups;
    }

    @Override
    public String toString() {
        return "L3rsParams(H=" + hidden + ", E=" + embedding + ", G=" + groups + ", μ=" + momentum + ", η_SGD=" + sgdLearningRate + ", "
                + phi.length + " values)";
    }
}
