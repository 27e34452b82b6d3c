package org.metaadamw.train;

import java.util.Map;

/**
 * One row of the training history.
 *
 * @param round        round index from 0
 * @param epoch        epoch index from 0
 * @param steps        local steps per worker in this round
 * @param lossTrain    mean loss of the workers' last training minibatch
 * @param lossValStart mean L_val(θ_r) (NaN when the round had no validation passes)
 * @param lossValEnd   mean L_val(θ_end) (NaN likewise)
 * @param alpha        α per group used in this round
 * @param beta         β per group used in this round
 * @param rolledBack   the round produced NaN/Inf and was undone
 * @param seconds      wall time of the round on the driver, in seconds
 * @param metrics      the controller's metrics after the round
 */
public record RoundRecord(long round, int epoch, int steps, double lossTrain, double lossValStart, double lossValEnd,
                          double[] alpha, double[] beta, boolean rolledBack, double seconds, Map<String, Double> metrics) {
}
