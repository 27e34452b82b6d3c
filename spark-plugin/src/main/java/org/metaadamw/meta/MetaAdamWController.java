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
import java.util.LinkedHashMap;
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
 * <p>Driver-only; not thread-safe.
 */
public final class MetaAdamWController implements ModulationController {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MetaAdamWController.class);
    /** Term names as used in metric keys, in {@link MetaObjective} order. */
    public static final String[] TERM_NAMES = {"alignment", "lossDecrease", "gap"};

    private final MetaAdamWConfig config;
    private final OutputMap outputMap;
    private AttentionModule module;
    private Adam metaAdam;
    private Huw huw;
    private ParamGroups groups;
    private transient AttentionModule.Forward lastForward;
    /** The module input of {@link #lastForward}, so that a snapshot can rebuild it. */
    private double[][] lastTokens;
    private Modulation used;
    private double rho;
    /** Running maximum of ρ, for {@code meta.scaleFloor}. */
    private double rhoMax;
    private double usedRho;
    private Adam scaleAdam;
    private boolean[] usedExcluded;
    private long metaSteps;
    /** Consecutive meta-steps undone because they made the module non-finite. */
    private int rejectedMetaSteps;
    private final Map<String, Double> metrics = new LinkedHashMap<>();

    public MetaAdamWController(MetaAdamWConfig config) {
        this.config = config;
        this.outputMap = OutputMap.of(config);
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
        this.metaAdam = new Adam(module.numWeights(), config.metaLearningRate(), 0.9, 0.999, 1e-8, config.metaL2());
        this.huw = new Huw(config.priorities(), config.paperHuw(), config.huwLearningRate());
        this.scaleAdam = new Adam(1, config.metaScaleLearningRate(), 0.9, 0.999, 1e-8, 0.0);
        this.rho = 0;
        this.rhoMax = 0;
        this.usedRho = 0;
        this.used = Modulation.neutral(G);
        this.usedExcluded = new boolean[G];
        this.lastForward = null;
        this.metaSteps = 0;
        metrics.put("scale", rho);
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
        usedExcluded = new boolean[groups.count()];
        metrics.put("scale", rho);
        return handOut(Modulation.neutral(groups.count()));
    }

    /** Records {@code m} as the modulation the next round applies, with its per-group metrics. */
    private Modulation handOut(Modulation m) {
        used = m;
        for (int g = 0; g < m.groups(); g++) {
            metrics.put("alpha." + g, m.alpha(g));
            metrics.put("beta." + g, m.beta(g));
        }
        return m;
    }

    @Override
    public boolean usesValidation() {
        return true;
    }

    @Override
    public boolean wantsValidation(long round) {
        return round >= 1 && round % config.metaInterval() == 0;
    }

    /** gv0 enters only the alignment term and the averaged-step estimate; the default objective needs neither. */
    @Override
    public boolean usesStartGradient() {
        return config.metaTerms()[MetaObjective.ALIGNMENT] || config.averagedStepEstimate();
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
        boolean[] bad = s.nonFiniteGroups();
        double[][] tokens = FeatureSet.tokens(s.features(), config.paperFeatureMode(), bad);
        AttentionModule.Forward forward = null;
        if (lastForward != null && wantsValidation(round) && s.hasMetaSignals()) {
            // the meta-step is undone when it leaves the module's weights or outputs non-finite
            double[] w0 = module.weights().clone();
            Adam.State a0 = metaAdam.state(), s0 = scaleAdam.state(), h0 = huw.adam().state();
            double[] lv0 = huw.logVariances();
            double rho0 = rho, rhoMax0 = rhoMax;
            long steps0 = metaSteps;
            metaStep(s, bad);
            AttentionModule.Forward f = module.forward(tokens);
            if (!finite(module.weights()) || !finite(f.logits())) {
                System.arraycopy(w0, 0, module.weights(), 0, w0.length);
                metaAdam.restore(a0);
                scaleAdam.restore(s0);
                huw.restore(lv0, h0);
                rho = rho0;
                rhoMax = rhoMax0;
                metaSteps = steps0;
                metrics.put("meta.steps", (double) metaSteps);   // diagnostics count only the steps kept
                rejectedMetaSteps++;
                LOG.warn("round {}: the meta-step made the attention module's weights or outputs non-finite and was undone ({} in a row); "
                        + "lower {} (now {})", round, rejectedMetaSteps, MetaAdamWConf.META_LEARNING_RATE.key(), config.metaLearningRate());
                if (rejectedMetaSteps >= config.maxNonFiniteRounds()) {
                    throw new IllegalStateException(rejectedMetaSteps + " meta-steps in a row made the attention module non-finite; lower "
                            + MetaAdamWConf.META_LEARNING_RATE.key() + " (now " + config.metaLearningRate() + ")");
                }
            } else {
                rejectedMetaSteps = 0;
                forward = f;
            }
        }
        lastForward = forward != null ? forward : module.forward(tokens);
        lastTokens = tokens;
        usedRho = rho;
        Modulation next = outputMap.apply(lastForward.logits(), usedRho);
        int nBad = 0;
        for (boolean b : bad) {
            nBad += b ? 1 : 0;
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
        usedExcluded = bad;
        handOut(next);
        metrics.put("nonFiniteGroups", (double) nBad);
        return next;
    }

    private void metaStep(RoundSummary s, boolean[] bad) {
        if (!Double.isFinite(s.lossValStart()) || !Double.isFinite(s.lossValEnd()) || !Double.isFinite(s.lossTrain())) {
            LOG.warn("meta-step skipped: non-finite losses (L_val start {}, end {}, L_tr {})",
                    s.lossValStart(), s.lossValEnd(), s.lossTrain());
            return;
        }
        int G = groups.count();
        boolean[] exclude = new boolean[G];
        for (int g = 0; g < G; g++) {
            exclude[g] = bad[g] || usedExcluded[g];
        }
        double[] a0 = used.alphas(), b0 = used.betas();
        double[] l1 = new double[G], l2 = new double[G];
        for (int g = 0; g < G; g++) {
            l1[g] = used.lambda1(g);
            l2[g] = used.lambda2(g);
        }
        MetaObjective.Terms terms = MetaObjective.evaluate(s, a0, b0, a0, b0, l1, l2, exclude, config.paperAlignment());
        double[] w = huw.weights();
        boolean[] use = config.metaTerms();
        for (int i = 0; i < w.length; i++) {
            w[i] = use[i] ? w[i] : 0.0;
        }
        double[] dMod = new double[G * ModuleShape.OUTPUTS];
        for (int i = 0; i < MetaObjective.TERMS; i++) {
            double[] gi = terms.grads()[i];
            for (int j = 0; j < dMod.length; j++) {
                dMod[j] += w[i] * gi[j];
            }
        }
        for (int g = 0; g < G; g++) {
            metrics.put("metaGrad.alpha." + g, dMod[g * ModuleShape.OUTPUTS]);
            metrics.put("metaGrad.beta." + g, dMod[g * ModuleShape.OUTPUTS + 1]);
            for (int i = 0; i < MetaObjective.TERMS; i++) {
                metrics.put("dAlpha." + TERM_NAMES[i] + "." + g, w[i] * terms.grads()[i][g * ModuleShape.OUTPUTS]);
            }
        }
        double[] dLogits = outputMap.backward(lastForward.logits(), usedRho, dMod);
        double[] gpsi = module.backward(lastForward, dLogits);
        double gRho = OutputMap.scaleGradient(dLogits, exclude);
        for (double v : gpsi) {
            if (!Double.isFinite(v)) {
                LOG.warn("meta-step skipped: non-finite meta-gradient");
                return;
            }
        }
        metaAdam.step(module.weights(), gpsi);
        if (outputMap.isLog() && config.metaScaleLearningRate() > 0 && Double.isFinite(gRho)) {
            double[] r = {rho};
            scaleAdam.step(r, new double[]{gRho});
            rho = Math.max(Math.log(config.alphaMin()), Math.min(Math.log(config.alphaMax()), r[0]));
            rhoMax = Math.max(rhoMax, rho);
            if (config.metaScaleFloor() > 1) {
                // limits the greedy annealing: never more than scaleFloor below the largest scale reached
                rho = Math.max(rho, rhoMax - Math.log(config.metaScaleFloor()));
            }
        }
        metrics.put("scale", rho);
        metrics.put("metaGrad.scale", gRho);
        huw.update(terms.values());
        metaSteps++;
        double[] v = terms.values();
        metrics.put("meta.alignment", v[MetaObjective.ALIGNMENT]);
        metrics.put("meta.lossDecrease", v[MetaObjective.LOSS_DECREASE]);
        metrics.put("meta.gap", v[MetaObjective.GAP]);
        double[] hw = huw.weights();
        metrics.put("huw.weight.alignment", hw[0]);
        metrics.put("huw.weight.lossDecrease", hw[1]);
        metrics.put("huw.weight.gap", hw[2]);
        metrics.put("meta.steps", (double) metaSteps);
    }

    @Override
    public Map<String, Double> metrics() {
        return Map.copyOf(metrics);
    }

    /** The attention module (live). */
    public AttentionModule module() {
        return module;
    }

    public Huw huw() {
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
                        used.lambda1s(), used.lambda2s(), usedExcluded.clone()));
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
