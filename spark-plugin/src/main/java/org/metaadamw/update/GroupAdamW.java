package org.metaadamw.update;

import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.grouping.ParamTensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.List;

/**
 * AdamW with per-group multipliers over a network's flattened parameters (algorithm.md section 1):
 * <pre>
 *   m ← β1 m + (1−β1) ∇        v ← β2 v + (1−β2) ∇²
 *   θ ← θ − η α_g ( m̂ / (√v̂ + ε') + β_g λ θ )
 * </pre>
 * where ε' = ε/√(1−β2^t): ε is added to √v rather than √v̂ (Kingma &amp; Ba's efficient form, and
 * what DL4J's Adam computes; the difference from ε added to √v̂ vanishes as t grows and is below
 * 1e-5 of a step for gradients above 1e-6).
 * With every α_g = β_g = 1 this is AdamW (decoupled weight decay scaled by the learning rate, as
 * DL4J's {@code WeightDecay(λ, applyLR=true)}). Parameters with DL4J's no-op updater (batch-norm
 * running statistics) are not optimised: their pseudo-gradient is subtracted as is, as DL4J does.
 *
 * <p>Gradients are DL4J's raw gradients: {@link #preprocess} divides the tensors DL4J divides by
 * the minibatch size. The per-coordinate multiplier vectors are built once per
 * {@link #setModulation} call (once per round), so a step costs a fixed handful of vector ops.
 *
 * <p>Not thread-safe: one instance per worker thread.
 */
public final class GroupAdamW {
    private final double lr, b1, b2, eps, lambda;
    private final boolean decayBiases;
    private final ParamGroups groups;
    private final DataType dtype;
    private final ParamLayout layout;
    private final INDArray passMask;
    private INDArray lrScale;
    private INDArray decayScale;
    /** Whether the current modulation decays any coordinate ({@link #decayScale} is read only then). */
    private boolean decaying;
    private Modulation modulation;

    public GroupAdamW(MetaAdamWConfig cfg, ParamGroups groups, DataType dtype) {
        this.lr = cfg.learningRate();
        this.b1 = cfg.beta1();
        this.b2 = cfg.beta2();
        this.eps = cfg.epsilon();
        this.lambda = cfg.weightDecay();
        this.decayBiases = cfg.decayBiases();
        this.groups = groups;
        this.dtype = dtype;
        this.layout = new ParamLayout(groups, dtype);
        this.passMask = layout.passMask();
        setModulation(Modulation.neutral(groups.count()));
    }

    /**
     * Sets the multipliers of the following steps. The per-coordinate vectors are filled one tensor
     * at a time, in place, in off-heap arrays allocated once: building them through two heap
     * {@code double[]} of the model's size each round took 800 MB of executor heap at 50 M parameters
     * and failed there with a 1 GB heap (docs/benchmarks.md, "Scaling"). A double value assigned to a
     * float array rounds as the cast of a double array does, so the vectors are the same to the bit.
     */
    public void setModulation(Modulation mod) {
        if (mod.groups() != groups.count()) {
            throw new IllegalArgumentException("modulation for " + mod.groups() + " groups, network has " + groups.count());
        }
        long n = groups.numParams();
        if (lrScale == null) {
            lrScale = Nd4j.create(dtype, n);
        }
        List<ParamTensor> ts = groups.tensors();
        double[] a = new double[ts.size()], d = new double[ts.size()];   // per tensor
        boolean anyDecay = false;
        for (int i = 0; i < ts.size(); i++) {
            int g = groups.groupOfTensor(i);
            ParamTensor t = ts.get(i);
            a[i] = g < 0 ? 0.0 : mod.alpha(g);
            d[i] = g >= 0 && (!t.bias() || decayBiases) ? a[i] * mod.beta(g) * lambda : 0.0;
            anyDecay |= d[i] != 0;
        }
        if (anyDecay && decayScale == null) {
            decayScale = Nd4j.create(dtype, n);
        }
        for (int i = 0; i < ts.size(); i++) {
            ParamTensor t = ts.get(i);
            var range = t.range();
            lrScale.get(range).assign(a[i]);
            if (anyDecay) {
                decayScale.get(range).assign(d[i]);
            }
        }
        this.decaying = anyDecay;
        this.modulation = mod;
    }

    public Modulation modulation() {
        return modulation;
    }

    /** Turns DL4J's raw gradient into the minibatch mean, in place, where DL4J does. */
    public void preprocess(INDArray rawGrad, long batchSize) {
        layout.preprocess(rawGrad, batchSize);
    }

    /** One AdamW step on {@code params} (flat view, updated in place) with a preprocessed gradient. */
    public void step(INDArray params, INDArray grad, AdamWState st) {
        st.advance();
        long t = st.step();
        INDArray m = st.m(), v = st.v();
        m.muli(b1).addi(grad.mul(1 - b1));
        v.muli(b2).addi(grad.mul(grad).muli(1 - b2));
        // Kingma & Ba's efficient form, as DL4J's native Adam op: bias corrections folded into the step
        // size and ε added to √v. Equals m̂/(√v̂ + ε') with ε' = ε/√(1−β2^t).
        double stepScale = Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
        INDArray upd = m.mul(stepScale).divi(Transforms.sqrt(v, true).addi(eps)).muli(lrScale);
        if (decaying) {
            upd.addi(params.mul(decayScale));
        }
        params.subi(upd.muli(lr));
        if (passMask != null) {
            params.subi(grad.mul(passMask));
        }
    }

    /**
     * Per group, η·α_g·β_g·λ·K: the weight-decay part of a K-step round is approximately
     * −coefficient·(θ_r + θ_end)/2 (algorithm.md section 5).
     */
    public double[] decayCoefficients(int steps) {
        double[] c = new double[groups.count()];
        for (int g = 0; g < c.length; g++) {
            c[g] = lr * modulation.alpha(g) * modulation.beta(g) * lambda * steps;
        }
        return c;
    }

    public boolean decayBiases() {
        return decayBiases;
    }
}
