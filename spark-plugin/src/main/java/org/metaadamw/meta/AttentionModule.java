package org.metaadamw.meta;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The self-attention module that maps per-group feature tokens to per-group modulation
 * logits (algorithm.md section 4): a linear input projection F → d, optional learned group
 * embeddings, L pre-LayerNorm Transformer encoder layers (H heads, feed-forward d_ff, no
 * dropout, no positional encoding, so the module is equivariant over groups), then a two-path
 * linear head with 4 outputs per group (pre-sigmoid α, β, λ1, λ2):
 * {@code out_g = LN(h_g − h̄)·W_h + LN(h̄)·W_p + b}, where h̄ is the mean over groups.
 *
 * <p>Why explicit code: the module is tiny (≈ 20 k weights at the default size) and runs once per
 * round on the driver; a general graph engine spends tens of milliseconds per call on a model
 * this size. Every weight tensor's gradient is checked against finite differences in the tests.
 *
 * <p>Differences from the paper's module, on purpose: (1) the head is zero-initialised so that
 * training starts as exact AdamW (the paper's Xavier head does not); (2) the head reads each
 * group's normalized deviation from the group mean and, through a head of its own, the normalized
 * group mean. With a plain linear head on the per-group states, the first-order meta-signal,
 * which early in training asks every group for a larger step, trains the encoder into a common
 * mode: measured on the two-group test problem, the cosine between the two groups' head inputs went
 * from −0.3 to 0.99 within ten meta-steps although their tokens were exact opposites, after which
 * the groups could not be given different multipliers. Centring keeps the per-group path blind
 * to the common mode, which the pooled path carries.
 *
 * <p>All weights live in one flat {@code double[]} (see {@link #tensors()} for the layout), which
 * makes the meta-optimizer, serialisation and gradient checks one loop each.
 *
 * <p>Cost: activations are kept feature-major (one {@code double[G]} row per feature, a head's query,
 * key and value rows adjacent), Q, K and V come from one fused product, and every product runs its
 * innermost loop over a contiguous row of groups or keys with its reduction unrolled in the loop body,
 * which the JIT vectorises. Every output element is still summed in the order of the straightforward
 * row-major code (kept in the tests as a reference), so the results are the same bit for bit. The
 * public {@link #forward(double[][])} and {@link #backward(Forward, double[])} allocate their buffers
 * on every call; the driver's controller uses the package-private overloads, which write into buffers
 * it allocates once per group count, so that its meta-step allocates nothing in steady state.
 *
 * <p>Precision: by default everything is double. With a {@link FloatAttention} kernel set
 * ({@code meta.precision=float}, see {@link AttentionPrecision}) the G² part of each layer, scores, softmax and
 * the products with the values and their backward, runs in float on the Vector API, which at G = 512 is most of
 * the step; its logits and gradients are within about 1e-6 relative of the double ones (tested), not equal.
 *
 * <p>Threading: not thread-safe. The driver owns one instance and calls it from one thread.
 */
public final class AttentionModule implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final double LN_EPS = 1e-5;
    private static final double GELU_C = Math.sqrt(2.0 / Math.PI);

    /** One named weight tensor inside the flat weight vector (row-major {@code rows × cols}). */
    public record Tensor(String name, int offset, int rows, int cols) implements Serializable {
        public int size() {
            return rows * cols;
        }
    }

    private final ModuleShape shape;
    private final double[] w;
    private final Map<String, Tensor> tensors;
    // offsets, resolved once
    private final int win, bin, emb, lnFg, lnFb, lnPg, lnPb, wh, wp, bh;
    private final int[] ln1g, ln1b, wq, bq, wk, bk, wv, bv, wo, bo, ln2g, ln2b, w1, b1, w2, b2;
    /** The float kernel of the attention ({@code meta.precision}), or null: double. Not saved; the controller sets it. */
    private transient FloatAttention floatAttention;

    /** Xavier-uniform matrices, zero biases, unit LayerNorm gains, N(0, 0.02²) group embeddings and a zero head. */
    public AttentionModule(ModuleShape shape, long seed) {
        this(shape, (double[]) null);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (Tensor t : tensors.values()) {
            String n = t.name();
            if (n.startsWith("head.")) {
                continue; // zero head: α = β = 1 exactly at the start
            } else if (n.endsWith(".gain")) {
                Arrays.fill(w, t.offset(), t.offset() + t.size(), 1.0);
            } else if (n.equals("groupEmbedding")) {
                for (int i = 0; i < t.size(); i++) {
                    w[t.offset() + i] = 0.02 * gaussian(rnd);
                }
            } else if (t.rows() > 1) {
                double limit = Math.sqrt(6.0 / (t.rows() + t.cols()));
                for (int i = 0; i < t.size(); i++) {
                    w[t.offset() + i] = (2 * rnd.nextDouble() - 1) * limit;
                }
            }
        }
    }

    /** A module with the given weights (copied); {@code weights == null} gives all zeros. */
    public AttentionModule(ModuleShape shape, double[] weights) {
        this.shape = shape;
        Map<String, Tensor> ts = new LinkedHashMap<>();
        int[] cursor = {0};
        int d = shape.model(), f = shape.feedForward(), L = shape.layers();
        win = add(ts, cursor, "input.weight", shape.inputFeatures(), d);
        bin = add(ts, cursor, "input.bias", 1, d);
        emb = shape.groupEmbeddings() > 0 ? add(ts, cursor, "groupEmbedding", shape.groupEmbeddings(), d) : -1;
        ln1g = new int[L]; ln1b = new int[L]; wq = new int[L]; bq = new int[L]; wk = new int[L]; bk = new int[L];
        wv = new int[L]; bv = new int[L]; wo = new int[L]; bo = new int[L]; ln2g = new int[L]; ln2b = new int[L];
        w1 = new int[L]; b1 = new int[L]; w2 = new int[L]; b2 = new int[L];
        for (int l = 0; l < L; l++) {
            String p = "layer" + l + ".";
            ln1g[l] = add(ts, cursor, p + "norm1.gain", 1, d);
            ln1b[l] = add(ts, cursor, p + "norm1.shift", 1, d);
            wq[l] = add(ts, cursor, p + "query.weight", d, d);
            bq[l] = add(ts, cursor, p + "query.bias", 1, d);
            wk[l] = add(ts, cursor, p + "key.weight", d, d);
            bk[l] = add(ts, cursor, p + "key.bias", 1, d);
            wv[l] = add(ts, cursor, p + "value.weight", d, d);
            bv[l] = add(ts, cursor, p + "value.bias", 1, d);
            wo[l] = add(ts, cursor, p + "attnOut.weight", d, d);
            bo[l] = add(ts, cursor, p + "attnOut.bias", 1, d);
            ln2g[l] = add(ts, cursor, p + "norm2.gain", 1, d);
            ln2b[l] = add(ts, cursor, p + "norm2.shift", 1, d);
            w1[l] = add(ts, cursor, p + "ff1.weight", d, f);
            b1[l] = add(ts, cursor, p + "ff1.bias", 1, f);
            w2[l] = add(ts, cursor, p + "ff2.weight", f, d);
            b2[l] = add(ts, cursor, p + "ff2.bias", 1, d);
        }
        lnFg = add(ts, cursor, "finalNorm.gain", 1, d);
        lnFb = add(ts, cursor, "finalNorm.shift", 1, d);
        lnPg = add(ts, cursor, "pooledNorm.gain", 1, d);
        lnPb = add(ts, cursor, "pooledNorm.shift", 1, d);
        wh = add(ts, cursor, "head.weight", d, ModuleShape.OUTPUTS);
        wp = add(ts, cursor, "head.pooled.weight", d, ModuleShape.OUTPUTS);
        bh = add(ts, cursor, "head.bias", 1, ModuleShape.OUTPUTS);
        this.tensors = Collections.unmodifiableMap(ts);
        this.w = new double[cursor[0]];
        if (weights != null) {
            if (weights.length != w.length) {
                throw new IllegalArgumentException("attention module weights: expected " + w.length
                        + " values for " + shape + ", got " + weights.length);
            }
            System.arraycopy(weights, 0, w, 0, w.length);
        }
    }

    private static int add(Map<String, Tensor> ts, int[] cursor, String name, int rows, int cols) {
        int off = cursor[0];
        ts.put(name, new Tensor(name, off, rows, cols));
        cursor[0] += rows * cols;
        return off;
    }

    private static double gaussian(SplittableRandom rnd) {
        double u1 = rnd.nextDouble(), u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    public ModuleShape shape() {
        return shape;
    }

    /** The live weight vector (mutated in place by the meta-optimizer). */
    public double[] weights() {
        return w;
    }

    public int numWeights() {
        return w.length;
    }

    /** Named tensors in layout order. */
    public List<Tensor> tensors() {
        return new ArrayList<>(tensors.values());
    }

    public AttentionModule copy() {
        return new AttentionModule(shape, w);
    }

    /**
     * Runs the attention of later forward and backward passes in float with {@code kernel}, or in double when it
     * is null (the default; see {@link AttentionPrecision}). A pass remembers the kernel it was made with, and its
     * backward uses that one.
     */
    void useFloatAttention(FloatAttention kernel) {
        this.floatAttention = kernel;
    }

    FloatAttention floatAttention() {
        return floatAttention;
    }

    /**
     * Everything the backward pass needs from one forward pass, kept feature-major: one {@code double[G]}
     * row per feature, so that the rows of one head's queries, keys and values are adjacent (head-major),
     * and the attention weights key-major. A pass returned by the public {@link AttentionModule#forward(double[][])}
     * is never written again; the package-private overload that takes a pass to reuse overwrites that pass
     * (the driver's controller reuses one).
     *
     * <p>Threading: nothing in it is written after it is returned unless it is handed back for reuse, so
     * reading it from several threads is safe once it has been published; it is not safe while it is reused.
     */
    public static final class Forward {
        final ModuleShape shape;
        final int groups;
        final double[][] x;                       // F×G input tokens
        final double[][][] h;                     // (L+1)×d×G: h[0] input projection, h[l+1] output of layer l
        final double[][][] ln1Hat, a, o, h1, ln2Hat, c;   // L×d×G
        final double[][] ln1Rstd, ln2Rstd;        // L×G
        final double[][][] qkv;                   // L×3d×G: rows [0, d) queries, [d, 2d) keys, [2d, 3d) values
        final double[][][][] pt;                  // L×H×G×G attention weights, key-major: pt[l][h][j][i] = P[i][j]
        final double[][][] z, u;                  // L×d_ff×G feed-forward pre-activation and activation
        final double[][] lnFHat, hf;              // d×G normalized deviations from the group mean
        final double[] lnFRstd;                   // G
        final double[] mean, lnPHat, pooled, lnPRstd;
        final double[] out;                       // G×4 logits, row-major
        // scratch of the pass itself (not read by the backward pass)
        final double[][] wT;                      // a weight matrix, transposed (output-major)
        final double[] bias;                      // the biases of the fused Q/K/V product
        final double[][] qs;                      // dh×G one head's queries times 1/√dh
        final double[][] ks;                      // G×dh one head's keys, key-major
        final double[] rowA, rowB;                // G per-group statistics
        final double[][] dev;                     // d×G
        final double[][] headOut;                 // 4×G
        final double[] common = new double[ModuleShape.OUTPUTS];
        final double[] zeros;
        final Partials partials;
        // the float path (null when the pass is double): a layer's queries (times 1/√dh), keys and values and its
        // attention weights in float, rows padded to whole vectors, and the scratch of the kernel
        final FloatAttention kernel;
        final float[][][] qkvF;                   // L×3d×padded
        final float[][][][] ptF;                  // L×H×G×padded, key-major
        final float[][] kTF, oF;                  // G×dh, d×padded
        final float[] maxF, sumF;                 // padded

        Forward(ModuleShape s, int groups) {
            this(s, groups, null);
        }

        Forward(ModuleShape s, int groups, FloatAttention kernel) {
            this.shape = s;
            this.groups = groups;
            this.kernel = kernel;
            int G = groups, d = s.model(), dff = s.feedForward(), L = s.layers(), H = s.heads(), dh = s.headWidth();
            x = new double[s.inputFeatures()][G];
            h = new double[L + 1][d][G];
            ln1Hat = new double[L][d][G];
            a = new double[L][d][G];
            o = new double[L][d][G];
            h1 = new double[L][d][G];
            ln2Hat = new double[L][d][G];
            c = new double[L][d][G];
            ln1Rstd = new double[L][G];
            ln2Rstd = new double[L][G];
            qkv = new double[L][3 * d][G];
            pt = kernel == null ? new double[L][H][G][G] : null;
            int n = kernel == null ? 0 : kernel.padded(G);
            qkvF = kernel == null ? null : new float[L][3 * d][n];
            ptF = kernel == null ? null : new float[L][H][G][n];
            kTF = kernel == null ? null : new float[G][dh];
            oF = kernel == null ? null : new float[d][n];
            maxF = kernel == null ? null : new float[n];
            sumF = kernel == null ? null : new float[n];
            z = new double[L][dff][G];
            u = new double[L][dff][G];
            lnFHat = new double[d][G];
            hf = new double[d][G];
            lnFRstd = new double[G];
            mean = new double[d];
            lnPHat = new double[d];
            pooled = new double[d];
            lnPRstd = new double[1];
            out = new double[G * ModuleShape.OUTPUTS];
            wT = new double[Math.max(Math.max(3 * d, dff), ModuleShape.OUTPUTS)][Math.max(Math.max(s.inputFeatures(), d), dff)];
            bias = new double[3 * d];
            qs = new double[dh][G];
            ks = new double[G][dh];
            rowA = new double[G];
            rowB = new double[G];
            dev = new double[d][G];
            headOut = new double[ModuleShape.OUTPUTS][G];
            zeros = new double[Math.max(Math.max(G, 3 * d), Math.max(dff, ModuleShape.OUTPUTS))];
            partials = new Partials(dh, G, G);
        }

        boolean fits(ModuleShape s, int G) {
            return shape.equals(s) && groups == G;
        }

        public int groups() {
            return groups;
        }

        /** Logit {@code j} (0 = α, 1 = β, 2 = λ1, 3 = λ2) of group {@code g}. */
        public double logit(int g, int j) {
            return out[g * ModuleShape.OUTPUTS + j];
        }

        /** Copy of the G×4 logits, row-major. */
        public double[] logits() {
            return out.clone();
        }
    }

    /**
     * Buffers of one backward pass for one group count, allocated once and reused by
     * {@link #backward(Forward, double[], double[], Workspace)}. Not thread-safe; package-private.
     */
    static final class Workspace {
        final ModuleShape shape;
        final int groups;
        final double[][] dh, dh1, dc, dO, da, dhf, ddev;  // d×G
        final double[][] du;                               // d_ff×G
        final double[][] dqkv;                             // 3d×G
        final double[][] dOutT;                            // 4×G
        final double[][] rm;                               // G×max(3d, d_ff): an upstream gradient, group-major
        final double[][] dW;                               // max(F, d, d_ff)×max(3d, d_ff)
        final double[][] dB;                               // 1×max(3d, d_ff)
        final double[][] ones;                             // 1×G
        final double[][] vs;                               // G×dh one head's values, key-major
        final double[][] dpt;                              // G×G score gradients of one head, key-major
        final double[][] sq;                               // G×G attention weights, then score gradients, query-major
        final double[][] dots;                             // 4×G partial sums of ⟨P[i], dP[i]⟩
        final double[][] whRows;                           // d×4
        final double[] sum, sumHat, scale;                 // G
        final double[] dCommon = new double[ModuleShape.OUTPUTS];
        final double[] dPooled, dMean, dhat;               // d
        final double[] zeros;
        final Partials partials;
        /** The float path's buffers, made by the first backward pass of a float forward pass. */
        FloatBuffers floats;

        Workspace(ModuleShape s, int groups) {
            this.shape = s;
            this.groups = groups;
            int G = groups, d = s.model(), dff = s.feedForward(), width = s.headWidth();
            int wide = Math.max(3 * d, dff);
            dh = new double[d][G];
            dh1 = new double[d][G];
            dc = new double[d][G];
            dO = new double[d][G];
            da = new double[d][G];
            dhf = new double[d][G];
            ddev = new double[d][G];
            du = new double[dff][G];
            dqkv = new double[3 * d][G];
            dOutT = new double[ModuleShape.OUTPUTS][G];
            rm = new double[G][wide];
            dW = new double[Math.max(Math.max(s.inputFeatures(), d), dff)][wide];
            dB = new double[1][wide];
            ones = new double[1][G];
            Arrays.fill(ones[0], 1.0);
            vs = new double[G][width];
            dpt = new double[G][G];
            sq = new double[G][G];
            dots = new double[4][G];
            whRows = new double[d][ModuleShape.OUTPUTS];
            sum = new double[G];
            sumHat = new double[G];
            scale = new double[G];
            dPooled = new double[d];
            dMean = new double[d];
            dhat = new double[d];
            zeros = new double[Math.max(Math.max(G, wide), Math.max(Math.max(s.inputFeatures(), d), ModuleShape.OUTPUTS))];
            partials = new Partials(Math.max(d, dff), Math.max(Math.max(d, dff), G), G);
        }

        boolean fits(ModuleShape s, int G) {
            return shape.equals(s) && groups == G;
        }
    }

    /** Scratch of the float attention backward: upstream and result rows in float (padded), and the kernel's scratch. */
    static final class FloatBuffers {
        final FloatAttention kernel;
        final float[][] dO, dqkv, vT, dpt;
        final float[] dot;

        FloatBuffers(ModuleShape s, int G, FloatAttention kernel) {
            this.kernel = kernel;
            int d = s.model(), n = kernel.padded(G);
            dO = new float[d][n];
            dqkv = new float[3 * d][n];
            vT = new float[G][s.headWidth()];
            dpt = new float[G][n];
            dot = new float[n];
        }
    }

    /**
     * Scratch of {@link #dot4Product}: for each residue r of the summation index mod 4, the partial sums
     * (up to {@code rows} rows of {@code n}), their coefficients and the references to their input rows
     * (up to {@code terms} terms in all). Not thread-safe; package-private.
     */
    static final class Partials {
        final double[][][] part, cf;
        final double[][][] rows;

        Partials(int rows, int terms, int n) {
            part = new double[4][rows][n];
            cf = new double[4][rows][terms / 4 + 3];
            this.rows = new double[4][terms / 4 + 3][];
        }
    }

    /**
     * Runs the module on {@code tokens} (G rows of F features, all finite).
     *
     * @return the logits together with the activations the backward pass needs, in buffers of their own
     */
    public Forward forward(double[][] tokens) {
        return forward(tokens, null);
    }

    /**
     * {@link #forward(double[][])} into {@code reuse} when it was made for this shape and {@code tokens.length}
     * groups (its previous contents are overwritten), else into a new pass.
     */
    Forward forward(double[][] tokens, Forward reuse) {
        int G = tokens.length, F = shape.inputFeatures(), d = shape.model(), dff = shape.feedForward();
        if (G == 0) {
            throw new IllegalArgumentException("attention module needs at least one group token");
        }
        if (shape.groupEmbeddings() > 0 && G != shape.groupEmbeddings()) {
            throw new IllegalArgumentException("attention module has embeddings for " + shape.groupEmbeddings()
                    + " groups, got " + G + " tokens");
        }
        for (int g = 0; g < G; g++) {
            if (tokens[g].length != F) {
                throw new IllegalArgumentException("token " + g + " has " + tokens[g].length + " features, expected " + F);
            }
        }
        Forward fw = reuse != null && reuse.fits(shape, G) && reuse.kernel == floatAttention ? reuse
                : new Forward(shape, G, floatAttention);
        for (int g = 0; g < G; g++) {
            double[] t = tokens[g];
            for (int j = 0; j < F; j++) {
                fw.x[j][g] = t[j];
            }
        }
        double[][] h = fw.h[0];
        linear(fw.x, F, win, d, bin, h, G, fw.wT);
        if (emb >= 0) {
            for (int j = 0; j < d; j++) {
                double[] row = h[j];
                for (int g = 0; g < G; g++) {
                    row[g] += w[emb + g * d + j];
                }
            }
        }
        for (int l = 0; l < shape.layers(); l++) {
            double[][] hIn = fw.h[l];
            layerNorm(hIn, G, d, ln1g[l], ln1b[l], fw.ln1Hat[l], fw.ln1Rstd[l], fw.a[l], fw.rowA, fw.rowB);
            // fused Q/K/V: one product of the normalized tokens with [Wq | Wk | Wv]
            pack(fw.wT, 0, wq[l], d, d);
            pack(fw.wT, d, wk[l], d, d);
            pack(fw.wT, 2 * d, wv[l], d, d);
            System.arraycopy(w, bq[l], fw.bias, 0, d);
            System.arraycopy(w, bk[l], fw.bias, d, d);
            System.arraycopy(w, bv[l], fw.bias, 2 * d, d);
            combine(fw.qkv[l], 0, 3 * d, fw.wT, 0, 0, fw.a[l], 0, d, G, fw.bias, 0);
            attention(fw, l);
            double[][] h1 = fw.h1[l];
            linear(fw.o[l], d, wo[l], d, bo[l], h1, G, fw.wT);
            addTo(h1, hIn, d, G);
            layerNorm(h1, G, d, ln2g[l], ln2b[l], fw.ln2Hat[l], fw.ln2Rstd[l], fw.c[l], fw.rowA, fw.rowB);
            linear(fw.c[l], d, w1[l], dff, b1[l], fw.z[l], G, fw.wT);
            activate(fw.z[l], fw.u[l], dff, G);
            double[][] h2 = fw.h[l + 1];
            linear(fw.u[l], dff, w2[l], d, b2[l], h2, G, fw.wT);
            addTo(h2, h1, d, G);
        }
        h = fw.h[shape.layers()];
        // head input: each group's deviation from the group mean (normalized) ...
        for (int j = 0; j < d; j++) {
            double[] row = h[j];
            double m = 0;
            for (int g = 0; g < G; g++) {
                m += row[g] / G;
            }
            fw.mean[j] = m;
        }
        for (int j = 0; j < d; j++) {
            double[] row = h[j], dev = fw.dev[j];
            double m = fw.mean[j];
            for (int g = 0; g < G; g++) {
                dev[g] = row[g] - m;
            }
        }
        layerNorm(fw.dev, G, d, lnFg, lnFb, fw.lnFHat, fw.lnFRstd, fw.hf, fw.rowA, fw.rowB);
        // ... and the group mean itself (normalized), read by a head of its own
        layerNormRow(fw.mean, d, lnPg, lnPb, fw.lnPHat, fw.lnPRstd, fw.pooled);
        int O = ModuleShape.OUTPUTS;
        linearRow(fw.pooled, d, wp, O, bh, fw.common);
        for (int o = 0; o < O; o++) {
            double[] row = fw.wT[o];
            for (int j = 0; j < d; j++) {
                row[j] = w[wh + j * O + o];
            }
        }
        combine(fw.headOut, 0, O, fw.wT, 0, 0, fw.hf, 0, d, G, fw.zeros, 0);
        for (int g = 0; g < G; g++) {
            for (int o = 0; o < O; o++) {
                fw.out[g * O + o] = fw.headOut[o][g] + fw.common[o];
            }
        }
        return fw;
    }

    /**
     * Gradient of a scalar loss with respect to every weight, given the loss gradient with respect
     * to the logits of {@code fw} ({@code dOut}, G×4 row-major).
     *
     * @return a new array laid out like {@link #weights()}
     */
    public double[] backward(Forward fw, double[] dOut) {
        double[] gw = new double[w.length];
        backward(fw, dOut, gw, new Workspace(shape, fw.groups));
        return gw;
    }

    /** {@link #backward(Forward, double[])} into {@code gw} (overwritten), with the buffers of {@code ws}. */
    void backward(Forward fw, double[] dOut, double[] gw, Workspace ws) {
        int G = fw.groups, F = shape.inputFeatures(), d = shape.model(), dff = shape.feedForward();
        int O = ModuleShape.OUTPUTS;
        if (!fw.shape.equals(shape)) {
            throw new IllegalArgumentException("forward pass of a module of shape " + fw.shape + ", this one is " + shape);
        }
        if (dOut.length != G * O) {
            throw new IllegalArgumentException("dOut has " + dOut.length + " values, expected " + G * O);
        }
        if (gw.length != w.length || !ws.fits(shape, G)) {
            throw new IllegalArgumentException("gradient buffer or workspace does not fit this module and " + G + " groups");
        }
        Arrays.fill(gw, 0.0);
        for (int o = 0; o < O; o++) {
            double[] row = ws.dOutT[o];
            for (int g = 0; g < G; g++) {
                row[g] = dOut[g * O + o];
            }
        }
        // per-group path: dOut flows into head.weight (head.bias is accounted for by the pooled path)
        for (int j = 0; j < d; j++) {
            double[] a = fw.hf[j];
            for (int o = 0; o < O; o++) {
                double[] go = ws.dOutT[o];
                double acc = 0;
                for (int g = 0; g < G; g++) {
                    acc += a[g] * go[g];
                }
                gw[wh + j * O + o] += acc;
                ws.whRows[j][o] = w[wh + j * O + o];
            }
        }
        combine(ws.dhf, 0, d, ws.whRows, 0, 0, ws.dOutT, 0, O, G, ws.zeros, 0);
        zero(ws.ddev, d);
        layerNormBackward(ws.dhf, fw.lnFHat, fw.lnFRstd, G, d, lnFg, lnFb, gw, ws.ddev, ws);
        // pooled path: the common logits receive the sum of dOut over groups
        double[] dCommon = ws.dCommon;
        Arrays.fill(dCommon, 0.0);
        for (int g = 0; g < G; g++) {
            for (int o = 0; o < O; o++) {
                dCommon[o] += dOut[g * O + o];
            }
        }
        Arrays.fill(ws.dPooled, 0.0);
        linearBackwardRow(fw.pooled, d, dCommon, O, wp, bh, gw, ws.dPooled);
        Arrays.fill(ws.dMean, 0.0);
        layerNormBackwardRow(ws.dPooled, fw.lnPHat, fw.lnPRstd[0], d, lnPg, lnPb, gw, ws.dMean, ws.dhat);
        // dev_g = h_g − mean(h), mean = (1/G) Σ h_g
        double[][] dh = ws.dh;
        for (int j = 0; j < d; j++) {
            double[] row = ws.ddev[j];
            double m = 0;
            for (int g = 0; g < G; g++) {
                m += row[g] / G;
            }
            double[] out = dh[j];
            double dm = ws.dMean[j] / G;
            for (int g = 0; g < G; g++) {
                out[g] = row[g] - m + dm;
            }
        }
        for (int l = shape.layers() - 1; l >= 0; l--) {
            // h = h1 + FF(LN2(h1))
            weightGradient(fw.u[l], dff, dh, 0, d, G, ws);
            addWeightGradient(gw, w2[l], b2[l], ws, 0, d, dff);
            double[][] du = ws.du;
            packResidues(w, w2[l], dff, d, ws.partials);
            dot4Product(dh, 0, d, dff, du, 0, G, false, ws.partials, ws.zeros);
            activateBackward(fw.z[l], du, dff, G);
            weightGradient(fw.c[l], d, du, 0, dff, G, ws);
            addWeightGradient(gw, w1[l], b1[l], ws, 0, dff, d);
            packResidues(w, w1[l], d, dff, ws.partials);
            dot4Product(du, 0, dff, d, ws.dc, 0, G, false, ws.partials, ws.zeros);
            double[][] dh1 = ws.dh1;
            copy(dh, dh1, d);
            layerNormBackward(ws.dc, fw.ln2Hat[l], fw.ln2Rstd[l], G, d, ln2g[l], ln2b[l], gw, dh1, ws);
            // h1 = h + Wo·attention(LN1(h))
            weightGradient(fw.o[l], d, dh1, 0, d, G, ws);
            addWeightGradient(gw, wo[l], bo[l], ws, 0, d, d);
            packResidues(w, wo[l], d, d, ws.partials);
            dot4Product(dh1, 0, d, d, ws.dO, 0, G, false, ws.partials, ws.zeros);
            attentionBackward(fw, l, ws.dO, ws.dqkv, ws);
            weightGradient(fw.a[l], d, ws.dqkv, 0, 3 * d, G, ws);
            addWeightGradient(gw, wq[l], bq[l], ws, 0, d, d);
            addWeightGradient(gw, wk[l], bk[l], ws, d, d, d);
            addWeightGradient(gw, wv[l], bv[l], ws, 2 * d, d, d);
            packResidues(w, wq[l], d, d, ws.partials);
            dot4Product(ws.dqkv, 0, d, d, ws.da, 0, G, false, ws.partials, ws.zeros);
            packResidues(w, wk[l], d, d, ws.partials);
            dot4Product(ws.dqkv, d, d, d, ws.da, 0, G, true, ws.partials, ws.zeros);
            packResidues(w, wv[l], d, d, ws.partials);
            dot4Product(ws.dqkv, 2 * d, d, d, ws.da, 0, G, true, ws.partials, ws.zeros);
            copy(dh1, dh, d);
            layerNormBackward(ws.da, fw.ln1Hat[l], fw.ln1Rstd[l], G, d, ln1g[l], ln1b[l], gw, dh, ws);
        }
        if (emb >= 0) {
            for (int j = 0; j < d; j++) {
                double[] row = dh[j];
                for (int g = 0; g < G; g++) {
                    gw[emb + g * d + j] += row[g];
                }
            }
        }
        weightGradient(fw.x, F, dh, 0, d, G, ws);
        addWeightGradient(gw, win, bin, ws, 0, d, F);
    }

    // ---- products ----
    //
    // Every product accumulates each output element in the same order as the straightforward row-major
    // code it replaces (kept in the tests as the reference), so that results are identical bit for bit:
    // sums that were AXPY loops stay sequential, and the dot products keep dot()'s four partial sums.
    // What changes is the loop order and the layout: the innermost loop runs over a long contiguous row
    // (groups or keys) of separate arrays, with the reduction unrolled in the loop body, which the JIT
    // vectorises.

    /**
     * y[yOff+r] = start[startOff+r] + Σ_{s<S} cf[cfRow+r][cfCol+s] · x[xOff+s] over [0, n) for r < rows, or
     * y[yOff+r] += that sum when {@code start} is null; summed over s in order, so every element gets the
     * sum a loop of AXPYs would give. Blocked two rows by two terms: a larger loop body exceeds what C2
     * unrolls by default ({@code -XX:LoopUnrollLimit}) and is then left scalar, measured about 2.5 times slower.
     */
    private static void combine(double[][] y, int yOff, int rows, double[][] cf, int cfRow, int cfCol,
                                double[][] x, int xOff, int S, int n, double[] start, int startOff) {
        int r = 0;
        for (; r + 1 < rows; r += 2) {
            double[] y0 = y[yOff + r], y1 = y[yOff + r + 1];
            double[] f0 = cf[cfRow + r], f1 = cf[cfRow + r + 1];
            int s = 0;
            if (start != null) {
                double t0 = start[startOff + r], t1 = start[startOff + r + 1];
                if (S >= 2) {
                    double a0 = f0[cfCol], a1 = f0[cfCol + 1], b0 = f1[cfCol], b1 = f1[cfCol + 1];
                    double[] x0 = x[xOff], x1 = x[xOff + 1];
                    for (int i = 0; i < n; i++) {
                        double v0 = x0[i], v1 = x1[i];
                        y0[i] = t0 + a0 * v0 + a1 * v1;
                        y1[i] = t1 + b0 * v0 + b1 * v1;
                    }
                    s = 2;
                } else if (S == 1) {
                    double a0 = f0[cfCol], b0 = f1[cfCol];
                    double[] x0 = x[xOff];
                    for (int i = 0; i < n; i++) {
                        double v0 = x0[i];
                        y0[i] = t0 + a0 * v0;
                        y1[i] = t1 + b0 * v0;
                    }
                    s = 1;
                } else {
                    Arrays.fill(y0, 0, n, t0);
                    Arrays.fill(y1, 0, n, t1);
                }
            }
            for (; s + 1 < S; s += 2) {
                int c = cfCol + s;
                double a0 = f0[c], a1 = f0[c + 1], b0 = f1[c], b1 = f1[c + 1];
                double[] x0 = x[xOff + s], x1 = x[xOff + s + 1];
                for (int i = 0; i < n; i++) {
                    double v0 = x0[i], v1 = x1[i];
                    y0[i] = y0[i] + a0 * v0 + a1 * v1;
                    y1[i] = y1[i] + b0 * v0 + b1 * v1;
                }
            }
            if (s < S) {
                double a0 = f0[cfCol + s], b0 = f1[cfCol + s];
                double[] x0 = x[xOff + s];
                for (int i = 0; i < n; i++) {
                    double v0 = x0[i];
                    y0[i] = y0[i] + a0 * v0;
                    y1[i] = y1[i] + b0 * v0;
                }
            }
        }
        if (r < rows) {
            double[] y0 = y[yOff + r];
            double[] f0 = cf[cfRow + r];
            int s = 0;
            if (start != null) {
                double t0 = start[startOff + r];
                if (S >= 4) {
                    double a0 = f0[cfCol], a1 = f0[cfCol + 1], a2 = f0[cfCol + 2], a3 = f0[cfCol + 3];
                    double[] x0 = x[xOff], x1 = x[xOff + 1], x2 = x[xOff + 2], x3 = x[xOff + 3];
                    for (int i = 0; i < n; i++) {
                        y0[i] = t0 + a0 * x0[i] + a1 * x1[i] + a2 * x2[i] + a3 * x3[i];
                    }
                    s = 4;
                } else if (S >= 1) {
                    double a0 = f0[cfCol];
                    double[] x0 = x[xOff];
                    for (int i = 0; i < n; i++) {
                        y0[i] = t0 + a0 * x0[i];
                    }
                    s = 1;
                } else {
                    Arrays.fill(y0, 0, n, t0);
                }
            }
            for (; s + 3 < S; s += 4) {
                int c = cfCol + s;
                double a0 = f0[c], a1 = f0[c + 1], a2 = f0[c + 2], a3 = f0[c + 3];
                double[] x0 = x[xOff + s], x1 = x[xOff + s + 1], x2 = x[xOff + s + 2], x3 = x[xOff + s + 3];
                for (int i = 0; i < n; i++) {
                    y0[i] = y0[i] + a0 * x0[i] + a1 * x1[i] + a2 * x2[i] + a3 * x3[i];
                }
            }
            for (; s < S; s++) {
                double a0 = f0[cfCol + s];
                double[] x0 = x[xOff + s];
                for (int i = 0; i < n; i++) {
                    y0[i] = y0[i] + a0 * x0[i];
                }
            }
        }
    }

    /**
     * Coefficients of {@link #dot4Product} from a flat k×m matrix at {@code off}: row p, term j is
     * {@code a[off + p·m + j]}, filed by the residue of j mod 4 (the remainder j ≥ 4⌊m/4⌋ after residue 0's quads).
     */
    private static void packResidues(double[] a, int off, int k, int m, Partials ps) {
        int m4 = m & ~3, quads = m4 >> 2;
        for (int r = 0; r < 4; r++) {
            double[][] cf = ps.cf[r];
            for (int p = 0; p < k; p++) {
                double[] c = cf[p];
                int base = off + p * m;
                for (int t = 0; t < quads; t++) {
                    c[t] = a[base + 4 * t + r];
                }
                if (r == 0) {
                    for (int t = 0; t < m - m4; t++) {
                        c[quads + t] = a[base + m4 + t];
                    }
                }
            }
        }
    }

    /** {@link #packResidues(double[], int, int, int, Partials)} with row p, term j = {@code rows[row0 + p][j]}. */
    private static void packResidues(double[][] rows, int row0, int k, int m, Partials ps) {
        int m4 = m & ~3, quads = m4 >> 2;
        for (int r = 0; r < 4; r++) {
            double[][] cf = ps.cf[r];
            for (int p = 0; p < k; p++) {
                double[] c = cf[p], src = rows[row0 + p];
                for (int t = 0; t < quads; t++) {
                    c[t] = src[4 * t + r];
                }
                if (r == 0) {
                    for (int t = 0; t < m - m4; t++) {
                        c[quads + t] = src[m4 + t];
                    }
                }
            }
        }
    }

    /**
     * out[outOff+p] (+)= Σ_{j<m} A[p][j]·x[xOff+j] over [0, n), for p < k, with the coefficients A packed
     * by {@link #packResidues}; every element summed like {@link #dot}: four partial sums over j mod 4 (the
     * remainder into the first), combined pairwise. Each partial sum is a {@link #combine} over the rows of
     * its residue, so all four vectorise.
     */
    private static void dot4Product(double[][] x, int xOff, int m, int k, double[][] out, int outOff, int n,
                                    boolean accumulate, Partials ps, double[] zeros) {
        int m4 = m & ~3, quads = m4 >> 2;
        for (int r = 0; r < 4; r++) {
            double[][] rows = ps.rows[r];
            int terms = quads;
            for (int t = 0; t < quads; t++) {
                rows[t] = x[xOff + 4 * t + r];
            }
            if (r == 0) {
                for (int t = 0; t < m - m4; t++) {
                    rows[quads + t] = x[xOff + m4 + t];
                }
                terms += m - m4;
            }
            combine(ps.part[r], 0, k, ps.cf[r], 0, 0, rows, 0, terms, n, zeros, 0);
        }
        double[][] s0 = ps.part[0], s1 = ps.part[1], s2 = ps.part[2], s3 = ps.part[3];
        for (int p = 0; p < k; p++) {
            double[] y = out[outOff + p], a0 = s0[p], a1 = s1[p], a2 = s2[p], a3 = s3[p];
            if (accumulate) {
                for (int i = 0; i < n; i++) {
                    y[i] += (a0[i] + a1[i]) + (a2[i] + a3[i]);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    y[i] = (a0[i] + a1[i]) + (a2[i] + a3[i]);
                }
            }
        }
    }

    /** Writes W (k×m at {@code wOff}) transposed into rows [row0, row0+m) of {@code wT}. */
    private void pack(double[][] wT, int row0, int wOff, int k, int m) {
        for (int j = 0; j < m; j++) {
            double[] t = wT[row0 + j];
            for (int p = 0; p < k; p++) {
                t[p] = w[wOff + p * m + j];
            }
        }
    }

    /** y[j] = b[j] + Σ_p W[p][j]·in[p] for j < m, with W = k×m at wOff and b at bOff; in is k×n. */
    private void linear(double[][] in, int k, int wOff, int m, int bOff, double[][] y, int n, double[][] wT) {
        pack(wT, 0, wOff, k, m);
        combine(y, 0, m, wT, 0, 0, in, 0, k, n, w, bOff);
    }

    /**
     * Weight and bias gradients of y = in·W + b into {@code ws.dW} (k×m) and {@code ws.dB} (1×m), from the
     * inputs {@code in} (k×n) and the upstream gradient rows [dyOff, dyOff+m) of {@code dy}: dW[p][j] = Σ_i
     * in[p][i]·dy[j][i] and dB[j] = Σ_i dy[j][i], summed over i in order.
     */
    private static void weightGradient(double[][] in, int k, double[][] dy, int dyOff, int m, int n, Workspace ws) {
        double[][] rm = ws.rm;
        for (int j = 0; j < m; j++) {
            double[] row = dy[dyOff + j];
            for (int i = 0; i < n; i++) {
                rm[i][j] = row[i];
            }
        }
        combine(ws.dW, 0, k, in, 0, 0, rm, 0, n, m, ws.zeros, 0);
        combine(ws.dB, 0, 1, ws.ones, 0, 0, rm, 0, n, m, ws.zeros, 0);
    }

    /** gw[W] += columns [col0, col0+m) of {@code ws.dW} (k rows; W = k×m at wOff) and gw[b] += those of {@code ws.dB}. */
    private static void addWeightGradient(double[] gw, int wOff, int bOff, Workspace ws, int col0, int m, int k) {
        for (int p = 0; p < k; p++) {
            double[] row = ws.dW[p];
            int off = wOff + p * m;
            for (int j = 0; j < m; j++) {
                gw[off + j] += row[col0 + j];
            }
        }
        double[] b = ws.dB[0];
        for (int j = 0; j < m; j++) {
            gw[bOff + j] += b[col0 + j];
        }
    }

    private static void addTo(double[][] y, double[][] x, int rows, int n) {
        for (int j = 0; j < rows; j++) {
            double[] a = y[j], b = x[j];
            for (int i = 0; i < n; i++) {
                a[i] += b[i];
            }
        }
    }

    private static void copy(double[][] from, double[][] to, int rows) {
        for (int j = 0; j < rows; j++) {
            System.arraycopy(from[j], 0, to[j], 0, from[j].length);
        }
    }

    private static void zero(double[][] y, int rows) {
        for (int j = 0; j < rows; j++) {
            Arrays.fill(y[j], 0.0);
        }
    }

    /** to[j][i] = from[i][j] for i, j < n: the transpose of an n×n matrix of rows. */
    private static void transpose(double[][] from, double[][] to, int n) {
        int i = 0;
        for (; i + 3 < n; i += 4) {
            double[] a0 = from[i], a1 = from[i + 1], a2 = from[i + 2], a3 = from[i + 3];
            for (int j = 0; j < n; j++) {
                double[] t = to[j];
                t[i] = a0[j];
                t[i + 1] = a1[j];
                t[i + 2] = a2[j];
                t[i + 3] = a3[j];
            }
        }
        for (; i < n; i++) {
            double[] a = from[i];
            for (int j = 0; j < n; j++) {
                to[j][i] = a[j];
            }
        }
    }

    /** LayerNorm over the features of every group: x, hat, y are d×n; rstd, mean, var are per group. */
    private void layerNorm(double[][] x, int n, int d, int gOff, int bOff, double[][] hat, double[] rstd, double[][] y,
                           double[] mean, double[] var) {
        Arrays.fill(mean, 0, n, 0.0);
        for (int j = 0; j < d; j++) {
            double[] xj = x[j];
            for (int i = 0; i < n; i++) {
                mean[i] += xj[i];
            }
        }
        for (int i = 0; i < n; i++) {
            mean[i] /= d;
        }
        Arrays.fill(var, 0, n, 0.0);
        for (int j = 0; j < d; j++) {
            double[] xj = x[j];
            for (int i = 0; i < n; i++) {
                double c = xj[i] - mean[i];
                var[i] += c * c;
            }
        }
        for (int i = 0; i < n; i++) {
            rstd[i] = 1.0 / Math.sqrt(var[i] / d + LN_EPS);
        }
        for (int j = 0; j < d; j++) {
            double[] xj = x[j], hj = hat[j], yj = y[j];
            double gain = w[gOff + j], shift = w[bOff + j];
            for (int i = 0; i < n; i++) {
                double xh = (xj[i] - mean[i]) * rstd[i];
                hj[i] = xh;
                yj[i] = xh * gain + shift;
            }
        }
    }

    /** dx += LayerNorm backward of dy (all d×n); accumulates gain and shift gradients. */
    private void layerNormBackward(double[][] dy, double[][] hat, double[] rstd, int n, int d, int gOff, int bOff,
                                   double[] gw, double[][] dx, Workspace ws) {
        double[] sum = ws.sum, sumHat = ws.sumHat, s = ws.scale;
        Arrays.fill(sum, 0, n, 0.0);
        Arrays.fill(sumHat, 0, n, 0.0);
        for (int j = 0; j < d; j++) {
            double[] g = dy[j], hj = hat[j];
            double gain = w[gOff + j], gg = gw[gOff + j], gb = gw[bOff + j];
            for (int i = 0; i < n; i++) {
                gg += g[i] * hj[i];
                gb += g[i];
            }
            gw[gOff + j] = gg;
            gw[bOff + j] = gb;
            for (int i = 0; i < n; i++) {
                double dh = g[i] * gain;
                sum[i] += dh;
                sumHat[i] += dh * hj[i];
            }
        }
        for (int i = 0; i < n; i++) {
            s[i] = rstd[i] / d;
        }
        for (int j = 0; j < d; j++) {
            double[] g = dy[j], hj = hat[j], xj = dx[j];
            double gain = w[gOff + j];
            for (int i = 0; i < n; i++) {
                double dh = g[i] * gain;
                xj[i] += s[i] * (d * dh - sum[i] - hj[i] * sumHat[i]);
            }
        }
    }

    /** LayerNorm of one row of d values. */
    private void layerNormRow(double[] x, int d, int gOff, int bOff, double[] hat, double[] rstd, double[] y) {
        double mean = 0;
        for (int j = 0; j < d; j++) {
            mean += x[j];
        }
        mean /= d;
        double var = 0;
        for (int j = 0; j < d; j++) {
            double c = x[j] - mean;
            var += c * c;
        }
        var /= d;
        double rs = 1.0 / Math.sqrt(var + LN_EPS);
        rstd[0] = rs;
        for (int j = 0; j < d; j++) {
            double xh = (x[j] - mean) * rs;
            hat[j] = xh;
            y[j] = xh * w[gOff + j] + w[bOff + j];
        }
    }

    /** dx += LayerNorm backward of one row dy; accumulates gain and shift gradients. */
    private void layerNormBackwardRow(double[] dy, double[] hat, double rstd, int d, int gOff, int bOff,
                                      double[] gw, double[] dx, double[] dhat) {
        double sum = 0, sumHat = 0;
        for (int j = 0; j < d; j++) {
            double g = dy[j];
            gw[gOff + j] += g * hat[j];
            gw[bOff + j] += g;
            double dh = g * w[gOff + j];
            dhat[j] = dh;
            sum += dh;
            sumHat += dh * hat[j];
        }
        double s = rstd / d;
        for (int j = 0; j < d; j++) {
            dx[j] += s * (d * dhat[j] - sum - hat[j] * sumHat);
        }
    }

    /** out[m] = in[k] · W[k×m] (at wOff) + b[m] (at bOff), for one row. */
    private void linearRow(double[] in, int k, int wOff, int m, int bOff, double[] out) {
        System.arraycopy(w, bOff, out, 0, m);
        for (int p = 0; p < k; p++) {
            double a = in[p];
            if (a == 0.0) {
                continue;
            }
            int wRow = wOff + p * m;
            for (int j = 0; j < m; j++) {
                out[j] += a * w[wRow + j];
            }
        }
    }

    /** For one row: accumulates dW += inᵀ·dOut, db += dOut and dIn += dOut·Wᵀ. */
    private void linearBackwardRow(double[] in, int k, double[] dOut, int m, int wOff, int bOff, double[] gw, double[] dIn) {
        for (int j = 0; j < m; j++) {
            gw[bOff + j] += dOut[j];
        }
        for (int p = 0; p < k; p++) {
            double a = in[p];
            int wRow = wOff + p * m;
            if (a != 0.0) {
                for (int j = 0; j < m; j++) {
                    gw[wRow + j] += a * dOut[j];
                }
            }
            dIn[p] += dot(dOut, w, wRow, m);
        }
    }

    /** Σ a[i]·b[bOff+i] over [0, n) in four partial sums (i mod 4; the remainder into the first), combined pairwise. */
    private static double dot(double[] a, double[] b, int bOff, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[i] * b[bOff + i];
            s1 += a[i + 1] * b[bOff + i + 1];
            s2 += a[i + 2] * b[bOff + i + 2];
            s3 += a[i + 3] * b[bOff + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[i] * b[bOff + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * Scaled dot-product attention of layer l, per head, from {@code fw.qkv[l]} into {@code fw.pt[l]} and
     * {@code fw.o[l]}. The weights are computed key-major (row j = key j over the queries), so that the
     * softmax over the keys and the product with the values run over contiguous rows of queries.
     */
    private void attention(Forward fw, int l) {
        if (fw.kernel != null) {
            attentionFloat(fw, l);
            return;
        }
        int G = fw.groups, d = shape.model(), dh = shape.headWidth();
        double scale = 1.0 / Math.sqrt(dh);
        double[][] qkv = fw.qkv[l], qs = fw.qs, ks = fw.ks;
        double[] max = fw.rowA, sum = fw.rowB;
        for (int hd = 0; hd < shape.heads(); hd++) {
            int c0 = hd * dh;
            double[][] pt = fw.pt[l][hd];
            for (int c = 0; c < dh; c++) {
                double[] q = qkv[c0 + c], k = qkv[d + c0 + c], row = qs[c];
                for (int i = 0; i < G; i++) {
                    row[i] = q[i] * scale;
                    ks[i][c] = k[i];
                }
            }
            combine(pt, 0, G, ks, 0, 0, qs, 0, dh, G, fw.zeros, 0);      // scores: S[i][j] = Σ_c q[i][c]·scale·k[j][c]
            Arrays.fill(max, Double.NEGATIVE_INFINITY);
            for (int j = 0; j < G; j++) {
                double[] row = pt[j];
                for (int i = 0; i < G; i++) {
                    max[i] = Math.max(max[i], row[i]);
                }
            }
            Arrays.fill(sum, 0.0);
            for (int j = 0; j < G; j++) {
                double[] row = pt[j];
                for (int i = 0; i < G; i++) {
                    double e = Math.exp(row[i] - max[i]);
                    row[i] = e;
                    sum[i] += e;
                }
            }
            for (int i = 0; i < G; i++) {
                sum[i] = 1.0 / sum[i];
            }
            for (int j = 0; j < G; j++) {
                double[] row = pt[j];
                for (int i = 0; i < G; i++) {
                    row[i] *= sum[i];
                }
            }
            packResidues(qkv, 2 * d + c0, dh, G, fw.partials);
            dot4Product(pt, 0, G, dh, fw.o[l], c0, G, false, fw.partials, fw.zeros);   // O[i] = Σ_j P[i][j]·v_j
        }
    }

    /** Backward of {@link #attention}: dO (d×G) in, dQ, dK, dV into the rows of {@code dqkv} (overwritten). */
    private void attentionBackward(Forward fw, int l, double[][] dO, double[][] dqkv, Workspace ws) {
        if (fw.kernel != null) {
            attentionBackwardFloat(fw, l, dO, dqkv, ws);
            return;
        }
        int G = fw.groups, d = shape.model(), dh = shape.headWidth();
        double scale = 1.0 / Math.sqrt(dh);
        double[][] qkv = fw.qkv[l], vs = ws.vs, dpt = ws.dpt, sq = ws.sq, dots = ws.dots;
        double[] dotPd = ws.sum;
        int G4 = G & ~3;
        for (int hd = 0; hd < shape.heads(); hd++) {
            int c0 = hd * dh;
            double[][] pt = fw.pt[l][hd];
            for (int c = 0; c < dh; c++) {
                double[] v = qkv[2 * d + c0 + c];
                for (int j = 0; j < G; j++) {
                    vs[j][c] = v[j];
                }
            }
            combine(dpt, 0, G, vs, 0, 0, dO, c0, dh, G, ws.zeros, 0);       // dP[i][j] = Σ_c dO[i][c]·v[j][c]
            // ⟨P[i], dP[i]⟩ in dot()'s four partial sums over the keys j (the remainder into the first)
            double[] s0 = dots[0], s1 = dots[1], s2 = dots[2], s3 = dots[3];
            if (G4 == 0) {
                for (double[] s : dots) {
                    Arrays.fill(s, 0.0);
                }
            } else {
                for (int j = 0; j < 4; j++) {
                    double[] s = dots[j], p = pt[j], dp = dpt[j];
                    for (int i = 0; i < G; i++) {
                        s[i] = 0.0 + p[i] * dp[i];
                    }
                }
            }
            for (int j = G4 == 0 ? 0 : 4; j < G; j++) {
                double[] s = dots[j < G4 ? j & 3 : 0], p = pt[j], dp = dpt[j];
                for (int i = 0; i < G; i++) {
                    s[i] += p[i] * dp[i];
                }
            }
            for (int i = 0; i < G; i++) {
                dotPd[i] = (s0[i] + s1[i]) + (s2[i] + s3[i]);
            }
            for (int j = 0; j < G; j++) {
                double[] p = pt[j], dp = dpt[j];
                for (int i = 0; i < G; i++) {
                    dp[i] = p[i] * (dp[i] - dotPd[i]) * scale;                  // dS (softmax backward, scaled)
                }
            }
            packResidues(qkv, d + c0, dh, G, ws.partials);
            dot4Product(dpt, 0, G, dh, dqkv, c0, G, false, ws.partials, ws.zeros);   // dQ[i] = Σ_j dS[i][j]·k_j
            transpose(pt, sq, G);                                                     // P, query-major
            combine(dqkv, 2 * d + c0, dh, dO, c0, 0, sq, 0, G, G, ws.zeros, 0);      // dV[j] = Σ_i dO[i]·P[i][j]
            transpose(dpt, sq, G);                                                    // dS, query-major
            combine(dqkv, d + c0, dh, qkv, c0, 0, sq, 0, G, G, ws.zeros, 0);         // dK[j] = Σ_i q[i]·dS[i][j]
        }
    }

    /** {@link #attention} in float with the pass's kernel: the layer's Q, K, V rounded to float once, O back to double. */
    private void attentionFloat(Forward fw, int l) {
        int G = fw.groups, d = shape.model(), dh = shape.headWidth();
        double scale = 1.0 / Math.sqrt(dh);
        double[][] qkv = fw.qkv[l];
        float[][] f = fw.qkvF[l];
        for (int r = 0; r < 3 * d; r++) {
            double[] src = qkv[r];
            float[] dst = f[r];
            double s = r < d ? scale : 1.0;
            for (int i = 0; i < G; i++) {
                dst[i] = (float) (src[i] * s);
            }
        }
        for (int hd = 0; hd < shape.heads(); hd++) {
            int c0 = hd * dh;
            fw.kernel.forward(f, c0, d + c0, 2 * d + c0, dh, G, fw.kTF, fw.ptF[l][hd], fw.oF, c0, fw.maxF, fw.sumF);
        }
        double[][] o = fw.o[l];
        for (int r = 0; r < d; r++) {
            double[] dst = o[r];
            float[] src = fw.oF[r];
            for (int i = 0; i < G; i++) {
                dst[i] = src[i];
            }
        }
    }

    /** {@link #attentionBackward} in float with the pass's kernel. */
    private void attentionBackwardFloat(Forward fw, int l, double[][] dO, double[][] dqkv, Workspace ws) {
        int G = fw.groups, d = shape.model(), dh = shape.headWidth();
        double scale = 1.0 / Math.sqrt(dh);
        FloatBuffers fb = ws.floats;
        if (fb == null || fb.kernel != fw.kernel) {
            fb = ws.floats = new FloatBuffers(shape, G, fw.kernel);
        }
        for (int r = 0; r < d; r++) {
            double[] src = dO[r];
            float[] dst = fb.dO[r];
            for (int i = 0; i < G; i++) {
                dst[i] = (float) src[i];
            }
        }
        for (int hd = 0; hd < shape.heads(); hd++) {
            int c0 = hd * dh;
            fw.kernel.backward(fw.qkvF[l], c0, d + c0, 2 * d + c0, dh, G, fw.ptF[l][hd], fb.dO, c0, fb.vT, fb.dpt, fb.dot, fb.dqkv);
        }
        for (int r = 0; r < 3 * d; r++) {
            float[] src = fb.dqkv[r];
            double[] dst = dqkv[r];
            double s = r < d ? scale : 1.0;
            for (int i = 0; i < G; i++) {
                dst[i] = src[i] * s;
            }
        }
    }

    private void activate(double[][] z, double[][] u, int rows, int n) {
        boolean relu = shape.activation() == ModuleShape.Activation.RELU;
        for (int j = 0; j < rows; j++) {
            double[] zj = z[j], uj = u[j];
            if (relu) {
                for (int i = 0; i < n; i++) {
                    uj[i] = zj[i] > 0 ? zj[i] : 0;
                }
            } else {
                for (int i = 0; i < n; i++) {
                    double x = zj[i];
                    uj[i] = 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
                }
            }
        }
    }

    /** In place: dz (holding dL/du on entry) becomes dL/dz. */
    private void activateBackward(double[][] z, double[][] dz, int rows, int n) {
        boolean relu = shape.activation() == ModuleShape.Activation.RELU;
        for (int j = 0; j < rows; j++) {
            double[] zj = z[j], dj = dz[j];
            if (relu) {
                for (int i = 0; i < n; i++) {
                    if (zj[i] <= 0) {
                        dj[i] = 0;
                    }
                }
            } else {
                for (int i = 0; i < n; i++) {
                    double x = zj[i];
                    double t = Math.tanh(GELU_C * (x + 0.044715 * x * x * x));
                    double dt = (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * x * x);
                    dj[i] *= 0.5 * (1 + t) + 0.5 * x * dt;
                }
            }
        }
    }
}
