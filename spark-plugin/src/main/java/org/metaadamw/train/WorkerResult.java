package org.metaadamw.train;

import org.metaadamw.stats.RoundStatistics;
import org.metaadamw.update.AdamWState;
import org.metaadamw.update.HypergradientSum;
import org.metaadamw.update.L3rsState;
import org.metaadamw.update.LstmState;
import org.metaadamw.update.MadaState;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one worker returns from one round: its parameters and optimizer state (for averaging) and its
 * statistics and hypergradients (summed across workers).
 *
 * @param params    θ_end, flat
 * @param state     Adam state after the local steps (null when the worker ran MADA)
 * @param stats     features, meta-signals, losses
 * @param steps     local steps taken (&lt;= K; fewer at the end of the data)
 * @param finite    whether params and the optimizer state are free of NaN/Inf
 * @param mada      MADA state after the local steps (null when the worker ran AdamW)
 * @param hypergradients the summed one-step hypergradients of MADA's coefficients ({@link HypergradientSum#EMPTY} for AdamW)
 * @param l3rs      L3RS state after the local steps (null unless the worker ran L3RS)
 * @param lstm      LSTM state after the local steps (null unless the worker ran the LSTM rule)
 */
public record WorkerResult(INDArray params, AdamWState state, RoundStatistics stats, int steps, boolean finite, MadaState mada,
                           HypergradientSum hypergradients, L3rsState l3rs, LstmState lstm) {

    /** The result of an AdamW, MADA or L3RS round. */
    public WorkerResult(INDArray params, AdamWState state, RoundStatistics stats, int steps, boolean finite, MadaState mada,
                        HypergradientSum hypergradients, L3rsState l3rs) {
        this(params, state, stats, steps, finite, mada, hypergradients, l3rs, null);
    }

    /** The result of an AdamW round. */
    public WorkerResult(INDArray params, AdamWState state, RoundStatistics stats, int steps, boolean finite) {
        this(params, state, stats, steps, finite, null, HypergradientSum.EMPTY, null);
    }

    /** The result of an AdamW or MADA round. */
    public WorkerResult(INDArray params, AdamWState state, RoundStatistics stats, int steps, boolean finite, MadaState mada,
                        HypergradientSum hypergradients) {
        this(params, state, stats, steps, finite, mada, hypergradients, null);
    }
}
