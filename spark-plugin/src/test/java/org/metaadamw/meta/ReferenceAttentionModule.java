package org.metaadamw.meta;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The attention module as it was before the feature-major, workspace-based rewrite of
 * {@link AttentionModule}: straightforward row-major code that allocates every activation on every
 * call. Kept unchanged (apart from its name) as the reference the rewrite must reproduce bit for bit
 * ({@code AttentionModuleReferenceTest}).
 *
 * <p>Original documentation follows.
 *
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
 * <p>Threading: not thread-safe. The driver owns one instance and calls it from one thread.
 */
final class ReferenceAttentionModule implements Serializable {
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

    /** Xavier-uniform matrices, zero biases, unit LayerNorm gains, N(0, 0.02²) group embeddings and a zero head. */
    ReferenceAttentionModule(ModuleShape shape, long seed) {
        this(shape, (double[]) null);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (Tensor t : tensors.values()) {
            String n = t.name();
            if (n.startsWith("head.")) {
                continue; // zero head: α = β = 1 exactly at the start
            } else if (n.endsWith(".gain")) {
                java.util.Arrays.fill(w, t.offset(), t.offset() + t.size(), 1.0);
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
    ReferenceAttentionModule(ModuleShape shape, double[] weights) {
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

    public ReferenceAttentionModule copy() {
        return new ReferenceAttentionModule(shape, w);
    }

    /** Everything the backward pass needs from one forward pass. Immutable once returned. */
    public static final class Forward {
        final int groups;
        final double[] x;            // G×F input tokens
        final double[][] hIn, ln1Hat, ln1Rstd, a, q, k, v, p, o, h1, ln2Hat, ln2Rstd, c, z, u;
        double[] hLast, lnFHat, lnFRstd, hf, lnPHat, lnPRstd, pooled;
        final double[] out;          // G×4 logits

        Forward(int groups, int layers, double[] x) {
            this.groups = groups;
            this.x = x;
            hIn = new double[layers][]; ln1Hat = new double[layers][]; ln1Rstd = new double[layers][];
            a = new double[layers][]; q = new double[layers][]; k = new double[layers][]; v = new double[layers][];
            p = new double[layers][]; o = new double[layers][]; h1 = new double[layers][];
            ln2Hat = new double[layers][]; ln2Rstd = new double[layers][]; c = new double[layers][];
            z = new double[layers][]; u = new double[layers][];
            out = new double[groups * ModuleShape.OUTPUTS];
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
     * Runs the module on {@code tokens} (G rows of F features, all finite).
     *
     * @return the logits together with the activations the backward pass needs
     */
    public Forward forward(double[][] tokens) {
        int G = tokens.length, F = shape.inputFeatures(), d = shape.model(), dff = shape.feedForward();
        if (G == 0) {
            throw new IllegalArgumentException("attention module needs at least one group token");
        }
        if (shape.groupEmbeddings() > 0 && G != shape.groupEmbeddings()) {
            throw new IllegalArgumentException("attention module has embeddings for " + shape.groupEmbeddings()
                    + " groups, got " + G + " tokens");
        }
        double[] x = new double[G * F];
        for (int g = 0; g < G; g++) {
            if (tokens[g].length != F) {
                throw new IllegalArgumentException("token " + g + " has " + tokens[g].length + " features, expected " + F);
            }
            System.arraycopy(tokens[g], 0, x, g * F, F);
        }
        Forward fw = new Forward(G, shape.layers(), x);
        double[] h = new double[G * d];
        linear(x, G, F, w, win, d, bin, h);
        if (emb >= 0) {
            for (int i = 0; i < G * d; i++) {
                h[i] += w[emb + i];
            }
        }
        for (int l = 0; l < shape.layers(); l++) {
            fw.hIn[l] = h;
            double[] hat = new double[G * d], rstd = new double[G], a = new double[G * d];
            layerNorm(h, G, d, ln1g[l], ln1b[l], hat, rstd, a);
            fw.ln1Hat[l] = hat; fw.ln1Rstd[l] = rstd; fw.a[l] = a;
            double[] q = new double[G * d], k = new double[G * d], v = new double[G * d];
            linear(a, G, d, w, wq[l], d, bq[l], q);
            linear(a, G, d, w, wk[l], d, bk[l], k);
            linear(a, G, d, w, wv[l], d, bv[l], v);
            fw.q[l] = q; fw.k[l] = k; fw.v[l] = v;
            double[] p = new double[shape.heads() * G * G], o = new double[G * d];
            attention(q, k, v, G, p, o);
            fw.p[l] = p; fw.o[l] = o;
            double[] h1 = new double[G * d];
            linear(o, G, d, w, wo[l], d, bo[l], h1);
            for (int i = 0; i < G * d; i++) {
                h1[i] += h[i];
            }
            fw.h1[l] = h1;
            double[] hat2 = new double[G * d], rstd2 = new double[G], c = new double[G * d];
            layerNorm(h1, G, d, ln2g[l], ln2b[l], hat2, rstd2, c);
            fw.ln2Hat[l] = hat2; fw.ln2Rstd[l] = rstd2; fw.c[l] = c;
            double[] z = new double[G * dff], u = new double[G * dff];
            linear(c, G, d, w, w1[l], dff, b1[l], z);
            activate(z, u);
            fw.z[l] = z; fw.u[l] = u;
            double[] h2 = new double[G * d];
            linear(u, G, dff, w, w2[l], d, b2[l], h2);
            for (int i = 0; i < G * d; i++) {
                h2[i] += h1[i];
            }
            h = h2;
        }
        fw.hLast = h;
        // head input: each group's deviation from the group mean (normalized) ...
        double[] mean = new double[d];
        for (int g = 0; g < G; g++) {
            for (int j = 0; j < d; j++) {
                mean[j] += h[g * d + j] / G;
            }
        }
        double[] dev = new double[G * d];
        for (int g = 0; g < G; g++) {
            for (int j = 0; j < d; j++) {
                dev[g * d + j] = h[g * d + j] - mean[j];
            }
        }
        fw.lnFHat = new double[G * d];
        fw.lnFRstd = new double[G];
        fw.hf = new double[G * d];
        layerNorm(dev, G, d, lnFg, lnFb, fw.lnFHat, fw.lnFRstd, fw.hf);
        // ... and the group mean itself (normalized), read by a head of its own
        fw.lnPHat = new double[d];
        fw.lnPRstd = new double[1];
        fw.pooled = new double[d];
        layerNorm(mean, 1, d, lnPg, lnPb, fw.lnPHat, fw.lnPRstd, fw.pooled);
        double[] common = new double[ModuleShape.OUTPUTS];
        linear(fw.pooled, 1, d, w, wp, ModuleShape.OUTPUTS, bh, common);
        for (int g = 0; g < G; g++) {
            int r = g * ModuleShape.OUTPUTS;
            for (int j = 0; j < d; j++) {
                double a = fw.hf[g * d + j];
                for (int o = 0; o < ModuleShape.OUTPUTS; o++) {
                    fw.out[r + o] += a * w[wh + j * ModuleShape.OUTPUTS + o];
                }
            }
            for (int o = 0; o < ModuleShape.OUTPUTS; o++) {
                fw.out[r + o] += common[o];
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
        int G = fw.groups, F = shape.inputFeatures(), d = shape.model(), dff = shape.feedForward();
        int O = ModuleShape.OUTPUTS;
        if (dOut.length != G * O) {
            throw new IllegalArgumentException("dOut has " + dOut.length + " values, expected " + G * O);
        }
        double[] gw = new double[w.length];
        // per-group path: dOut flows into head.weight (head.bias is accounted for by the pooled path)
        double[] dhf = new double[G * d];
        for (int g = 0; g < G; g++) {
            for (int j = 0; j < d; j++) {
                double a = fw.hf[g * d + j], acc = 0;
                for (int o = 0; o < O; o++) {
                    double gOut = dOut[g * O + o];
                    gw[wh + j * O + o] += a * gOut;
                    acc += gOut * w[wh + j * O + o];
                }
                dhf[g * d + j] = acc;
            }
        }
        double[] ddev = new double[G * d];
        layerNormBackward(dhf, fw.lnFHat, fw.lnFRstd, G, d, lnFg, lnFb, gw, ddev);
        // pooled path: the common logits receive the sum of dOut over groups
        double[] dCommon = new double[O];
        for (int g = 0; g < G; g++) {
            for (int o = 0; o < O; o++) {
                dCommon[o] += dOut[g * O + o];
            }
        }
        double[] dPooled = new double[d];
        linearBackward(fw.pooled, 1, d, dCommon, O, wp, bh, gw, dPooled);
        double[] dMean = new double[d];
        layerNormBackward(dPooled, fw.lnPHat, fw.lnPRstd, 1, d, lnPg, lnPb, gw, dMean);
        // dev_g = h_g − mean(h), mean = (1/G) Σ h_g
        double[] ddevMean = new double[d];
        for (int g = 0; g < G; g++) {
            for (int j = 0; j < d; j++) {
                ddevMean[j] += ddev[g * d + j] / G;
            }
        }
        double[] dh = new double[G * d];
        for (int g = 0; g < G; g++) {
            for (int j = 0; j < d; j++) {
                dh[g * d + j] = ddev[g * d + j] - ddevMean[j] + dMean[j] / G;
            }
        }
        for (int l = shape.layers() - 1; l >= 0; l--) {
            // h = h1 + FF(LN2(h1))
            double[] du = new double[G * dff];
            linearBackward(fw.u[l], G, dff, dh, d, w2[l], b2[l], gw, du);
            double[] dz = du;
            activateBackward(fw.z[l], dz);
            double[] dc = new double[G * d];
            linearBackward(fw.c[l], G, d, dz, dff, w1[l], b1[l], gw, dc);
            double[] dh1 = dh.clone();
            layerNormBackward(dc, fw.ln2Hat[l], fw.ln2Rstd[l], G, d, ln2g[l], ln2b[l], gw, dh1);
            // h1 = h + Wo·attention(LN1(h))
            double[] dO = new double[G * d];
            linearBackward(fw.o[l], G, d, dh1, d, wo[l], bo[l], gw, dO);
            double[] dq = new double[G * d], dk = new double[G * d], dv = new double[G * d];
            attentionBackward(fw.q[l], fw.k[l], fw.v[l], fw.p[l], dO, G, dq, dk, dv);
            double[] da = new double[G * d];
            linearBackward(fw.a[l], G, d, dq, d, wq[l], bq[l], gw, da);
            linearBackward(fw.a[l], G, d, dk, d, wk[l], bk[l], gw, da);
            linearBackward(fw.a[l], G, d, dv, d, wv[l], bv[l], gw, da);
            double[] dPrev = dh1.clone();
            layerNormBackward(da, fw.ln1Hat[l], fw.ln1Rstd[l], G, d, ln1g[l], ln1b[l], gw, dPrev);
            dh = dPrev;
        }
        if (emb >= 0) {
            for (int i = 0; i < G * d; i++) {
                gw[emb + i] += dh[i];
            }
        }
        linearBackward(fw.x, G, F, dh, d, win, bin, gw, null);
        return gw;
    }

    // ---- kernels (row-major; inner loops run over contiguous memory so the JIT can vectorise) ----

    /** out[n×m] = in[n×k] · W[k×m] (at wOff) + b[m] (at bOff). */
    private static void linear(double[] in, int n, int k, double[] w, int wOff, int m, int bOff, double[] out) {
        for (int i = 0; i < n; i++) {
            int oRow = i * m;
            System.arraycopy(w, bOff, out, oRow, m);
            int iRow = i * k;
            for (int p = 0; p < k; p++) {
                double a = in[iRow + p];
                if (a == 0.0) {
                    continue;
                }
                int wRow = wOff + p * m;
                for (int j = 0; j < m; j++) {
                    out[oRow + j] += a * w[wRow + j];
                }
            }
        }
    }

    /** Accumulates dW += inᵀ·dOut, db += Σ dOut and (when dIn != null) dIn += dOut·Wᵀ. */
    private void linearBackward(double[] in, int n, int k, double[] dOut, int m, int wOff, int bOff,
                                double[] gw, double[] dIn) {
        for (int i = 0; i < n; i++) {
            int oRow = i * m, iRow = i * k;
            for (int j = 0; j < m; j++) {
                gw[bOff + j] += dOut[oRow + j];
            }
            for (int p = 0; p < k; p++) {
                axpy(gw, wOff + p * m, dOut, oRow, in[iRow + p], m);
                if (dIn != null) {
                    dIn[iRow + p] += dot(dOut, oRow, w, wOff + p * m, m);
                }
            }
        }
    }

    /** y[yOff..yOff+n) += a·x[xOff..xOff+n). The one hot loop of this class; the JIT vectorises it. */
    private static void axpy(double[] y, int yOff, double[] x, int xOff, double a, int n) {
        if (a == 0.0) {
            return;
        }
        for (int i = 0; i < n; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    /** Columns [c0, c0+w) of a row-major [n×d] matrix, transposed: [w×n]. */
    private static double[] headT(double[] x, int n, int d, int c0, int width) {
        double[] t = new double[width * n];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < width; c++) {
                t[c * n + i] = x[i * d + c0 + c];
            }
        }
        return t;
    }

        private void layerNorm(double[] x, int n, int d, int gOff, int bOff, double[] hat, double[] rstd, double[] y) {
        for (int i = 0; i < n; i++) {
            int r = i * d;
            double mean = 0;
            for (int j = 0; j < d; j++) {
                mean += x[r + j];
            }
            mean /= d;
            double var = 0;
            for (int j = 0; j < d; j++) {
                double c = x[r + j] - mean;
                var += c * c;
            }
            var /= d;
            double rs = 1.0 / Math.sqrt(var + LN_EPS);
            rstd[i] = rs;
            for (int j = 0; j < d; j++) {
                double xh = (x[r + j] - mean) * rs;
                hat[r + j] = xh;
                y[r + j] = xh * w[gOff + j] + w[bOff + j];
            }
        }
    }

    /** dx += LayerNorm backward of dy; accumulates gain and shift gradients. */
    private void layerNormBackward(double[] dy, double[] hat, double[] rstd, int n, int d, int gOff, int bOff,
                                   double[] gw, double[] dx) {
        double[] dhat = new double[d];
        for (int i = 0; i < n; i++) {
            int r = i * d;
            double sum = 0, sumHat = 0;
            for (int j = 0; j < d; j++) {
                double g = dy[r + j];
                gw[gOff + j] += g * hat[r + j];
                gw[bOff + j] += g;
                double dh = g * w[gOff + j];
                dhat[j] = dh;
                sum += dh;
                sumHat += dh * hat[r + j];
            }
            double s = rstd[i] / d;
            for (int j = 0; j < d; j++) {
                dx[r + j] += s * (d * dhat[j] - sum - hat[r + j] * sumHat);
            }
        }
    }

    /**
     * Scaled dot-product attention per head. Heads are processed on transposed copies
     * ([dh×G] blocks) so that every inner loop is a contiguous AXPY over G: measured at G = 64, the
     * straightforward strided loops took ≈ 2 ms of a 2.7 ms forward pass.
     */
    private void attention(double[] q, double[] k, double[] v, int G, double[] p, double[] o) {
        int d = shape.model(), dh = shape.headWidth();
        double scale = 1.0 / Math.sqrt(dh);
        for (int h = 0; h < shape.heads(); h++) {
            int c0 = h * dh, pOff = h * G * G;
            double[] kT = headT(k, G, d, c0, dh), vT = headT(v, G, d, c0, dh);
            double[] oT = new double[dh * G];
            for (int i = 0; i < G; i++) {
                int row = pOff + i * G;
                for (int c = 0; c < dh; c++) {
                    axpy(p, row, kT, c * G, q[i * d + c0 + c] * scale, G);
                }
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < G; j++) {
                    max = Math.max(max, p[row + j]);
                }
                double sum = 0;
                for (int j = 0; j < G; j++) {
                    double e = Math.exp(p[row + j] - max);
                    p[row + j] = e;
                    sum += e;
                }
                double inv = 1.0 / sum;
                for (int j = 0; j < G; j++) {
                    p[row + j] *= inv;
                }
                for (int c = 0; c < dh; c++) {
                    oT[c * G + i] = dot(p, row, vT, c * G, G);
                }
            }
            for (int i = 0; i < G; i++) {
                for (int c = 0; c < dh; c++) {
                    o[i * d + c0 + c] = oT[c * G + i];
                }
            }
        }
    }

    private static double dot(double[] a, int aOff, double[] b, int bOff, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[aOff + i] * b[bOff + i];
            s1 += a[aOff + i + 1] * b[bOff + i + 1];
            s2 += a[aOff + i + 2] * b[bOff + i + 2];
            s3 += a[aOff + i + 3] * b[bOff + i + 3];
        }
        for (; i < n; i++) {
            s0 += a[aOff + i] * b[bOff + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private void attentionBackward(double[] q, double[] k, double[] v, double[] p, double[] dO, int G,
                                   double[] dq, double[] dk, double[] dv) {
        int d = shape.model(), dh = shape.headWidth();
        double scale = 1.0 / Math.sqrt(dh);
        double[] dp = new double[G];
        for (int h = 0; h < shape.heads(); h++) {
            int c0 = h * dh, pOff = h * G * G;
            double[] qT = headT(q, G, d, c0, dh), kT = headT(k, G, d, c0, dh), vT = headT(v, G, d, c0, dh);
            double[] dqT = new double[dh * G], dkT = new double[dh * G], dvT = new double[dh * G];
            for (int i = 0; i < G; i++) {
                int row = pOff + i * G;
                java.util.Arrays.fill(dp, 0.0);
                for (int c = 0; c < dh; c++) {
                    double g = dO[i * d + c0 + c];
                    axpy(dp, 0, vT, c * G, g, G);            // dP[i,:] = dO[i,:]·Vᵀ
                    axpy(dvT, c * G, p, row, g, G);          // dV += P[i,:]ᵀ dO[i,:]
                }
                double dotPd = dot(p, row, dp, 0, G);
                for (int j = 0; j < G; j++) {
                    dp[j] = p[row + j] * (dp[j] - dotPd) * scale;  // dS[i,:]
                }
                for (int c = 0; c < dh; c++) {
                    dqT[c * G + i] += dot(dp, 0, kT, c * G, G);   // dQ[i,:] = dS[i,:]·K
                    axpy(dkT, c * G, dp, 0, q[i * d + c0 + c], G); // dK += dS[i,:]ᵀ Q[i,:]
                }
            }
            for (int i = 0; i < G; i++) {
                for (int c = 0; c < dh; c++) {
                    dq[i * d + c0 + c] += dqT[c * G + i];
                    dk[i * d + c0 + c] += dkT[c * G + i];
                    dv[i * d + c0 + c] += dvT[c * G + i];
                }
            }
        }
    }

    private void activate(double[] z, double[] u) {
        if (shape.activation() == ModuleShape.Activation.RELU) {
            for (int i = 0; i < z.length; i++) {
                u[i] = z[i] > 0 ? z[i] : 0;
            }
        } else {
            for (int i = 0; i < z.length; i++) {
                double x = z[i];
                u[i] = 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
            }
        }
    }

    /** In place: dz (holding dL/du on entry) becomes dL/dz. */
    private void activateBackward(double[] z, double[] dz) {
        if (shape.activation() == ModuleShape.Activation.RELU) {
            for (int i = 0; i < z.length; i++) {
                if (z[i] <= 0) {
                    dz[i] = 0;
                }
            }
        } else {
            for (int i = 0; i < z.length; i++) {
                double x = z[i];
                double t = Math.tanh(GELU_C * (x + 0.044715 * x * x * x));
                double dt = (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * x * x);
                dz[i] *= 0.5 * (1 + t) + 0.5 * x * dt;
            }
        }
    }
}
