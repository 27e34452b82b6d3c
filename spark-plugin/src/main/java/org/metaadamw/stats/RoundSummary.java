package org.metaadamw.stats;

/**
 * Worker-averaged statistics of one round, as the driver's controller sees them.
 *
 * @param features     G×F raw feature means (section 3)
 * @param signals      G×{@link RoundStatistics.Signal#COUNT} meta-signal means (section 5), or null when no worker ran the validation passes
 * @param lossValStart mean L_val(θ_r) (NaN without validation passes)
 * @param lossValEnd   mean L_val(θ_end) (NaN without validation passes)
 * @param lossTrain    mean loss of the last training minibatch
 * @param workers      worker results averaged
 */
public record RoundSummary(double[][] features, double[][] signals, double lossValStart, double lossValEnd,
                           double lossTrain, long workers) {

    public int groups() {
        return features.length;
    }

    public boolean hasMetaSignals() {
        return signals != null;
    }

    /** Per group: true when any of its features or signals is NaN or infinite. */
    public boolean[] nonFiniteGroups() {
        boolean[] bad = new boolean[features.length];
        for (int g = 0; g < features.length; g++) {
            for (double v : features[g]) {
                bad[g] |= !Double.isFinite(v);
            }
            if (signals != null) {
                for (double v : signals[g]) {
                    bad[g] |= !Double.isFinite(v);
                }
            }
        }
        return bad;
    }
}
