package org.metaadamw.meta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.metaadamw.config.MetaAdamWConf;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.stats.RoundSummary;
import org.metaadamw.update.HypergradientSum;
import org.metaadamw.update.MadaCoefficients;
import org.metaadamw.update.MadaCoefficients.Coefficient;
import org.metaadamw.update.Modulation;
import org.metaadamw.update.UpdateRule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code mada}: the workers run MADA (Ozkara et al., ICML 2024; docs/mada.md), whose coefficients
 * (β1, β2, β3, ρ, c, γ) this controller learns by hypergradient descent. Each round the workers
 * take their K local MADA steps with the coefficients of {@link #updateRule()} and return the sum
 * of their one-step hypergradients (K − 1 signals each: the step before the first one of a round
 * was taken at other, not yet averaged, parameters); the driver takes one projected step
 * {@link MadaCoefficients#hyperStep} on their mean, with the {@code mada.learningRate.*} rates. The
 * paper steps every iteration; one step per round on the mean of the round's signals is the
 * distributed form (the official code averages over data-parallel workers too).
 *
 * <p>The start ({@code mada.initial}) is a named corner with β1, β2 = {@code beta1}, {@code beta2}
 * clamped into MADA's ranges; one global set, or one per group ({@code mada.coefficients = group}).
 * A hypergradient sum that holds NaN/Inf is not used: the coefficient step is skipped with a
 * warning (counted in the metric {@code mada.skippedNonFinite}) and the coefficients stay. A
 * rolled-back round keeps the coefficients too. The multipliers are always neutral (MADA has no
 * per-group α, β), no validation passes and no statistics pass are made.
 *
 * <p>Driver-only; not thread-safe.
 */
final class MadaController implements ModulationController {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MadaController.class);

    private final MetaAdamWConfig cfg;
    private final double[] rates;
    private MadaCoefficients coefficients;
    private int groups = -1;
    private long skippedNonFinite;
    private long lastSignals;
    private final Map<String, Double> metrics = new LinkedHashMap<>();

    MadaController(MetaAdamWConfig cfg) {
        this.cfg = cfg;
        this.rates = cfg.madaLearningRates();
    }

    @Override
    public String name() {
        return "mada";
    }

    /**
     * The coefficients training starts from: the corner {@code mada.initial} with β1, β2 from
     * {@code beta1}, {@code beta2} projected onto [0.01, 0.99] and [0.501, 0.99], repeated per group
     * when {@code mada.coefficients = group}.
     */
    static MadaCoefficients initialCoefficients(MetaAdamWConfig cfg, int groups) {
        double b1 = Coefficient.BETA1.project(cfg.beta1()), b2 = Coefficient.BETA2.project(cfg.beta2());
        MadaCoefficients k = switch (cfg.madaInitial()) {
            case "adam" -> MadaCoefficients.adam(b1, b2);
            case "avgrad" -> MadaCoefficients.avgrad(b1, b2);
            case "yogi" -> MadaCoefficients.yogi(b1, b2);
            case "adan" -> MadaCoefficients.adan(b1, b2, 0.92);
            case "lion" -> MadaCoefficients.global(b1, b2, 0, 1, 1, 0);
            default -> throw new IllegalArgumentException(MetaAdamWConf.MADA_INITIAL.key() + " must be one of adam, avgrad, yogi, adan, lion (got "
                    + cfg.madaInitial() + ")");
        };
        return cfg.madaPerGroup() ? k.perGroupCopy(groups) : k;
    }

    @Override
    public Modulation initial(ParamGroups g) {
        groups = g.count();
        coefficients = initialCoefficients(cfg, groups);
        if (cfg.beta1() != coefficients.get(0, Coefficient.BETA1) || cfg.beta2() != coefficients.get(0, Coefficient.BETA2)) {
            LOG.info("mada: beta1 = {}, beta2 = {} lie outside MADA's ranges {} and {}; MADA starts at β1 = {}, β2 = {}", cfg.beta1(), cfg.beta2(),
                    Coefficient.BETA1.range(), Coefficient.BETA2.range(), coefficients.get(0, Coefficient.BETA1),
                    coefficients.get(0, Coefficient.BETA2));
        }
        if (cfg.averagingFrequency() < 2) {
            LOG.warn("mada: with {} = 1 a round has no step after its first one, so the workers send no hypergradient and the "
                    + "coefficients stay at their start", MetaAdamWConf.AVERAGING_FREQUENCY.key());
        }
        publish();
        return Modulation.neutral(groups);
    }

    private void requireInitialised() {
        if (coefficients == null) {
            throw new IllegalStateException("initial(groups) must be called first");
        }
    }

    @Override
    public boolean usesValidation() {
        return false;
    }

    @Override
    public boolean usesStatistics() {
        return false;
    }

    @Override
    public boolean usesStartGradient() {
        return false;
    }

    /** MADA with the coefficients of the next round and the fixed Lion betas. */
    @Override
    public UpdateRule updateRule() {
        requireInitialised();
        return UpdateRule.mada(coefficients, cfg.madaLionBeta1(), cfg.madaLionBeta2());
    }

    /** The coefficients of the next round (immutable). */
    MadaCoefficients coefficients() {
        requireInitialised();
        return coefficients;
    }

    @Override
    public Modulation next(RoundSummary summary, long round, long totalRounds) {
        return next(summary, HypergradientSum.EMPTY, round, totalRounds);
    }

    @Override
    public Modulation next(RoundSummary summary, HypergradientSum h, long round, long totalRounds) {
        requireInitialised();
        lastSignals = h.contributions();
        if (!h.isEmpty()) {
            if (!h.isFinite()) {
                skippedNonFinite++;
                LOG.warn("round {}: the workers' MADA hypergradients hold NaN/Inf ({} signals); the coefficient step is skipped, "
                        + "the coefficients stay {}", round, h.contributions(), coefficients);
            } else {
                coefficients = coefficients.hyperStep(h.sum(), h.contributions(), rates);
            }
        }
        publish();
        return Modulation.neutral(groups);
    }

    /** Neutral multipliers; the coefficients stay (the rolled-back round's hypergradients are discarded with it). */
    @Override
    public Modulation rolledBack(long round) {
        requireInitialised();
        lastSignals = 0;
        publish();
        return Modulation.neutral(groups);
    }

    private void publish() {
        for (int s = 0; s < coefficients.sets(); s++) {
            for (Coefficient k : Coefficient.values()) {
                String name = "mada." + k.name().toLowerCase(Locale.ROOT) + (coefficients.isGlobal() ? "" : "." + s);
                metrics.put(name, coefficients.get(s, k));
            }
        }
        metrics.put("mada.signals", (double) lastSignals);
        metrics.put("mada.skippedNonFinite", (double) skippedNonFinite);
    }

    /** The coefficients per set, in {@link Coefficient} order, ({@code mada.beta1}, ... for global ones, {@code mada.beta1.g} per group). */
    @Override
    public Map<String, Double> metrics() {
        return Map.copyOf(metrics);
    }

    /** {"coefficients": [[β1, β2, β3, ρ, c, γ], ...], "skippedNonFinite": n, "lastSignals": n} (the last two for the metrics). */
    @Override
    public String saveState(long round) {
        requireInitialised();
        ObjectMapper json = new ObjectMapper();
        ObjectNode o = json.createObjectNode();
        ArrayNode sets = o.putArray("coefficients");
        for (double[] set : coefficients.toArray()) {
            ArrayNode a = sets.addArray();
            for (double x : set) {
                a.add(x);
            }
        }
        o.put("skippedNonFinite", skippedNonFinite);
        o.put("lastSignals", lastSignals);
        return o.toString();
    }

    @Override
    public void restoreState(String state) {
        requireInitialised();
        JsonNode o;
        try {
            o = new ObjectMapper().readTree(state);
        } catch (IOException e) {
            throw new IllegalArgumentException("mada state is not JSON: " + e.getMessage(), e);
        }
        JsonNode sets = o == null ? null : o.get("coefficients");
        if (sets == null || !sets.isArray() || sets.size() != coefficients.sets()) {
            throw new IllegalArgumentException("mada state must hold " + coefficients.sets() + " coefficient set(s) ("
                    + MetaAdamWConf.MADA_COEFFICIENTS.key() + " = " + (coefficients.isGlobal() ? "global" : "group") + "), got "
                    + (sets == null ? "none" : sets.size()));
        }
        double[][] v = new double[sets.size()][];
        for (int s = 0; s < v.length; s++) {
            JsonNode row = sets.get(s);
            v[s] = new double[row.size()];
            for (int k = 0; k < v[s].length; k++) {
                v[s][k] = row.get(k).asDouble();
            }
        }
        coefficients = MadaCoefficients.of(v);   // checks the lengths and the ranges
        skippedNonFinite = o.path("skippedNonFinite").asLong(0);
        lastSignals = o.path("lastSignals").asLong(0);
        publish();
    }

    @Override
    public ModulationController copy() {
        return new MadaController(cfg);
    }
}
