package org.metaadamw.update;

import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.ParamGroups;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
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
    /** The workspace a step's temporaries live in (one per thread, reused from block to block and step to step). */
    private static final String WORKSPACE_ID = "METAADAMW_LSTM_STEP";
    private static final WorkspaceConfiguration WORKSPACE = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.OVERALLOCATE).policyLearning(LearningPolicy.FIRST_LOOP).build();

    private final double lr, lambda;
    private final boolean decayBiases;
    private final ParamLayout layout;
    private final long numParams;
    private final DataType dtype;
    private final int block;
    private final INDArray passMask, keepMask, decayScale;
    private LstmParams params;
    private int hidden;
    /** Per gate k (i, f, g, o): the columns of W1x, W1h, b1, W2x, W2h, b2 that feed it, contiguous matrices. */
    private INDArray[] w1x, w1h, b1, w2x, w2h, b2;
    private INDArray wo;
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
        w1x = gates(w, o[0], LstmParams.INPUTS);
        w1h = gates(w, o[1], hidden);
        b1 = gates(w, o[2], 1);
        w2x = gates(w, o[3], hidden);
        w2h = gates(w, o[4], hidden);
        b2 = gates(w, o[5], 1);
        wo = Nd4j.create(java.util.Arrays.copyOfRange(w, o[6], o[6] + hidden), new long[]{hidden, 1}, DataType.DOUBLE).castTo(dtype);
        bo = w[o[7]];
    }

    /** The four gates' column blocks of a rows × 4H row-major matrix of φ starting at {@code from}, each rows × H. */
    private INDArray[] gates(double[] w, int from, int rows) {
        int h = hidden, g = 4 * h;
        INDArray[] out = new INDArray[4];
        for (int k = 0; k < 4; k++) {
            double[] part = new double[rows * h];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(w, from + r * g + k * h, part, r * h, h);
            }
            out[k] = Nd4j.create(part, new long[]{rows, h}, DataType.DOUBLE).castTo(dtype);
        }
        return out;
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
            // a block's temporaries live in a workspace reused from block to block and step to step, so
            // their off-heap memory is recycled at once instead of waiting for the garbage collector
            // (without it, ND4J's off-heap use grew to 20 GB in a benchmark run before GC freed it)
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, WORKSPACE_ID)) {
                stepBlock(params, grad, st, a, Math.min(numParams, a + block), s);
            }
        }
    }

    /** The step on coordinates [a, b); everything it creates is a temporary of the active workspace. */
    private void stepBlock(INDArray params, INDArray grad, LstmState st, long a, long b, double s) {
        int rows = (int) (b - a);
        INDArrayIndex range = NDArrayIndex.interval(a, b);
        INDArray y = forward(preprocessGradient(grad.get(range), this.params.p()), st.s, a, rows);
        INDArray theta = params.get(range);
        INDArray upd = y.reshape(rows).muli(s);
        if (decayScale != null) {
            upd.addi(theta.mul(decayScale.get(range)));
        }
        upd.muli(lr);
        if (keepMask != null) {
            upd.muli(keepMask.get(range)).addi(grad.get(range).mul(passMask.get(range)));
        }
        theta.subi(upd);
    }

    /**
     * The flat view of state component k (0: h1, 1: c1, 2: h2, 3: c2) for coordinates [a, a + rows): a contiguous
     * range of the state's k-th n × H block.
     */
    private INDArray part(INDArray s, int k, long a, int rows) {
        long from = (long) k * numParams * hidden + a * hidden;
        return s.get(NDArrayIndex.interval(from, from + (long) rows * hidden));
    }

    /**
     * The LSTM on one block of coordinates [a, a + rows): x (rows × 2), the state read and written in place;
     * returns y (rows × 1). Every operand is a contiguous matrix (gate by gate), which ND4J's products need
     * to be fast: column views of a rows × 4H matrix made a 100k-parameter step take seconds.
     */
    private INDArray forward(INDArray x, INDArray s, long a, int rows) {
        int h = hidden;
        INDArray[] v = new INDArray[4], old = new INDArray[4];
        for (int k = 0; k < 4; k++) {
            v[k] = part(s, k, a, rows);
            old[k] = v[k].reshape(rows, h).dup();
        }
        INDArray[] l1 = cell(x, old[0], old[1], w1x, w1h, b1);
        INDArray[] l2 = cell(l1[0], old[2], old[3], w2x, w2h, b2);
        v[0].assign(l1[0].reshape((long) rows * h));
        v[1].assign(l1[1].reshape((long) rows * h));
        v[2].assign(l2[0].reshape((long) rows * h));
        v[3].assign(l2[1].reshape((long) rows * h));
        return l2[0].mmul(wo).addi(bo);
    }

    /** One LSTM layer: input {@code in}, old hidden {@code hOld} and cell {@code c} (rows × H each): {h', c'}. */
    private INDArray[] cell(INDArray in, INDArray hOld, INDArray c, INDArray[] wx, INDArray[] wh, INDArray[] bias) {
        INDArray[] z = new INDArray[4];
        for (int k = 0; k < 4; k++) {
            z[k] = in.mmul(wx[k]).addi(hOld.mmul(wh[k])).addiRowVector(bias[k]);
        }
        INDArray i = Transforms.sigmoid(z[0], false), f = Transforms.sigmoid(z[1], false);
        INDArray g = Transforms.tanh(z[2], false), o = Transforms.sigmoid(z[3], false);
        INDArray cNew = f.muli(c).addi(i.muli(g));
        INDArray hNew = Transforms.tanh(cNew, true).muli(o);
        return new INDArray[]{hNew, cNew};
    }
}
