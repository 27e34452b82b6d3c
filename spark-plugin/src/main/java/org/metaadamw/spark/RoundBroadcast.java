package org.metaadamw.spark;

import org.metaadamw.update.Modulation;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;

/**
 * Everything a partition needs for one round besides its data: θ_r, the Adam state, m_r and the
 * round's coordinates. Broadcast once per round, destroyed after the round's aggregation.
 *
 * @param roundInEpoch     which K-slice of each partition's training minibatches this round uses
 * @param validationCursor index of the validation minibatch to use (modulo the partition's count),
 *                         or -1 for a round without validation passes
 * @param trace            μ·e, the driver's step trace ({@code meta.traceDecay}); null when off or on a round
 *                         without validation passes
 * @param statistics       whether the controller reads the per-group statistics (else workers send the losses only)
 * @param startGradient    whether the controller reads gv0 (else the first validation pass is forward only)
 * @param trainingSignals  a meta round whose signals come from the local steps ({@code meta.signal=training}):
 *                         no validation passes, the trace is read
 */
record RoundBroadcast(INDArray params, INDArray m, INDArray v, long step, Modulation modulation, long round,
                      int roundInEpoch, long validationCursor, double timeFraction, long roundSeed, INDArray trace,
                      boolean statistics, boolean startGradient, boolean trainingSignals) implements Serializable {
}
