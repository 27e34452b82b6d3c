package org.metaadamw.train;

import org.metaadamw.stats.RoundStatistics;
import org.metaadamw.update.AdamWState;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one worker returns from one round: its parameters and Adam state (for averaging) and its
 * statistics (summed across workers).
 *
 * @param params    θ_end, flat
 * @param state     Adam state after the local steps
 * @param stats     features, meta-signals, losses
 * @param steps     local steps taken (&lt;= K; fewer at the end of the data)
 * @param finite    whether params and Adam state are free of NaN/Inf
 */
public record WorkerResult(INDArray params, AdamWState state, RoundStatistics stats, int steps, boolean finite) {
}
