package org.metaadamw.meta;

import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.stats.RoundStatistics.Signal;
import org.metaadamw.stats.RoundSummary;
import org.metaadamw.update.Modulation;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code hypergradient}: per-group hypergradient descent on the learning rate in the normalized
 * multiplicative form (Baydin et al., "Online Learning Rate Adaptation with Hypergradient Descent",
 * ICLR 2018, section 2 and the multiplicative rule of its appendix), one update per meta-round from
 * the signals the workers already send:
 *
 * <pre>  ln α_g ← clamp( ln α_g − κ · ⟨gv1, Δ⟩_g / (‖gv1_g‖ ‖Δ_g‖), ln alphaMin, ln alphaMax )</pre>
 *
 * where Δ_g is the round's step of group g and gv1 the validation gradient after it: ⟨gv1, Δ⟩_g / α_g
 * is dL_val(θ_end)/dα_g to first order, so α_g grows while the step still points downhill on the
 * validation loss and shrinks once it overshoots. The paper's rule is per step on the training
 * gradient; here a "step" is a round of K local steps and the gradient is the validation gradient
 * at θ_end, which is independent of the step (the last training gradient is not: it is part of Δ).
 * β_g stays 1. κ is {@code hypergradient.rate}. With {@code meta.stepEstimate=averaged} the numerator is
 * the averaged-step estimate of {@link RoundSummary#averagedStepSlope}, as for {@code metaadamw}. The cheapest learned per-group rate, and the
 * baseline {@code metaadamw} has to beat.
 *
 * <p>Driver-only; not thread-safe.
 */
public final class HypergradientController implements ModulationController {
    private static final long serialVersionUID = 1L;

    private final MetaAdamWConfig cfg;
    private double[] logAlpha;
    private final Map<String, Double> metrics = new LinkedHashMap<>();

    public HypergradientController(MetaAdamWConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "hypergradient";
    }

    @Override
    public Modulation initial(ParamGroups groups) {
        logAlpha = new double[groups.count()];
        return current();
    }

    @Override
    public boolean usesValidation() {
        return !cfg.trainingSignals();   // meta.signal=training: the signals come from the local steps
    }

    @Override
    public boolean wantsValidation(long round) {
        return round % cfg.metaInterval() == 0;
    }

    /** The rule reads ⟨gv1, Δ⟩, ‖gv1‖² and ‖Δ‖²; gv0 only through the averaged-step estimate. */
    @Override
    public boolean usesStartGradient() {
        return cfg.averagedStepEstimate();
    }

    @Override
    public Modulation next(RoundSummary s, long round, long totalRounds) {
        if (logAlpha == null) {
            throw new IllegalStateException("initial(groups) must be called before next(...)");
        }
        if (s.groups() != logAlpha.length) {
            throw new IllegalArgumentException("statistics for " + s.groups() + " groups, controller has " + logAlpha.length);
        }
        if (s.hasMetaSignals() && wantsValidation(round)) {
            boolean[] bad = s.nonFiniteGroups();
            double lo = Math.log(cfg.alphaMin()), hi = Math.log(cfg.alphaMax());
            for (int g = 0; g < logAlpha.length; g++) {
                if (bad[g]) {
                    continue;
                }
                double[] x = s.signals()[g];
                double den = Math.sqrt(x[Signal.GV1_SQ]) * Math.sqrt(x[Signal.DELTA_SQ]);
                double cos = den > 0 ? s.averagedStepSlope(g) / den : 0.0;
                metrics.put("cos." + g, cos);
                logAlpha[g] = Math.max(lo, Math.min(hi, logAlpha[g] - cfg.hypergradientRate() * cos));
            }
        }
        return current();
    }

    /** Neutral multipliers for the next round; no α above 1 afterwards (the rolled-back step was too long or the data bad). */
    @Override
    public Modulation rolledBack(long round) {
        for (int g = 0; g < logAlpha.length; g++) {
            logAlpha[g] = Math.min(logAlpha[g], 0.0);
        }
        return Modulation.neutral(logAlpha.length);
    }

    private Modulation current() {
        int G = logAlpha.length;
        double[] a = new double[G], one = new double[G], half = new double[G];
        Arrays.fill(one, 1.0);
        Arrays.fill(half, 0.5);
        for (int g = 0; g < G; g++) {
            a[g] = Math.exp(logAlpha[g]);
            metrics.put("alpha." + g, a[g]);
        }
        return new Modulation(a, one, half, half);
    }

    @Override
    public Map<String, Double> metrics() {
        return Map.copyOf(metrics);
    }

    /** The per-group ln α as a JSON array. */
    @Override
    public String saveState(long round) {
        StringBuilder sb = new StringBuilder("[");
        for (int g = 0; g < logAlpha.length; g++) {
            sb.append(g == 0 ? "" : ",").append(Double.toString(logAlpha[g]));
        }
        return sb.append(']').toString();
    }

    @Override
    public void restoreState(String state) {
        double[] v;
        try {
            v = new com.fasterxml.jackson.databind.ObjectMapper().readValue(state, double[].class);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("hypergradient state is not a JSON array of numbers: " + e.getMessage(), e);
        }
        if (v.length != logAlpha.length) {
            throw new IllegalArgumentException("hypergradient state has " + v.length + " groups, the network has " + logAlpha.length);
        }
        logAlpha = v;
    }

    @Override
    public ModulationController copy() {
        return new HypergradientController(cfg);
    }
}
