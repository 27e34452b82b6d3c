package org.metaadamw.meta;

import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.stats.RoundSummary;
import org.metaadamw.update.HypergradientSum;
import org.metaadamw.update.Modulation;
import org.metaadamw.update.UpdateRule;

import java.io.Serializable;
import java.util.Map;

/**
 * The driver step of a round (algorithm.md sections 5 and 7): aggregated per-group statistics in,
 * next modulation out, with its own state.
 *
 * <p>Lifecycle: {@link #initial} once before round 0, then after every round, in round order,
 * either {@link #next} (the round was applied) or {@link #rolledBack} (its result held NaN/Inf and
 * was discarded). The controller is the one owner of the modulation: what it returns is exactly
 * what the next round applies, so any meta-step it takes differentiates around values that were
 * really used. Implementations live on the driver, are called from one thread and must be
 * serializable (their state is checkpointed).
 */
public interface ModulationController extends Serializable {

    /** Short name as used in {@code spark.metaadamw.controller}. */
    String name();

    /** The modulation of round 0, before any statistics exist. */
    Modulation initial(ParamGroups groups);

    /**
     * The modulation of round {@code round + 1}, given the statistics of round {@code round}.
     *
     * @param totalRounds the planned number of rounds (for t/T), &gt;= 1
     */
    Modulation next(RoundSummary summary, long round, long totalRounds);

    /**
     * The modulation of round {@code round + 1}, given the statistics of round {@code round} and the
     * summed one-step hypergradients the workers' update rule returned ({@link HypergradientSum#EMPTY}
     * unless {@link #updateRule()} is MADA's). This is the method the trainers call; the default
     * ignores the hypergradients and calls {@link #next(RoundSummary, long, long)}.
     */
    default Modulation next(RoundSummary summary, HypergradientSum hypergradients, long round, long totalRounds) {
        return next(summary, round, totalRounds);
    }

    /**
     * The update rule the workers run in the next round (after {@link #initial}, {@link #next} or
     * {@link #rolledBack}). Its kind must stay the same for the whole run. The default, what every
     * controller but {@code mada} and {@code l3rs} uses: AdamW with the controller's per-group multipliers.
     */
    default UpdateRule updateRule() {
        return UpdateRule.adamW();
    }

    /**
     * Round {@code round} was rolled back: its statistics are discarded and nothing refers to it any
     * more. Returns the modulation of the next round (a safe one: trainers document "neutral
     * multipliers after a rollback"), which the controller must treat as the one applied.
     */
    Modulation rolledBack(long round);

    /**
     * Whether this controller ever asks for validation passes. When it does not, trainers hold out
     * no training minibatches for validation.
     */
    default boolean usesValidation() {
        return false;   // agrees with wantsValidation's default: a controller that wants validation passes overrides both
    }

    /**
     * Whether {@link #next} reads the per-group features and meta-signals of its summary. When it
     * does not, workers skip the statistics pass over the parameters (a full read of θ, m, v and the
     * gradients per round) and send zeros in their place; the losses are sent either way.
     */
    default boolean usesStatistics() {
        return true;
    }

    /**
     * Whether {@link #next} reads the signals of the validation gradient at the round's start, gv0
     * (‖gv0‖², ⟨gv0, gv1⟩, ⟨gv0, Δ⟩). When it does not, the first validation pass of a round is a
     * forward pass only, for L_val(θ_r), and those signals are zero. The default is the safe one.
     */
    default boolean usesStartGradient() {
        return true;
    }

    /** Whether workers should run the two validation passes in round {@code round}. */
    default boolean wantsValidation(long round) {
        return false;
    }

    /**
     * The controller's full state as text (JSON), for checkpoints: after {@link #initial} on the same
     * groups, {@link #restoreState} of this text makes the controller continue exactly as this one
     * would. Stateless controllers return an empty string.
     *
     * @param round the index of the next round (provenance)
     */
    default String saveState(long round) {
        return "";
    }

    /** Restores what {@link #saveState} wrote; call after {@link #initial}. Refuses a state it cannot use, naming why. */
    default void restoreState(String state) {
        if (!state.isEmpty()) {
            throw new IllegalArgumentException("controller " + name() + " keeps no state, but the checkpoint holds one");
        }
    }

    /** Latest scalar metrics (meta-loss terms, HUW weights, ...), for logs and metric sinks. */
    default Map<String, Double> metrics() {
        return Map.of();
    }

    /** Same configuration, fresh state. */
    ModulationController copy();
}
