package org.metaadamw.update;

import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.ParamGroups;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.function.IntToDoubleFunction;

import static org.metaadamw.update.MadaCoefficients.Coefficient.BETA1;
import static org.metaadamw.update.MadaCoefficients.Coefficient.BETA2;
import static org.metaadamw.update.MadaCoefficients.Coefficient.BETA3;
import static org.metaadamw.update.MadaCoefficients.Coefficient.C;
import static org.metaadamw.update.MadaCoefficients.Coefficient.GAMMA;
import static org.metaadamw.update.MadaCoefficients.Coefficient.RHO;

/**
 * The worker-side update rule of MADA (Ozkara et al., "MADA: Meta-Adaptive Optimizers through
 * hyper-gradient Descent", ICML 2024) over a network's flattened parameters: one optimizer that
 * interpolates Adam, AVGrad, Yogi, Adan and Lion through the coefficients (β1, β2, β3, ρ, c, γ) of
 * {@link MadaCoefficients}, with decoupled weight decay as {@link GroupAdamW}. Per coordinate, with
 * the coefficients of the coordinate's group, preprocessed gradient g_t, t = 1, 2, ... and zero
 * initial state (g_0 = 0):
 * <pre>
 *   d_t  = g_t − g_{t−1}                    ĝ_t = g_t + β3 d_t
 *   s_t  = sign(ĝ_t² − v_{t−1})              g̃²_t = c ĝ_t² + (1−c)(v_{t−1} + s_t ĝ_t²)
 *   m_t  = β1 m_{t−1} + (1−β1) g_t           v_t = β2 v_{t−1} + (1−β2) g̃²_t
 *   n_t  = β3 n_{t−1} + (1−β3) d_t           v̄_t = v̄_{t−1} + (v_t − v̄_{t−1})/t   (= (1/t) Σ_τ v_τ)
 *   w_t  = ρ v_t + (1−ρ) v̄_t
 *   A_t  = √(1−β2^t) (m_t/(1−β1^t) + β3 n_t) / (√w_t + ε)      (= (m̂_t + β3 n_t)/(√ŵ_t + ε'))
 *   u_t  = βL1 ℓ_{t−1} + (1−βL1) g_t         ℓ_t = βL2 ℓ_{t−1} + (1−βL2) g_t      (Lion)
 *   θ_t  = θ_{t−1} − η ( γ A_t + (1−γ) sign(u_t) + λ θ_{t−1} )
 * </pre>
 * where ŵ = w/(1−β2^t) and ε' = ε/√(1−β2^t): like {@link GroupAdamW} (and DL4J's Adam) ε is added to
 * √w with the bias corrections folded into the step size. λ is 0 for biases unless
 * {@code decayBiases}; parameters that belong to no group (DL4J's no-op updater) are not optimised
 * and get their pseudo-gradient subtracted as is, as GroupAdamW does.
 *
 * <p>Source of the equations: the authors' official code, repository
 * {@code amazon-science/mada_optimizer_search}, file {@code gdtuo.py} (class {@code Meta}), and its
 * driver {@code train_ddp.py} (ranges, hypergradient learning rates, clip at 10); the paper's own
 * text (arXiv 2401.08893) was not available here, so no section or equation numbers are given.
 * Differences from that code, all deliberate: ε is added to √w as in GroupAdamW (the code adds it
 * to √ŵ); v and v̄ start at 0 (the code starts them at 1e-15 so that √ is differentiable, which
 * {@link #hypergradient} handles instead); n starts at 0 (the code starts it at g_1², a squared
 * gradient in a gradient-difference average); Lion's direction uses ℓ_{t−1} as in Chen et al.
 * 2023 (the code uses the freshly updated ℓ_t); decoupled weight decay is added (the code has none).
 *
 * <p>Corners (each reduces exactly to the named rule in the equations above):
 * <ul>
 *   <li>Adam: β3 = 0, ρ = 1, c = 1, γ = 1 (then w = v, A = Adam's step: equal to GroupAdamW with
 *       every multiplier 1, bit for bit, since every extra term is an exact ×1 or +0);</li>
 *   <li>AVGrad: ρ = 0 (Adam with v replaced by its running mean v̄, MADA's variant of AMSGrad);</li>
 *   <li>Yogi: c = 0 (v_t = v_{t−1} − (1−β2) sign(v_{t−1} − g²) g², with Adam's bias correction);</li>
 *   <li>Adan: β3 &gt; 0 with ρ = c = γ = 1 — Xie et al.'s Adan with their (β1, β2, β3) = (1−β1, 1−β3, 1−β2)
 *       of MADA, zero-initialised moments, bias correction of m and v only, and AdamW-style
 *       (not proximal) weight decay;</li>
 *   <li>Lion: γ = 0 (θ ← θ − η(sign(u_t) + λθ), with the fixed Lion betas βL1, βL2 of the constructor).</li>
 * </ul>
 *
 * <p>Hypergradients: {@link #step(INDArray, INDArray, MadaState, boolean)} can record the tangents
 * ∂θ_t/∂k of its step for every coefficient k, with the state before the step and g_t held fixed
 * (the one-step hypergradient of the paper: its code detaches the state and the gradient);
 * {@link #hypergradient} then pairs them with the next gradient g_{t+1} = ∇L(θ_t), which is also the
 * gradient of the next step, so the signal costs no extra backward pass.
 *
 * <p>Each step is a fixed set of whole-vector ND4J operations; per-group values are spread over the
 * coordinates with one assign per run of tensors ({@link ParamLayout}), when the coefficients are
 * set and, for the bias corrections, once per step (a single assign for global coefficients).
 *
 * <p>Not thread-safe: one instance per worker thread (it keeps scratch vectors and the tangents).
 */
public final class Mada {
    /** Lion's β1 (interpolation of the update direction) used by the official code for GPT-2. */
    public static final double DEFAULT_LION_BETA1 = 0.95;
    /** Lion's β2 (momentum decay) used by the official code for GPT-2. */
    public static final double DEFAULT_LION_BETA2 = 0.98;

    /** √w below this counts as this in the hypergradient's 1/(2√w) (only where w's tangent is 0 in practice). */
    private static final double SQRT_FLOOR = 1e-30;

    private final double lr, eps, lambda, lionB1, lionB2;
    private final boolean decayBiases;
    private final ParamLayout layout;
    private final DataType dtype;
    private final long numParams;
    private final INDArray mask;
    private final INDArray decay;
    private final INDArray passMask;

    private MadaCoefficients coefficients;
    private INDArray b1, omb1, b2, omb2, b3, omb3, rho, omrho, c, omc, gamma, omgamma;
    private boolean anyBeta3;
    // per-step spreads
    private final INDArray stepScale, b3r;
    // tangents ∂θ_t/∂k of the last recorded step, in Coefficient order
    private INDArray[] tangents;
    private boolean tangentsValid;

    /** With the official code's Lion betas ({@link #DEFAULT_LION_BETA1}, {@link #DEFAULT_LION_BETA2}). */
    public Mada(MetaAdamWConfig cfg, ParamGroups groups, DataType dtype) {
        this(cfg, groups, dtype, DEFAULT_LION_BETA1, DEFAULT_LION_BETA2);
    }

    /**
     * @param cfg       η ({@code learningRate}), ε ({@code epsilon}), λ ({@code weightDecay}) and
     *                  {@code decayBiases}; its β1, β2 are not used (they are coefficients here)
     * @param groups    the network's parameter groups
     * @param dtype     the parameters' data type (float or double)
     * @param lionBeta1 Lion's direction interpolation βL1, in [0, 1)
     * @param lionBeta2 Lion's momentum decay βL2, in [0, 1)
     */
    public Mada(MetaAdamWConfig cfg, ParamGroups groups, DataType dtype, double lionBeta1, double lionBeta2) {
        if (!(lionBeta1 >= 0 && lionBeta1 < 1) || !(lionBeta2 >= 0 && lionBeta2 < 1)) {
            throw new IllegalArgumentException("Lion betas must be in [0, 1) (got βL1=" + lionBeta1 + ", βL2=" + lionBeta2 + ")");
        }
        this.lr = cfg.learningRate();
        this.eps = cfg.epsilon();
        this.lambda = cfg.weightDecay();
        this.decayBiases = cfg.decayBiases();
        this.lionB1 = lionBeta1;
        this.lionB2 = lionBeta2;
        this.dtype = dtype;
        this.layout = new ParamLayout(groups, dtype);
        this.numParams = layout.numParams();
        this.passMask = layout.passMask();
        this.mask = Nd4j.zeros(dtype, numParams);
        INDArray dec = Nd4j.zeros(dtype, numParams);
        boolean anyDecay = false;
        for (ParamLayout.Segment s : layout.segments()) {
            if (s.group() < 0) {
                continue;
            }
            mask.get(NDArrayIndex.interval(s.start(), s.end())).assign(1);
            if ((!s.bias() || decayBiases) && lambda != 0) {
                dec.get(NDArrayIndex.interval(s.start(), s.end())).assign(lambda);
                anyDecay = true;
            }
        }
        this.decay = anyDecay ? dec : null;
        this.stepScale = Nd4j.zeros(dtype, numParams);
        this.b3r = Nd4j.zeros(dtype, numParams);
        setCoefficients(MadaCoefficients.adam(0.9, 0.99));
    }

    /** Sets the coefficients of the following steps: one global set or one per group. */
    public void setCoefficients(MadaCoefficients k) {
        if (!k.isGlobal() && k.sets() != layout.groups()) {
            throw new IllegalArgumentException("MADA coefficients for " + k.sets() + " groups, network has " + layout.groups());
        }
        b1 = spread(k, BETA1, false);
        omb1 = spread(k, BETA1, true);
        b2 = spread(k, BETA2, false);
        omb2 = spread(k, BETA2, true);
        b3 = spread(k, BETA3, false);
        omb3 = spread(k, BETA3, true);
        rho = spread(k, RHO, false);
        omrho = spread(k, RHO, true);
        c = spread(k, C, false);
        omc = spread(k, C, true);
        gamma = spread(k, GAMMA, false);
        omgamma = spread(k, GAMMA, true);
        boolean any = false;
        for (int g = 0; g < layout.groups(); g++) {
            any |= k.ofGroup(g, BETA3) != 0;
        }
        anyBeta3 = any;
        coefficients = k;
        tangentsValid = false;
    }

    /** The coefficients in force (immutable). */
    public MadaCoefficients coefficients() {
        return coefficients;
    }

    private INDArray spread(MadaCoefficients k, MadaCoefficients.Coefficient which, boolean oneMinus) {
        double[] per = k.perGroup(which, layout.groups());
        if (oneMinus) {
            for (int g = 0; g < per.length; g++) {
                per[g] = 1 - per[g];
            }
        }
        return layout.spread(Nd4j.zeros(dtype, numParams), per, per[0]);
    }

    /** Per group, f(β1, β2, other) spread over the coordinates (group 0's value where no group). */
    private INDArray perStep(INDArray target, IntToDoubleFunction f) {
        double[] per = new double[layout.groups()];
        for (int g = 0; g < per.length; g++) {
            per[g] = f.applyAsDouble(g);
        }
        return layout.spread(target, per, per[0]);
    }

    /** Turns DL4J's raw gradient into the minibatch mean, in place, where DL4J does (as {@link GroupAdamW#preprocess}). */
    public void preprocess(INDArray rawGrad, long batchSize) {
        layout.preprocess(rawGrad, batchSize);
    }

    /** One MADA step on {@code params} (flat view, updated in place) with a preprocessed gradient. */
    public void step(INDArray params, INDArray grad, MadaState st) {
        step(params, grad, st, false);
    }

    /**
     * One MADA step on {@code params} (flat view, updated in place) with a preprocessed gradient;
     * with {@code recordTangents} it keeps ∂θ_t/∂k of this step for {@link #hypergradient}
     * (six more vectors and about twenty more vector operations).
     */
    public void step(INDArray params, INDArray grad, MadaState st, boolean recordTangents) {
        if (params.length() != numParams || grad.length() != numParams || st.length() != numParams) {
            throw new IllegalArgumentException("MADA step: network has " + numParams + " parameters, got params "
                    + params.length() + ", gradient " + grad.length() + ", state " + st.length());
        }
        st.advance();
        final long t = st.step();
        final MadaCoefficients k = coefficients;
        INDArray m = st.m, v = st.v, n = st.n, vBar = st.vBar, gPrev = st.gPrev, lion = st.lion;

        perStep(stepScale, g -> Math.sqrt(1 - Math.pow(k.ofGroup(g, BETA2), t)) / (1 - Math.pow(k.ofGroup(g, BETA1), t)));
        if (anyBeta3 || recordTangents) {
            perStep(b3r, g -> k.ofGroup(g, BETA3) * Math.sqrt(1 - Math.pow(k.ofGroup(g, BETA2), t)));
        }

        INDArray d = grad.sub(gPrev);
        INDArray gh = d.mul(b3).addi(grad);
        INDArray gh2 = gh.mul(gh);
        INDArray s = Transforms.sign(gh2.sub(v));
        INDArray gt2 = s.mul(gh2).addi(v).muli(omc).addi(gh2.mul(c));

        INDArray mPrev = null, vPrev = null, nPrev = null;
        if (recordTangents) {
            mPrev = m.dup();
            vPrev = v.dup();
            nPrev = n.dup();
        }

        m.muli(b1).addi(grad.mul(omb1));
        v.muli(b2).addi(gt2.mul(omb2));
        n.muli(b3).addi(d.mul(omb3));
        vBar.addi(v.sub(vBar).divi(t));
        INDArray w = v.mul(rho).addi(vBar.mul(omrho));

        INDArray num = m.mul(stepScale);
        if (anyBeta3) {
            num.addi(n.mul(b3r));
        }
        INDArray sqrtW = Transforms.sqrt(w, true);
        INDArray den = sqrtW.add(eps);
        INDArray a = num.divi(den);

        INDArray sigma = Transforms.sign(lion.mul(lionB1).addi(grad.mul(1 - lionB1)));
        lion.muli(lionB2).addi(grad.mul(1 - lionB2));
        gPrev.assign(grad);

        if (recordTangents) {
            recordTangents(t, k, grad, d, gh, gh2, s, gt2, mPrev, vPrev, nPrev, m, n, v, vBar, sqrtW, den, a, sigma);
        } else {
            tangentsValid = false;
        }

        INDArray upd = a.mul(gamma).addi(sigma.muli(omgamma)).muli(mask);
        if (decay != null) {
            upd.addi(params.mul(decay));
        }
        params.subi(upd.muli(lr));
        if (passMask != null) {
            params.subi(grad.mul(passMask));
        }
    }

    /*
     * ∂θ_t/∂k = −η·mask·∂(γA + (1−γ)σ)/∂k with the state before the step and g_t fixed; with
     * r = √(1−β2^t), b = 1−β1^t, N = r(m/b + β3 n), D = √w + ε, A = N/D, K = ρ + (1−ρ)/t (∂w/∂v):
     *   ∂A/∂β1 = [ (m_{t−1} − g) r/b + m r t β1^{t−1}/b² ] / D
     *   ∂A/∂β2 = A·(−t β2^{t−1}/(2(1−β2^t))) − (A/D)(1/(2√w)) K (v_{t−1} − g̃²)
     *   ∂A/∂β3 = r (n + β3 (n_{t−1} − d)) / D − (A/D)(1/(2√w)) K (1−β2)(c + (1−c)s) 2ĝ d
     *   ∂A/∂ρ  = −(A/D)(1/(2√w)) (v − v̄)
     *   ∂A/∂c  = −(A/D)(1/(2√w)) K (1−β2)(ĝ² − v_{t−1} − s ĝ²)
     *   ∂(γA + (1−γ)σ)/∂γ = A − σ;  the others are γ·∂A/∂k.  (sign has derivative 0 almost everywhere.)
     */
    private void recordTangents(long t, MadaCoefficients k, INDArray grad, INDArray d, INDArray gh, INDArray gh2, INDArray s,
                                INDArray gt2, INDArray mPrev, INDArray vPrev, INDArray nPrev, INDArray m, INDArray n, INDArray v,
                                INDArray vBar, INDArray sqrtW, INDArray den, INDArray a, INDArray sigma) {
        if (tangents == null) {
            tangents = new INDArray[MadaCoefficients.COUNT];
        }
        INDArray q1 = perStep(Nd4j.zeros(dtype, numParams), g -> {
            double bb1 = k.ofGroup(g, BETA1), bb2 = k.ofGroup(g, BETA2);
            double b = 1 - Math.pow(bb1, t);
            return Math.sqrt(1 - Math.pow(bb2, t)) * t * Math.pow(bb1, t - 1) / (b * b);
        });
        INDArray p2 = perStep(Nd4j.zeros(dtype, numParams), g -> {
            double bb2 = k.ofGroup(g, BETA2);
            return -t * Math.pow(bb2, t - 1) / (2 * (1 - Math.pow(bb2, t)));
        });
        INDArray kk = perStep(Nd4j.zeros(dtype, numParams), g -> {
            double r = k.ofGroup(g, RHO);
            return r + (1 - r) / t;
        });
        INDArray r = perStep(Nd4j.zeros(dtype, numParams), g -> Math.sqrt(1 - Math.pow(k.ofGroup(g, BETA2), t)));
        // F = (A/D)·1/(2√w): the factor of every tangent through w
        INDArray f = a.div(den).muli(Transforms.max(sqrtW, SQRT_FLOOR, true).rdivi(0.5));

        INDArray dB1 = mPrev.sub(grad).muli(stepScale).addi(m.mul(q1)).divi(den);
        INDArray dB2 = a.mul(p2).subi(f.mul(kk).muli(vPrev.sub(gt2)));
        INDArray dwB3 = s.mul(omc).addi(c).muli(gh).muli(d).muli(2).muli(omb2).muli(kk);
        INDArray dB3 = nPrev.sub(d).muli(b3).addi(n).muli(r).divi(den).subi(f.mul(dwB3));
        INDArray dRho = f.mul(v.sub(vBar)).negi();
        INDArray dwC = gh2.sub(vPrev).subi(s.mul(gh2)).muli(omb2).muli(kk);
        INDArray dC = f.mul(dwC).negi();
        INDArray dGamma = a.sub(sigma);

        INDArray scale = mask.mul(-lr);
        INDArray scaleG = scale.mul(gamma);
        tangents[BETA1.ordinal()] = dB1.muli(scaleG);
        tangents[BETA2.ordinal()] = dB2.muli(scaleG);
        tangents[BETA3.ordinal()] = dB3.muli(scaleG);
        tangents[RHO.ordinal()] = dRho.muli(scaleG);
        tangents[C.ordinal()] = dC.muli(scaleG);
        tangents[GAMMA.ordinal()] = dGamma.muli(scale);
        tangentsValid = true;
    }

    /**
     * The one-step hypergradient signals of the last step recorded with tangents: per group g (rows)
     * and coefficient k (columns, {@link MadaCoefficients.Coefficient} order), Σ_{i ∈ g} g_next,i ·
     * ∂θ_t,i/∂k, in units of loss per unit of coefficient. Sums over coordinates, so the signals of
     * several workers (or of several steps) add up; for global coefficients the driver also sums
     * over groups ({@link MadaCoefficients#hyperStep} does). Coordinates of no group contribute 0.
     *
     * @param nextGrad the preprocessed gradient at θ_t (the next step's gradient); not changed
     * @return a new [G][6] array
     * @throws IllegalStateException when the last step did not record tangents or the coefficients changed since
     */
    public double[][] hypergradient(INDArray nextGrad) {
        if (!tangentsValid) {
            throw new IllegalStateException("no tangents: call step(..., recordTangents=true) right before hypergradient");
        }
        if (nextGrad.length() != numParams) {
            throw new IllegalArgumentException("hypergradient: network has " + numParams + " parameters, gradient has "
                    + nextGrad.length());
        }
        double[][] out = new double[layout.groups()][MadaCoefficients.COUNT];
        for (int kk = 0; kk < MadaCoefficients.COUNT; kk++) {
            double[] byGroup = layout.sumByGroup(nextGrad.mul(tangents[kk]));
            for (int g = 0; g < byGroup.length; g++) {
                out[g][kk] = byGroup[g];
            }
        }
        return out;
    }

    double learningRate() {
        return lr;
    }

    boolean decayBiases() {
        return decayBiases;
    }
}
