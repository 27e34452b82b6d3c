package org.metaadamw.update;

import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.ParamGroups;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The worker-side update rule of L3RS (Kristiansen et al. 2025, "Narrowing the Focus: Learned
 * Optimizers for Pretrained Models", Figure 2; docs/l3rs.md): per parameter group, a learned mix of
 * two base directions and a learned update scale, from a small MLP shared by the groups
 * ({@link L3rsParams}). Per coordinate of group g, with the preprocessed gradient ∇ and t = 1, 2, ...:
 * <pre>
 *   m ← β1 m + (1−β1) ∇        v ← β2 v + (1−β2) ∇²          (Adam's moments)
 *   b ← μ b + ∇                                               (SGD momentum, PyTorch's form)
 *   (μ_A, μ_S, s)_g = MLP_φ(log10 rms(∇_g), log10 rms(θ_g), t/T; e_g)     (features before the step)
 *   θ ← θ − η s_g ( μ_A m̂/(√v̂ + ε') + λ θ ) − η_SGD s_g μ_S b
 * </pre>
 * with Adam's direction computed exactly as {@link GroupAdamW} does (ε added to √v, the bias
 * corrections folded into the step size) and λ 0 for biases unless {@code decayBiases}. The
 * decoupled weight decay is scaled by the group's update scale s_g, as MetaAdamW's α_g scales it.
 * Parameters of no group (DL4J's no-op updater) get their pseudo-gradient subtracted as is.
 *
 * <p>With φ = {@link L3rsParams#pure}(adam = true) (μ_A = 1, μ_S = 0, s = 1 exactly) every operation of a
 * step is the one of {@link GroupAdamW} with neutral multipliers, in the same order, and the SGD term is
 * skipped: the parameters and m, v are bit for bit those of AdamW. With μ_S = 0 nowhere the SGD term is an
 * extra vector operation.
 *
 * <p>t/T is the caller's: the trainers pass the round's t/T (constant over the round's K local steps).
 *
 * <p>Not thread-safe: one instance per worker thread (it keeps the per-coordinate scale vectors).
 */
public final class L3rs {
    /** rms values are floored at this before the log10 of the features (zero-initialised biases: −8). */
    public static final double FEATURE_FLOOR = 1e-8;

    private final double lr, b1, b2, eps, lambda;
    private final boolean decayBiases;
    private final ParamLayout layout;
    private final long numParams;
    private final INDArray passMask;
    private final long[] groupSizes;
    private final INDArray adamScale, sgdScale, decayScale;
    private L3rsParams params;
    private double[][] lastOutputs;

    /**
     * @param cfg    η ({@code learningRate}), β1, β2, ε, λ ({@code weightDecay}) and {@code decayBiases}
     * @param groups the network's parameter groups
     * @param dtype  the parameters' data type
     * @param phi    the meta-parameters, for {@code groups.count()} groups
     */
    public L3rs(MetaAdamWConfig cfg, ParamGroups groups, DataType dtype, L3rsParams phi) {
        this.lr = cfg.learningRate();
        this.b1 = cfg.beta1();
        this.b2 = cfg.beta2();
        this.eps = cfg.epsilon();
        this.lambda = cfg.weightDecay();
        this.decayBiases = cfg.decayBiases();
        this.layout = new ParamLayout(groups, dtype);
        this.numParams = layout.numParams();
        this.passMask = layout.passMask();
        this.groupSizes = new long[layout.groups()];
        for (ParamLayout.Segment s : layout.segments()) {
            if (s.group() >= 0) {
                groupSizes[s.group()] += s.end() - s.start();
            }
        }
        this.adamScale = Nd4j.zeros(dtype, numParams);
        this.sgdScale = Nd4j.zeros(dtype, numParams);
        this.decayScale = Nd4j.zeros(dtype, numParams);
        setParams(phi);
    }

    /** Sets φ of the following steps (the same G groups). */
    public void setParams(L3rsParams phi) {
        if (phi.groups() != layout.groups()) {
            throw new IllegalArgumentException("L3RS parameters for " + phi.groups() + " groups, network has " + layout.groups());
        }
        this.params = phi;
    }

    public L3rsParams params() {
        return params;
    }

    /** Turns DL4J's raw gradient into the minibatch mean, in place, where DL4J does (as {@link GroupAdamW#preprocess}). */
    public void preprocess(INDArray rawGrad, long batchSize) {
        layout.preprocess(rawGrad, batchSize);
    }

    /**
     * The MLP's features of every group: [g][log10 rms(∇_g), log10 rms(θ_g), progress]; rms values are
     * floored at {@link #FEATURE_FLOOR}. {@code params} and {@code grad} are not changed.
     */
    public double[][] features(INDArray params, INDArray grad, double progress) {
        double[] g2 = layout.sumByGroup(grad.mul(grad)), p2 = layout.sumByGroup(params.mul(params));
        double[][] f = new double[groupSizes.length][];
        for (int g = 0; g < f.length; g++) {
            long n = Math.max(1, groupSizes[g]);
            f[g] = new double[]{Math.log10(Math.max(FEATURE_FLOOR, Math.sqrt(g2[g] / n))),
                    Math.log10(Math.max(FEATURE_FLOOR, Math.sqrt(p2[g] / n))), progress};
        }
        return f;
    }

    /**
     * One L3RS step on {@code params} (flat view, updated in place) with a preprocessed gradient.
     *
     * @param progress t/T, the training progress, in [0, 1]
     */
    public void step(INDArray params, INDArray grad, L3rsState st, double progress) {
        if (params.length() != numParams || grad.length() != numParams || st.length() != numParams) {
            throw new IllegalArgumentException("L3RS step: network has " + numParams + " parameters, got params "
                    + params.length() + ", gradient " + grad.length() + ", state " + st.length());
        }
        double[][] feats = features(params, grad, progress);
        int G = feats.length;
        double[][] out = new double[G][];
        double[] a = new double[G], s = new double[G];
        boolean anySgd = false;
        for (int g = 0; g < G; g++) {
            out[g] = this.params.forward(g, feats[g]);
            a[g] = out[g][0] * out[g][2];
            s[g] = out[g][1] * out[g][2] * this.params.sgdLearningRate();
            anySgd |= s[g] != 0;
        }
        lastOutputs = out;
        layout.spread(adamScale, a, 0.0);
        boolean decaying = false;
        if (lambda != 0) {
            for (ParamLayout.Segment seg : layout.segments()) {
                double d = seg.group() >= 0 && (!seg.bias() || decayBiases) ? out[seg.group()][2] * lambda : 0.0;
                decayScale.get(NDArrayIndex.interval(seg.start(), seg.end())).assign(d);
                decaying |= d != 0;
            }
        }

        st.advance();
        long t = st.step();
        INDArray m = st.m, v = st.v, b = st.b;
        // Adam's part: the operations of GroupAdamW.step, in its order
        m.muli(b1).addi(grad.mul(1 - b1));
        v.muli(b2).addi(grad.mul(grad).muli(1 - b2));
        b.muli(this.params.momentum()).addi(grad);
        double stepScale = Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
        INDArray upd = m.mul(stepScale).divi(Transforms.sqrt(v, true).addi(eps)).muli(adamScale);
        if (decaying) {
            upd.addi(params.mul(decayScale));
        }
        params.subi(upd.muli(lr));
        if (anySgd) {
            layout.spread(sgdScale, s, 0.0);
            params.subi(b.mul(sgdScale));
        }
        if (passMask != null) {
            params.subi(grad.mul(passMask));
        }
    }

    /** The MLP's outputs of the last step, [g][μ_Adam, μ_SGD, s] (a copy), or null before the first. */
    public double[][] lastOutputs() {
        if (lastOutputs == null) {
            return null;
        }
        double[][] c = new double[lastOutputs.length][];
        for (int g = 0; g < c.length; g++) {
            c[g] = lastOutputs[g].clone();
        }
        return c;
    }
}
