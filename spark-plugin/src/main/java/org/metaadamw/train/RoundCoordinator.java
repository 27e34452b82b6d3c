package org.metaadamw.train;

import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.meta.ModulationController;
import org.metaadamw.stats.RoundStatistics;
import org.metaadamw.update.AdamWState;
import org.metaadamw.update.HypergradientSum;
import org.metaadamw.update.L3rsState;
import org.metaadamw.update.LstmState;
import org.metaadamw.update.MadaState;
import org.metaadamw.update.Modulation;
import org.metaadamw.update.UpdateRule;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The driver side of the round loop (algorithm.md section 5 steps 3-5), shared by every trainer:
 * accepts the (averaged) parameters, optimizer state (Adam's, or MADA's or L3RS's when the controller's update rule is
 * one of those) and summed statistics of a round, rolls the round
 * back when they hold NaN/Inf, runs the controller and keeps the history.
 *
 * <p>Driver-only; not thread-safe.
 */
public final class RoundCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(RoundCoordinator.class);

    private final MetaAdamWConfig cfg;
    private final ParamGroups groups;
    private final ModulationController controller;
    private final List<RoundRecord> history = new ArrayList<>();
    private Modulation modulation;
    /** The kind of update rule the controller declared after {@code initial}; it must not change. */
    private final UpdateRule.Kind ruleKind;
    private int consecutiveNonFinite;
    private long round;
    /** μ·e with e = Σ_(j≥1) μ^(j−1) Δ̄_(r−j), the decayed trace of applied steps; null while off or empty. */
    private INDArray trace;
    /** The current fit call: its first round and the round after its last; a restored unfinished call's start (-1: none). */
    private long fitStart, fitEnd, resumedFitStart = -1;

    public RoundCoordinator(MetaAdamWConfig cfg, ParamGroups groups, ModulationController controller) {
        this.cfg = cfg;
        this.groups = groups;
        this.controller = controller;
        this.modulation = controller.initial(groups);
        this.ruleKind = controller.updateRule().kind();
    }

    /** The workers' update rule of the next round ({@link ModulationController#updateRule()}; immutable). */
    public UpdateRule updateRule() {
        return controller.updateRule();
    }

    private void checkRuleKind() {
        if (controller.updateRule().kind() != ruleKind) {
            throw new IllegalStateException("controller " + controller.name() + " changed its update rule from " + ruleKind + " to "
                    + controller.updateRule().kind() + " (the kind must stay the same for a whole run)");
        }
    }

    /** The modulation of the next round. */
    public Modulation modulation() {
        return modulation;
    }

    /** Index of the next round. */
    public long round() {
        return round;
    }

    /** Whether the controller reads the workers' per-group statistics ({@link ModulationController#usesStatistics()}). */
    public boolean usesStatistics() {
        return controller.usesStatistics();
    }

    /** Whether the controller reads the start-of-round validation gradient ({@link ModulationController#usesStartGradient()}). */
    public boolean usesStartGradient() {
        return controller.usesStartGradient();
    }

    public boolean wantsValidation() {
        return controller.wantsValidation(round);
    }

    /** Whether the next round makes validation passes: the controller wants meta-signals and takes them from validation data. */
    public boolean validationRound() {
        return wantsValidation() && controller.usesValidation();
    }

    /**
     * Whether the next round is a meta round whose signals come from the local steps ({@code meta.signal=training}):
     * the controller wants meta-signals, makes no validation passes and reads the statistics.
     */
    public boolean trainingSignalRound() {
        return wantsValidation() && !controller.usesValidation() && controller.usesStatistics();
    }

    public ModulationController controller() {
        return controller;
    }

    public ParamGroups groups() {
        return groups;
    }

    /** A copy of the controller's latest metrics. */
    public java.util.Map<String, Double> controllerMetrics() {
        return java.util.Map.copyOf(controller.metrics());
    }

    /** A snapshot of the MetaAdamW controller's state, or null for the other controllers. */
    public org.metaadamw.meta.MetaState metaState() {
        return controller instanceof org.metaadamw.meta.MetaAdamWController c ? c.snapshot(round) : null;
    }

    public List<RoundRecord> history() {
        return Collections.unmodifiableList(history);
    }

    /**
     * {@code meta.traceScale=current}: each group's part of the trace times α_g(next) ÷ α_g(applied), so that the
     * earlier steps count as if they had been taken at the multiplier the next round applies; with {@code shrink}
     * ({@code shrinkOnly}) the factor is at most 1, so earlier steps shorten with the multiplier but never grow.
     */
    private void rescaleTrace(Modulation applied, Modulation next, boolean shrinkOnly) {
        var tensors = groups.tensors();
        for (int ti = 0; ti < tensors.size(); ti++) {
            var t = tensors.get(ti);
            int g = groups.groupOfTensor(ti);
            if (g < 0) {
                continue; // a non-trainable tensor: its part of the step, and of the trace, is zero
            }
            double ratio = next.alpha(g) / applied.alpha(g);
            if (shrinkOnly) {
                ratio = Math.min(1, ratio);
            }
            if (ratio != 1 && Double.isFinite(ratio)) {
                t.view(trace).muli(ratio);
            }
        }
    }

    /** Per group ‖d‖² of a flat vector (the averaged step Δ̄ of a round). */
    private double[] groupSquaredNorms(INDArray d) {
        double[] out = new double[groups.count()];
        var tensors = groups.tensors();
        for (int ti = 0; ti < tensors.size(); ti++) {
            var t = tensors.get(ti);
            int g = groups.groupOfTensor(ti);
            if (g < 0) {
                continue; // non-trainable: in no group
            }
            INDArray part = t.view(d);
            double n = part.norm2Number().doubleValue();
            out[g] += n * n;
        }
        return out;
    }

    /**
     * μ·e, the decayed trace of the steps applied in earlier rounds ({@code meta.traceDecay}), for the
     * loss-decrease hypergradient of the next round; null when the setting is off or no round was
     * applied since the start or the last rollback. A copy: callers may broadcast it.
     */
    public INDArray trace() {
        return trace == null ? null : trace.dup();
    }

    /** Adds the applied step Δ̄ (flat; consumed) to the trace: μe ← μ(Δ̄ + μe). */
    private void updateTrace(INDArray step) {
        double mu = cfg.metaTraceDecay();
        trace = trace == null ? step.muli(mu) : trace.addi(step).muli(mu);
    }

    /**
     * Starts a fit call of {@code totalRounds} rounds: the one a restored checkpoint was taken in, if
     * it was unfinished, else a new one from the current round.
     *
     * @return how many rounds of the call are already done (0 unless it continues a checkpointed call)
     */
    public long beginFit(long totalRounds) {
        long start = resumedFitStart >= 0 ? resumedFitStart : round;
        resumedFitStart = -1;
        fitStart = start;
        fitEnd = start + totalRounds;
        return round - start;
    }

    /** The first round of the current fit call if it is unfinished, else -1 (for checkpoints). */
    private long pendingFitStart() {
        return round < fitEnd ? fitStart : -1;
    }

    /**
     * The coordinator's state besides the parameters and the Adam state, for checkpoints.
     *
     * @param trace         μ·e, or null
     * @param fitStartRound first round of the fit call the state was taken in, or -1 when that call had finished
     */
    public record State(long round, int consecutiveNonFinite, Modulation modulation, INDArray trace, String controllerState,
                        List<RoundRecord> history, long fitStartRound) {
    }

    /** A copy of the coordinator's state (with the controller's) at the start of round {@link #round()}. */
    public State snapshot() {
        return new State(round, consecutiveNonFinite, modulation, trace(), controller.saveState(round), List.copyOf(history),
                pendingFitStart());
    }

    /**
     * Continues from {@code s}: the controller (after {@code initial}) takes its saved state, and the
     * next round is {@code s.round()} with the saved modulation.
     */
    public void restore(State s) {
        if (s.modulation().groups() != groups.count()) {
            throw new IllegalArgumentException("checkpoint has " + s.modulation().groups() + " parameter groups, the network has " + groups.count());
        }
        controller.restoreState(s.controllerState());
        round = s.round();
        consecutiveNonFinite = s.consecutiveNonFinite();
        modulation = s.modulation();
        trace = s.trace() == null ? null : s.trace().dup();
        history.clear();
        history.addAll(s.history());
        resumedFitStart = s.fitStartRound();
    }

    /**
     * Fails when every round of the current fit call was rolled back: such a run never took a finite
     * step, and its network is the untrained one (it must not be reported as a result).
     */
    public void requireProgress() {
        long fromRound = fitStart;
        long n = 0, rolled = 0;
        for (RoundRecord r : history) {
            if (r.round() >= fromRound) {
                n++;
                rolled += r.rolledBack() ? 1 : 0;
            }
        }
        if (n > 0 && rolled == n) {
            throw new NonFiniteTrainingException("all " + n + " rounds from round " + fromRound + " on were rolled back (NaN/Inf): "
                    + "the network never took a finite step. Lower spark.metaadamw.learningRate (now " + cfg.learningRate()
                    + ") or check the data for NaN/Inf.");
        }
    }

    /** Round seed: a pure function of the configured seed and the round index. */
    public long roundSeed() {
        return cfg.seed() * 0x9E3779B97F4A7C15L + round * 0xBF58476D1CE4E5B9L;
    }

    /**
     * Finishes the current round.
     *
     * @param params  the driver's parameter vector, to receive the averaged parameters (flat view)
     * @param state   the driver's Adam state, to receive the averaged state
     * @param avgParams averaged θ_end
     * @param avgState  averaged Adam state
     * @param stats   summed statistics of all workers
     * @param finite  whether every worker's result was finite
     * @return true when the round was applied, false when it was rolled back
     * @throws NonFiniteTrainingException after {@code maxNonFiniteRounds} consecutive rollbacks
     */
    public boolean finishRound(INDArray params, AdamWState state, INDArray avgParams, AdamWState avgState,
                               RoundStatistics stats, boolean finite, int epoch, int steps, long totalRounds,
                               double seconds) {
        if (updateRule().kind() != UpdateRule.Kind.ADAMW) {
            throw new IllegalStateException("controller " + controller.name() + " runs " + updateRule().kind()
                    + ": finish its rounds with finish" + (updateRule().isMada() ? "Mada" : updateRule().isLstm() ? "Lstm" : "L3rs") + "Round");
        }
        return finish(params, avgParams, () -> state.assign(avgState), HypergradientSum.EMPTY, stats, finite, epoch, steps,
                totalRounds, seconds);
    }

    /**
     * Finishes a round of a controller whose workers run MADA ({@link #updateRule()}): as
     * {@link #finishRound}, with the MADA state in place of the Adam state, and the workers' summed
     * hypergradients handed to the controller's step.
     *
     * @param state          the driver's MADA state, to receive the averaged state
     * @param avgState       averaged MADA state
     * @param hypergradients the workers' hypergradient sums, summed
     */
    public boolean finishMadaRound(INDArray params, MadaState state, INDArray avgParams, MadaState avgState,
                                   HypergradientSum hypergradients, RoundStatistics stats, boolean finite, int epoch, int steps,
                                   long totalRounds, double seconds) {
        if (!updateRule().isMada()) {
            throw new IllegalStateException("controller " + controller.name() + " runs " + updateRule().kind()
                    + ": finish its rounds with " + (updateRule().isL3rs() ? "finishL3rsRound" : "finishRound"));
        }
        return finish(params, avgParams, () -> state.assign(avgState), hypergradients, stats, finite, epoch, steps, totalRounds,
                seconds);
    }

    /**
     * Finishes a round of a controller whose workers run L3RS ({@link #updateRule()}): as
     * {@link #finishRound}, with the L3RS state (Adam's m, v and the SGD momentum) in place of the Adam state.
     *
     * @param state    the driver's L3RS state, to receive the averaged state
     * @param avgState averaged L3RS state
     */
    public boolean finishL3rsRound(INDArray params, L3rsState state, INDArray avgParams, L3rsState avgState, RoundStatistics stats,
                                   boolean finite, int epoch, int steps, long totalRounds, double seconds) {
        if (!updateRule().isL3rs()) {
            throw new IllegalStateException("controller " + controller.name() + " runs " + updateRule().kind()
                    + ": finish its rounds with " + (updateRule().isMada() ? "finishMadaRound" : "finishRound"));
        }
        return finish(params, avgParams, () -> state.assign(avgState), HypergradientSum.EMPTY, stats, finite, epoch, steps, totalRounds,
                seconds);
    }

    /**
     * Finishes a round of a controller whose workers run the coordinatewise LSTM ({@link #updateRule()}): as
     * {@link #finishRound}, with the LSTM state (hidden and cell states per coordinate) in place of the Adam state.
     */
    public boolean finishLstmRound(INDArray params, LstmState state, INDArray avgParams, LstmState avgState, RoundStatistics stats,
                                   boolean finite, int epoch, int steps, long totalRounds, double seconds) {
        if (!updateRule().isLstm()) {
            throw new IllegalStateException("controller " + controller.name() + " runs " + updateRule().kind()
                    + ": it has no LSTM rounds");
        }
        return finish(params, avgParams, () -> state.assign(avgState), HypergradientSum.EMPTY, stats, finite, epoch, steps, totalRounds,
                seconds);
    }

    private boolean finish(INDArray params, INDArray avgParams, Runnable assignState, HypergradientSum hypergradients,
                           RoundStatistics stats, boolean finite, int epoch, int steps, long totalRounds, double seconds) {
        Modulation used = modulation;
        boolean ok = finite && RoundWorker.isFinite(avgParams);
        if (!ok) {
            consecutiveNonFinite++;
            LOG.warn("round {}: NaN/Inf in the parameters or {} state; round rolled back, neutral multipliers next ({} of {} allowed in a row)",
                    round, ruleKind == UpdateRule.Kind.ADAMW ? "Adam" : ruleKind.name(), consecutiveNonFinite, cfg.maxNonFiniteRounds());
            if (consecutiveNonFinite >= cfg.maxNonFiniteRounds()) {
                throw new NonFiniteTrainingException("training produced NaN/Inf in " + consecutiveNonFinite
                        + " consecutive rounds (up to round " + round + "); the parameters hold the last finite state. "
                        + "Lower spark.metaadamw.learningRate (now " + cfg.learningRate() + ") or check the data for NaN/Inf.");
            }
            modulation = controller.rolledBack(round);
            checkRuleKind();
            trace = null; // the steps before a divergence say nothing about the next ones
            history.add(new RoundRecord(round, epoch, steps, Double.NaN, Double.NaN, Double.NaN, used.alphas(), used.betas(),
                    true, seconds, controller.metrics()));
            round++;
            return false;
        }
        consecutiveNonFinite = 0;
        var summary = stats.summarize();
        boolean measure = cfg.averagedStepEstimate() && summary.hasMetaSignals(), traced = cfg.metaTraceDecay() > 0;
        if (measure || traced) {
            INDArray step = avgParams.sub(params).reshape(avgParams.length());   // Δ̄, the applied step
            if (measure) {
                summary = summary.withAveragedStep(groupSquaredNorms(step));
            }
            if (traced) {
                if (trace != null && summary.hasMetaSignals() && cfg.cosineGlobalScale()) {
                    summary = summary.withTrace(groupSquaredNorms(trace));   // the μe this round's workers were sent
                }
                updateTrace(step);
            }
        }
        params.assign(avgParams);
        assignState.run();
        modulation = controller.next(summary, hypergradients, round, Math.max(1, totalRounds));
        checkRuleKind();
        if (trace != null && cfg.rescaledTrace()) {
            rescaleTrace(used, modulation, cfg.shrinkOnlyTrace());
        }
        history.add(new RoundRecord(round, epoch, steps, summary.lossTrain(), summary.lossValStart(), summary.lossValEnd(),
                used.alphas(), used.betas(), false, seconds, controller.metrics()));
        round++;
        return true;
    }
}
