package org.metaadamw.meta;

import org.metaadamw.config.MetaAdamWConf;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.stats.FeatureSet;
import org.metaadamw.stats.RoundSummary;
import org.metaadamw.update.Modulation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.Map;

/**
 * {@code metaadamw}: the attention module over group statistics, trained on the driver by the
 * three-term first-order meta-objective balanced by priority-injected HUW (docs/algorithm.md).
 *
 * <p>Per call of {@link #next}: (1) unless this is round 0 or not a meta round, take the gradients
 * of the meta-objective with respect to the outputs that produced the modulation just used,
 * backpropagate them through the cached forward pass, take an Adam step on ψ, an Adam step on the
 * global log step scale ρ (log multipliers; its gradient is the sum over groups of dL/dz_g) and
 * update the HUW log-variances; (2) run the module on this round's features and cache the pass.
 * Groups whose statistics hold NaN/Inf are excluded from both steps and get neutral multipliers
 * (α = β = 1) for the next round; a warning names them. After a rolled-back round
 * ({@link #rolledBack}) the next round runs with neutral multipliers, ρ is capped at 0 and the
 * cached pass is dropped, so the following meta-step is skipped rather than taken around values
 * that were never applied.
 *
 * <p>Metrics per meta-step, for diagnosis: {@code dAlpha.<term>.<g>} = w_i·∂L_i/∂α_g (the HUW-weighted
 * contribution of term i to dL_meta/dα_g), {@code huw.weight.<term>}, {@code scale} (ρ).
 *
 * <p>Cost: the buffers of {@link #next} (one forward pass, the backward workspace, the rollback
 * snapshot, per-group arrays) are allocated once per group count, so that in steady state a call
 * allocates only the {@link Modulation} it returns; {@link #metrics()} builds its map on each call.
 *
 * <p>Driver-only; not thread-safe: one instance is called from one thread.
 */
public final class MetaAdamWController implements ModulationController {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MetaAdamWController.class);
    /** Term names as used in metric keys, in {@link MetaObjective} order. */
    public static final String[] TERM_NAMES = {"alignment", "lossDecrease", "gap"};
    /** {@code meta.scaleRule=sign} (the default) and {@code adaptive}: Rprop's factors (Riedmiller and Braun 1993) and the step's bounds relative to κ. */
    private static final double SCALE_STEP_UP = 1.2, SCALE_STEP_DOWN = 0.5, SCALE_STEP_MAX = 4, SCALE_STEP_MIN_FRACTION = 16;

    private final MetaAdamWConfig config;
    private final OutputMap outputMap;
    /** {@code config.metaTerms()}, read once (the accessor parses the configuration string). */
    private final boolean[] metaTerms;
    private AttentionModule module;
    private Adam metaAdam;
    private Huw huw;
    private ParamGroups groups;
    private transient AttentionModule.Forward lastForward;
    /** The module input of {@link #lastForward}, so that a snapshot can rebuild it. */
    private double[][] lastTokens;
    private Modulation used;
    private double rho;
    /** Step size of ρ's cosine rule (fixed, or sign-adapted with {@code meta.scaleRule=sign}, the default, or {@code adaptive}) and the last cosine signal. */
    private double scaleStep, lastScaleSignal;
    /** Running maximum of ρ, for {@code meta.scaleFloor}. */
    private double rhoMax;
    private double usedRho;
    /** {@code meta.centerGroups}: the groups' parameter shares n_g/n, the weights of the centring; null without it. */
    private double[] centerWeights;
    private Adam scaleAdam;
    private boolean[] usedExcluded;
    private long metaSteps;
    /** Consecutive meta-steps undone because they made the module non-finite. */
    private int rejectedMetaSteps;
    private MetricTable metrics = new MetricTable(0);
    /** Buffers of {@link #next}, allocated once per group count (re-created after deserialisation). */
    private transient StepBuffers buffers;
    /** The attention's float kernel ({@code meta.precision}), null for double; resolved once, re-resolved after deserialisation. */
    private transient FloatAttention floatAttention;
    private transient boolean precisionResolved;

    public MetaAdamWController(MetaAdamWConfig config) {
        this.config = config;
        this.outputMap = OutputMap.of(config);
        this.metaTerms = config.metaTerms();
    }

    /**
     * Everything {@link #next} writes in steady state, so that a meta-step allocates only the
     * modulation it returns: the forward pass (the backward pass reads the cached one before the next
     * forward pass overwrites it), two token buffers (the cached handout's and this round's), the
     * backward workspace and gradient, the snapshot a rejected meta-step is rolled back to, and the
     * per-group arrays of the meta-objective and the output map.
     */
    private static final class StepBuffers {
        final int groups;
        final AttentionModule.Forward pass;
        final double[][][] tokens;
        final AttentionModule.Workspace backward;
        final double[] gradient, weightsBefore;
        final Adam metaAdamBefore, scaleAdamBefore;
        final Huw huwBefore;
        final boolean[] bad, exclude;
        final double[] alpha0, beta0, lambda1, lambda2, dMod, dLogits;
        final double[] alpha, beta, nextLambda1, nextLambda2;
        final double[] values = new double[MetaObjective.TERMS], huwWeights = new double[MetaObjective.TERMS];
        final double[][] grads;
        final double[] rho = new double[1], gRho = new double[1];

        StepBuffers(AttentionModule module, MetaAdamWConfig config, int G) {
            ModuleShape shape = module.shape();
            groups = G;
            pass = new AttentionModule.Forward(shape, G, module.floatAttention());
            tokens = new double[2][G][shape.inputFeatures()];
            backward = new AttentionModule.Workspace(shape, G);
            gradient = new double[module.numWeights()];
            weightsBefore = new double[module.numWeights()];
            metaAdamBefore = new Adam(module.numWeights(), config.metaLearningRate(), 0.9, 0.999, 1e-8, config.metaL2());
            scaleAdamBefore = new Adam(1, config.metaScaleLearningRate(), 0.9, 0.999, 1e-8, 0.0);
            huwBefore = new Huw(config.priorities(), config.paperHuw(), config.huwLearningRate());
            bad = new boolean[G];
            exclude = new boolean[G];
            alpha0 = new double[G];
            beta0 = new double[G];
            lambda1 = new double[G];
            lambda2 = new double[G];
            alpha = new double[G];
            beta = new double[G];
            nextLambda1 = new double[G];
            nextLambda2 = new double[G];
            dMod = new double[G * ModuleShape.OUTPUTS];
            dLogits = new double[G * ModuleShape.OUTPUTS];
            grads = new double[MetaObjective.TERMS][G * ModuleShape.OUTPUTS];
        }

        /** The token buffer that is not {@code last}. */
        double[][] spareTokens(double[][] last) {
            return last == tokens[0] ? tokens[1] : tokens[0];
        }
    }

    private StepBuffers buffers() {
        int G = groups.count();
        if (buffers == null || buffers.groups != G || !buffers.pass.fits(module.shape(), G)) {
            module.useFloatAttention(floatAttention());   // the module's kernel is transient: gone after deserialisation
            buffers = new StepBuffers(module, config, G);
        }
        return buffers;
    }

    private FloatAttention floatAttention() {
        if (!precisionResolved) {
            floatAttention = AttentionPrecision.resolve(config.metaPrecision(), groups.count());
            precisionResolved = true;
        }
        return floatAttention;
    }

    /** Whether this controller's module runs its attention in float ({@code meta.precision} and the JVM allow it). */
    boolean floatAttentionInUse() {
        return module != null && module.floatAttention() != null;
    }

    @Override
    public String name() {
        return "metaadamw";
    }

    @Override
    public Modulation initial(ParamGroups groups) {
        this.groups = groups;
        int G = groups.count();
        ModuleShape shape = ModuleShape.of(config, config.featureColumns(), G);
        this.module = new AttentionModule(shape, config.seed());
        precisionResolved = false;   // auto depends on the group count
        module.useFloatAttention(floatAttention());
        this.metaAdam = new Adam(module.numWeights(), config.metaLearningRate(), 0.9, 0.999, 1e-8, config.metaL2());
        this.huw = new Huw(config.priorities(), config.paperHuw(), config.huwLearningRate());
        this.scaleAdam = new Adam(1, config.metaScaleLearningRate(), 0.9, 0.999, 1e-8, 0.0);
        this.rho = 0;
        this.rhoMax = 0;
        this.usedRho = 0;
        this.centerWeights = null;
        if (config.centerGroups()) {
            centerWeights = new double[G];
            for (int g = 0; g < G; g++) {
                centerWeights[g] = (double) groups.size(g) / groups.numParams();
            }
        }
        this.scaleStep = config.metaScaleStep();
        this.lastScaleSignal = 0;
        this.used = Modulation.neutral(G);
        this.usedExcluded = new boolean[G];
        this.lastForward = null;
        this.metaSteps = 0;
        if (metrics.groups() != G) {
            metrics = new MetricTable(G);
        }
        this.buffers = null;
        metrics.set(MetricTable.SCALE, rho);
        return used;
    }

    @Override
    public Modulation rolledBack(long round) {
        if (module == null) {
            throw new IllegalStateException("initial(groups) must be called before rolledBack(...)");
        }
        lastForward = null;
        lastTokens = null;
        rho = Math.min(rho, 0.0);
        rhoMax = rho;
        usedRho = rho;
        scaleStep = config.metaScaleStep();
        lastScaleSignal = 0;
        usedExcluded = new boolean[groups.count()];
        metrics.set(MetricTable.SCALE, rho);
        return handOut(Modulation.neutral(groups.count()));
    }

    /** The centre of the α logits of {@code out} ({@code meta.centerGroups}); 0 without centring. */
    private double center(double[] out) {
        return centerWeights == null ? 0 : OutputMap.center(out, centerWeights);
    }

    /** Records {@code m} as the modulation the next round applies, with its per-group metrics. */
    private Modulation handOut(Modulation m) {
        used = m;
        for (int g = 0; g < m.groups(); g++) {
            metrics.set(MetricTable.ALPHA, g, m.alpha(g));
            metrics.set(MetricTable.BETA, g, m.beta(g));
        }
        return m;
    }

    @Override
    public boolean usesValidation() {
        return !config.trainingSignals();   // meta.signal=training: the signals come from the local steps
    }

    @Override
    public boolean wantsValidation(long round) {
        return round >= 1 && round % config.metaInterval() == 0;
    }

    /** gv0 enters only the alignment term and the averaged-step estimate; the default objective needs neither. */
    @Override
    public boolean usesStartGradient() {
        return config.metaObjectiveReadsStartGradient();
    }

    @Override
    public Modulation next(RoundSummary s, long round, long totalRounds) {
        if (module == null) {
            throw new IllegalStateException("initial(groups) must be called before next(...)");
        }
        int G = groups.count();
        if (s.groups() != G) {
            throw new IllegalArgumentException("statistics for " + s.groups() + " groups, controller has " + G);
        }
        StepBuffers b = buffers();
        boolean[] bad = s.nonFiniteGroups(b.bad);
        double[][] tokens = tokens(s, bad, b);
        AttentionModule.Forward forward = null;
        if (lastForward != null && wantsValidation(round) && s.hasMetaSignals()) {
            // the meta-step is undone when it leaves the module's weights or outputs non-finite
            double[] w = module.weights();
            System.arraycopy(w, 0, b.weightsBefore, 0, w.length);
            b.metaAdamBefore.copyFrom(metaAdam);
            b.scaleAdamBefore.copyFrom(scaleAdam);
            b.huwBefore.copyFrom(huw);
            double rho0 = rho, rhoMax0 = rhoMax, scaleStep0 = scaleStep, lastScaleSignal0 = lastScaleSignal;
            long steps0 = metaSteps;
            metaStep(s, bad, b);
            AttentionModule.Forward f = module.forward(tokens, b.pass);
            if (!finite(w) || !finite(f.out)) {
                System.arraycopy(b.weightsBefore, 0, w, 0, w.length);
                metaAdam.copyFrom(b.metaAdamBefore);
                scaleAdam.copyFrom(b.scaleAdamBefore);
                huw.copyFrom(b.huwBefore);
                rho = rho0;
                rhoMax = rhoMax0;
                scaleStep = scaleStep0;
                lastScaleSignal = lastScaleSignal0;
                metaSteps = steps0;
                metrics.set(MetricTable.META_STEPS, metaSteps);   // diagnostics count only the steps kept
                rejectedMetaSteps++;
                LOG.warn("round {}: the meta-step made the attention module's weights or outputs non-finite and was undone ({} in a row); "
                        + "lower {} (now {})", round, rejectedMetaSteps, MetaAdamWConf.META_LEARNING_RATE.key(), config.metaLearningRate());
                if (rejectedMetaSteps >= config.maxNonFiniteRounds()) {
                    if (lastForward == b.pass) {
                        // the rejected pass overwrote the cached one: rebuild it (same tokens, same weights, same bits)
                        module.forward(lastTokens, b.pass);
                    }
                    throw new IllegalStateException(rejectedMetaSteps + " meta-steps in a row made the attention module non-finite; lower "
                            + MetaAdamWConf.META_LEARNING_RATE.key() + " (now " + config.metaLearningRate() + ")");
                }
            } else {
                rejectedMetaSteps = 0;
                forward = f;
            }
        }
        lastForward = forward != null ? forward : module.forward(tokens, b.pass);
        lastTokens = tokens;
        usedRho = rho;
        outputMap.apply(lastForward.out, usedRho - center(lastForward.out), b.alpha, b.beta, b.nextLambda1, b.nextLambda2);
        Modulation next = new Modulation(b.alpha, b.beta, b.nextLambda1, b.nextLambda2);
        int nBad = 0;
        for (boolean x : bad) {
            nBad += x ? 1 : 0;
        }
        if (nBad > 0) {
            StringBuilder names = new StringBuilder();
            for (int g = 0; g < G; g++) {
                if (bad[g]) {
                    names.append(names.length() == 0 ? "" : ", ").append(g).append(' ').append(groups.name(g));
                }
            }
            LOG.warn("round {}: non-finite statistics in {} group(s) [{}]: neutral multipliers (1, 1) for the next round",
                    round, nBad, names);
            next = next.neutralizing(bad);
        }
        if (usedExcluded.length != G) {
            usedExcluded = new boolean[G];
        }
        System.arraycopy(bad, 0, usedExcluded, 0, G);
        handOut(next);
        metrics.set(MetricTable.NON_FINITE_GROUPS, nBad);
        return next;
    }

    /**
     * This round's module input, in the token buffer the cached handout does not use; the features of a
     * summary of another width go through the allocating path, so that the forward pass names the mismatch.
     */
    private double[][] tokens(RoundSummary s, boolean[] bad, StepBuffers b) {
        double[][] raw = s.features();
        if (raw.length != b.groups || raw[0].length != module.shape().inputFeatures()) {
            return FeatureSet.tokens(raw, config.paperFeatureMode(), bad);
        }
        double[][] t = b.spareTokens(lastTokens);
        FeatureSet.tokens(raw, config.paperFeatureMode(), bad, t);
        return t;
    }

    private void metaStep(RoundSummary s, boolean[] bad, StepBuffers b) {
        if (!Double.isFinite(s.lossValStart()) || !Double.isFinite(s.lossValEnd()) || !Double.isFinite(s.lossTrain())) {
            LOG.warn("meta-step skipped: non-finite losses (L_val start {}, end {}, L_tr {})",
                    s.lossValStart(), s.lossValEnd(), s.lossTrain());
            return;
        }
        int G = groups.count(), O = ModuleShape.OUTPUTS;
        boolean[] exclude = b.exclude;
        for (int g = 0; g < G; g++) {
            exclude[g] = bad[g] || usedExcluded[g];
            b.alpha0[g] = used.alpha(g);
            b.beta0[g] = used.beta(g);
            b.lambda1[g] = used.lambda1(g);
            b.lambda2[g] = used.lambda2(g);
        }
        MetaObjective.evaluate(s, b.alpha0, b.beta0, b.alpha0, b.beta0, b.lambda1, b.lambda2, exclude, config.paperAlignment(),
                b.values, b.grads);
        double[] w = b.huwWeights;
        huw.weights(w);
        for (int i = 0; i < w.length; i++) {
            w[i] = metaTerms[i] ? w[i] : 0.0;
        }
        double[] dMod = b.dMod;
        Arrays.fill(dMod, 0.0);
        for (int i = 0; i < MetaObjective.TERMS; i++) {
            double[] gi = b.grads[i];
            for (int j = 0; j < dMod.length; j++) {
                dMod[j] += w[i] * gi[j];
            }
        }
        for (int g = 0; g < G; g++) {
            metrics.set(MetricTable.META_GRAD_ALPHA, g, dMod[g * O]);
            metrics.set(MetricTable.META_GRAD_BETA, g, dMod[g * O + 1]);
            for (int i = 0; i < MetaObjective.TERMS; i++) {
                metrics.set(MetricTable.D_ALPHA + i, g, w[i] * b.grads[i][g * O]);
            }
        }
        double[] dLogits = b.dLogits;
        outputMap.backward(lastForward.out, usedRho - center(lastForward.out), dMod, dLogits);
        double gRho = OutputMap.scaleGradient(dLogits, exclude);
        if (centerWeights != null) {
            OutputMap.centerBackward(dLogits, centerWeights);
        }
        double[] gpsi = b.gradient;
        module.backward(lastForward, dLogits, gpsi, b.backward);
        for (double v : gpsi) {
            if (!Double.isFinite(v)) {
                LOG.warn("meta-step skipped: non-finite meta-gradient");
                return;
            }
        }
        metaAdam.step(module.weights(), gpsi);
        if (config.cosineGlobalScale()) {
            // bounded and scale-free: a signal that shrinks with the step (dL/dρ ∝ ‖Δ‖) cannot trap ρ at its floor
            gRho = config.balancedScaleSignal() ? s.balancedScaleCosine(exclude) : s.scaleCosine(exclude);
            if (config.adaptiveScaleStep()) {
                // Rprop's sign rule on the step size: a signal that keeps its sign says the step is too timid
                double base = config.metaScaleStep(), agree = gRho * lastScaleSignal;
                scaleStep = agree > 0 ? Math.min(SCALE_STEP_UP * scaleStep, SCALE_STEP_MAX * base)
                        : agree < 0 ? Math.max(SCALE_STEP_DOWN * scaleStep, base / SCALE_STEP_MIN_FRACTION) : scaleStep;
                lastScaleSignal = gRho;
            }
            double move = scaleStep * (config.signScaleRule() ? Math.signum(gRho) : gRho);
            move = Math.min(move, config.metaScaleFallMax() * config.metaScaleStep()); // a positive move lowers ρ
            rho = Math.max(Math.log(config.alphaMin()), Math.min(Math.log(config.alphaMax()), rho - move));
            rhoMax = Math.max(rhoMax, rho);
        } else if (outputMap.isLog() && config.metaScaleLearningRate() > 0 && Double.isFinite(gRho)) {
            double[] r = b.rho;
            r[0] = rho;
            b.gRho[0] = gRho;
            scaleAdam.step(r, b.gRho);
            rho = Math.max(Math.log(config.alphaMin()), Math.min(Math.log(config.alphaMax()), r[0]));
            rhoMax = Math.max(rhoMax, rho);
            if (config.metaScaleFloor() > 1) {
                // limits the greedy annealing: never more than scaleFloor below the largest scale reached
                rho = Math.max(rho, rhoMax - Math.log(config.metaScaleFloor()));
            }
        }
        metrics.set(MetricTable.SCALE, rho);
        metrics.set(MetricTable.META_GRAD_SCALE, gRho);
        if (config.cosineGlobalScale()) {
            metrics.set(MetricTable.SCALE_STEP, scaleStep);
        }
        huw.update(b.values);
        metaSteps++;
        double[] v = b.values;
        for (int i = 0; i < MetaObjective.TERMS; i++) {
            metrics.set(MetricTable.META_TERM + i, v[i]);
        }
        double[] hw = b.huwWeights;
        huw.weights(hw);
        for (int i = 0; i < MetaObjective.TERMS; i++) {
            metrics.set(MetricTable.HUW_WEIGHT + i, hw[i]);
        }
        metrics.set(MetricTable.META_STEPS, metaSteps);
    }

    @Override
    public Map<String, Double> metrics() {
        return metrics.toMap();
    }

    /** The attention module (live). */
    public AttentionModule module() {
        return module;
    }

    Huw huw() {
        return huw;
    }

    public long metaSteps() {
        return metaSteps;
    }

    /** ρ, the global log step scale (0 without log multipliers or with {@code meta.scaleLearningRate=0}). */
    public double scale() {
        return rho;
    }

    /** The modulation this controller last handed out: the one the next round applies. */
    public Modulation applied() {
        return used;
    }

    /** Snapshot of the meta-state (module weights, optimizer states, HUW), for checkpoints. */
    public MetaState snapshot(long round) {
        return new MetaState(MetaState.FORMAT_VERSION, config.toStringMap(), module.shape(), module.weights().clone(),
                metaAdam.state(), huw.logVariances(), huw.adam().state(), rho, rhoMax, scaleAdam.state(), metaSteps, round,
                groups == null ? java.util.List.of() : groups.names(),
                lastForward == null ? null : new MetaState.Handout(deepCopy(lastTokens), usedRho, used.alphas(), used.betas(),
                        used.lambda1s(), used.lambda2s(), usedExcluded.clone()), scaleStep, lastScaleSignal);
    }

    private static boolean finite(double[] a) {
        for (double v : a) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private static double[][] deepCopy(double[][] a) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
        }
        return out;
    }


    /**
     * Restores a snapshot taken from a controller of the same configuration over the same groups.
     * The forward pass of the last handout is rebuilt from its saved input, so the restored controller
     * continues exactly as the saved one would have (same next meta-step, same multipliers).
     */
    public void restore(MetaState state) {
        if (module == null) {
            throw new IllegalStateException("initial(groups) must be called before restore(...)");
        }
        state.checkCompatible(module.shape(), groups.names(), module.numWeights());
        System.arraycopy(state.moduleWeights(), 0, module.weights(), 0, module.numWeights());
        metaAdam.restore(state.metaAdam());
        huw.restore(state.huwLogVariances(), state.huwAdam());
        rho = state.scale();
        rhoMax = state.scaleMax();
        usedRho = rho;
        scaleAdam.restore(state.scaleAdam());
        scaleStep = state.scaleStep() > 0 ? state.scaleStep() : config.metaScaleStep();
        lastScaleSignal = state.scaleSignal();
        metaSteps = state.metaSteps();
        lastForward = null;
        lastTokens = null;
        MetaState.Handout h = state.handout();
        if (h != null) {
            // the forward pass was taken with the weights saved above: the meta-step that produced them precedes it
            lastTokens = deepCopy(h.tokens());
            lastForward = module.forward(lastTokens);
            usedRho = h.rho();
            usedExcluded = h.excluded().clone();
            handOut(new Modulation(h.alpha(), h.beta(), h.lambda1(), h.lambda2()));
        }
    }

    @Override
    public String saveState(long round) {
        return snapshot(round).toJson();
    }

    @Override
    public void restoreState(String state) {
        try {
            restore(MetaState.fromJson(state, "checkpoint"));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public ModulationController copy() {
        return new MetaAdamWController(config);
    }

    @Override
    public String toString() {
        return "MetaAdamWController{module=" + (module == null ? "-" : module.shape()) + ", metaSteps=" + metaSteps
                + ", huw s=" + (huw == null ? "-" : Arrays.toString(huw.logVariances())) + "}";
    }
}
