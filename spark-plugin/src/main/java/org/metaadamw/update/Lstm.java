package org.metaadamw.update;

import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.ParamGroups;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The worker-side update rule of the coordinatewise LSTM optimizer (Andrychowicz et al. 2016, "Learning
 * to learn by gradient descent by gradient descent"; docs/lstm.md): every coordinate of the network runs
 * the same two-layer LSTM ({@link LstmParams}) on its own preprocessed gradient, with its own hidden and
 * cell states ({@link LstmState}), and the LSTM's output is the coordinate's step. Per coordinate, with the
 * preprocessed (minibatch-mean) gradient ∇ and p = {@link LstmParams#p()}:
 * <pre>
 *   x = (clip(log(max(|∇|, e^−p)) / p, −1, 1), clip(e^p ∇, −1, 1))
 *     = (log|∇|/p clipped, sign ∇) if |∇| ≥ e^−p, else (−1, e^p ∇)       (the paper's preprocessing)
 *   y = LSTM_φ(x; h1, c1, h2, c2)                                        (state updated)
 *   θ ← θ − η (s y + λ θ)
 * </pre>
 * with η = {@code learningRate}, s = {@link LstmParams#outputScale()}, and λ = {@code weightDecay} on
 * weights (on biases too with {@code decayBiases}): AdamW's decoupled decay. Parameters of no group (DL4J's
 * no-op updater) get their pseudo-gradient subtracted as is (their LSTM state still advances, unused).
 *
 * <p>Computed with ND4J matrix products batched over coordinates, in blocks of at most
 * {@link #BLOCK} coordinates, so that a step's temporary arrays are bounded (a few blocks × 4H values)
 * whatever the network's size; the state itself is 4H values per parameter.
 *
 * <p>Not thread-safe: one instance per worker thread.
 */
public final class Lstm {
    /** Coordinates per batched block: bounds a step's temporaries to about 20 arrays of BLOCK × 4H values. */
    public static final int BLOCK = 16384;

    private final double lr, lambda;
    private final boolean decayBiases;
    private final ParamLayout layout;
    private final long numParams;
    private final DataType dtype;
    private final int block;
    private final INDArray passMask, keepMask, decayScale;
    private LstmParams params;
    private int hidden;
    private INDArray w1x, w1h, b1, w2x, w2h, b2, wo;
    private double bo;

    /**
     * @param cfg    η ({@code learningRate}), λ ({@code weightDecay}) and {@code decayBiases}
     * @param groups the network's parameter groups
     * @param dtype  the parameters' data type (the LSTM computes in it)
     * @param phi    the meta-parameters
     */
    public Lstm(MetaAdamWConfig cfg, ParamGroups groups, DataType dtype, LstmParams phi) {
        this(cfg, groups, dtype, phi, BLOCK);
    }

    /** With {@code block} coordinates per batched block (tests: block boundaries inside a small network). */
    Lstm(MetaAdamWConfig cfg, ParamGroups groups, DataType dtype, LstmParams phi, int block) {
        if (block < 1) {
            throw new IllegalArgumentException("LSTM: block must be >= 1 (got " + block + ")");
        }
        this.block = block;
        this.lr = cfg.learningRate();
        this.lambda = cfg.weightDecay();
        this.decayBiases = cfg.decayBiases();
        this.layout = new ParamLayout(groups, dtype);
        this.numParams = layout.numParams();
        this.dtype = dtype;
        this.passMask = layout.passMask();
        this.keepMask = passMask == null ? null : passMask.rsub(1.0);
        INDArray d = null;
        if (lambda != 0) {
            d = Nd4j.zeros(dtype, numParams);
            for (ParamLayout.Segment seg : layout.segments()) {
                double v = seg.group() >= 0 && (!seg.bias() || decayBiases) ? lambda : 0.0;
                d.get(NDArrayIndex.interval(seg.start(), seg.end())).assign(v);
            }
        }
        this.decayScale = d;
        setParams(phi);
    }

    /** Sets φ of the following steps (the state's width must stay 4H). */
    public void setParams(LstmParams phi) {
        if (phi.equals(params)) {
            return;
        }
        this.params = phi;
        this.hidden = phi.hidden();
        double[] w = phi.phiView();
        int[] o = LstmParams.offsets(hidden);
        int g = 4 * hidden;
        w1x = matrix(w, o[0], LstmParams.INPUTS, g);
        w1h = matrix(w, o[1], hidden, g);
        b1 = matrix(w, o[2], 1, g);
        w2x = matrix(w, o[3], hidden, g);
        w2h = matrix(w, o[4], hidden, g);
        b2 = matrix(w, o[5], 1, g);
        wo = matrix(w, o[6], hidden, 1);
        bo = w[o[7]];
    }

    private INDArray matrix(double[] w, int from, int rows, int cols) {
        double[] part = java.util.Arrays.copyOfRange(w, from, from + rows * cols);
        return Nd4j.create(part, new long[]{rows, cols}, DataType.DOUBLE).castTo(dtype);
    }

    public LstmParams params() {
        return params;
    }

    /** Turns DL4J's raw gradient into the minibatch mean, in place, where DL4J does (as {@link GroupAdamW#preprocess}). */
    public void preprocess(INDArray rawGrad, long batchSize) {
        layout.preprocess(rawGrad, batchSize);
    }

    /**
     * The paper's preprocessing of {@code grad} (a vector of n values): an n × 2 matrix, row i =
     * (clip(log(max(|g_i|, e^−p))/p, −1, 1), clip(e^p g_i, −1, 1)). A NaN or ±Inf gradient gives NaN in both
     * (ND4J's clipping would turn them into ±1 and hide a diverged step from the round's finite check).
     */
    public static INDArray preprocessGradient(INDArray grad, double p) {
        long n = grad.length();
        INDArray g = grad.reshape(n, 1);
        INDArray x1 = Transforms.max(Transforms.abs(g, true), Math.exp(-p), false);
        Transforms.log(x1, false).divi(p);
        x1 = Transforms.min(Transforms.max(x1, -1.0, false), 1.0, false);
        INDArray x2 = Transforms.min(Transforms.max(g.mul(Math.exp(p)), -1.0, false), 1.0, false);
        INDArray poison = g.mul(0.0);   // 0 where g is finite, NaN where it is NaN or ±Inf
        return Nd4j.hstack(x1.addi(poison), x2.addi(poison));
    }

    /**
     * One step on {@code params} (flat view, updated in place) with a preprocessed gradient; the state's
     * hidden and cell values advance.
     */
    public void step(INDArray params, INDArray grad, LstmState st) {
        int w = 4 * hidden;
        if (params.length() != numParams || grad.length() != numParams || st.coordinates() != numParams || st.width() != w) {
            throw new IllegalArgumentException("LSTM step: network has " + numParams + " parameters and H = " + hidden + ", got params "
                    + params.length() + ", gradient " + grad.length() + ", state of " + st.coordinates() + " × " + st.width());
        }
        st.advance();
        double s = this.params.outputScale();
        for (long a = 0; a < numParams; a += block) {
            long b = Math.min(numParams, a + block);
            int rows = (int) (b - a);
            INDArrayIndex block = NDArrayIndex.interval(a, b);
            INDArray stateView = st.s.get(NDArrayIndex.interval(a * w, b * w));
            INDArray y = forward(preprocessGradient(grad.get(block), this.params.p()), stateView, rows);
            INDArray theta = params.get(block);
            INDArray upd = y.reshape(rows).muli(s);
            if (decayScale != null) {
                upd.addi(theta.mul(decayScale.get(block)));
            }
            upd.muli(lr);
            if (keepMask != null) {
                upd.muli(keepMask.get(block)).addi(grad.get(block).mul(passMask.get(block)));
            }
            theta.subi(upd);
        }
    }

    /** The LSTM on one block: x (rows × 2) and the block's flat state view (written with the new state); returns y (rows × 1). */
    private INDArray forward(INDArray x, INDArray stateView, int rows) {
        int h = hidden;
        INDArray state = stateView.reshape(rows, 4L * h);
        INDArray h1 = cols(state, 0), c1 = cols(state, 1), h2 = cols(state, 2), c2 = cols(state, 3);
        INDArray[] l1 = cell(x.mmul(w1x).addi(h1.mmul(w1h)).addiRowVector(b1), c1);
        INDArray[] l2 = cell(l1[0].mmul(w2x).addi(h2.mmul(w2h)).addiRowVector(b2), c2);
        INDArray next = Nd4j.hstack(l1[0], l1[1], l2[0], l2[1]);
        stateView.assign(next.reshape(next.length()));
        return l2[0].mmul(wo).addi(bo);
    }

    /** Columns [k·H, (k+1)·H) of a rows × 4H matrix. */
    private INDArray cols(INDArray m, int k) {
        return m.get(NDArrayIndex.all(), NDArrayIndex.interval((long) k * hidden, (long) (k + 1) * hidden));
    }

    /** One LSTM cell on pre-activations z = [i f g o] (rows × 4H) and the old cell c: {h', c'}. */
    private INDArray[] cell(INDArray z, INDArray c) {
        INDArray i = Transforms.sigmoid(cols(z, 0), true), f = Transforms.sigmoid(cols(z, 1), true);
        INDArray g = Transforms.tanh(cols(z, 2), true), o = Transforms.sigmoid(cols(z, 3), true);
        INDArray cNew = f.muli(c).addi(i.muli(g));
        INDArray hNew = Transforms.tanh(cNew, true).muli(o);
        return new INDArray[]{hNew, cNew};
    }
}
