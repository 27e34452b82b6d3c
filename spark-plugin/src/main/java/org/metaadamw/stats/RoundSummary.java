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
 * @param averagedStepSq per group ‖Δ̄_g‖², the squared norm of the step actually applied (the average of the
 *                     workers' steps), measured by the driver; null when not measured
 * @param traceSq      per group ‖μe_g‖², the squared norm of the trace of earlier steps the workers were sent
 *                     this round ({@code meta.traceDecay}), measured by the driver; null without a trace
 */
public record RoundSummary(double[][] features, double[][] signals, double lossValStart, double lossValEnd,
                           double lossTrain, long workers, double[] averagedStepSq, double[] traceSq) {

    public RoundSummary(double[][] features, double[][] signals, double lossValStart, double lossValEnd,
                        double lossTrain, long workers) {
        this(features, signals, lossValStart, lossValEnd, lossTrain, workers, null, null);
    }

    /** The same summary with the driver's measurement of ‖Δ̄_g‖². */
    public RoundSummary withAveragedStep(double[] sq) {
        return new RoundSummary(features, signals, lossValStart, lossValEnd, lossTrain, workers, sq, traceSq);
    }

    /** The same summary with the driver's measurement of ‖μe_g‖². */
    public RoundSummary withTrace(double[] sq) {
        return new RoundSummary(features, signals, lossValStart, lossValEnd, lossTrain, workers, averagedStepSq, sq);
    }

    /**
     * c ∈ [−1, 1]: Σ_g {@link #lossSlope(int)} ÷ (‖gv1‖ (‖Δ‖ + ‖μe‖)), norms over the groups not excluded
     * (worker means of ‖gv1_g‖² and ‖Δ_g‖²; the trace's from the driver). By Cauchy–Schwarz |c| ≤ 1; without a
     * trace it is the cosine of gv1 and the round's step. Negative: a longer step would have lowered the
     * validation loss. 0 when a norm is 0 or no meta-signals were sent.
     */
    public double scaleCosine(boolean[] exclude) {
        return scaleCosine(exclude, false);
    }

    /**
     * Estimate of ⟨∇L_val(θ_r + Δ̄), Δ̄⟩_g for the averaged step Δ̄ from the workers' own signals
     * (docs/algorithm.md, "averaged-step estimate"): ⟨gv0, Δ⟩ + κ_g⟨gv1 − gv0, Δ⟩ with
     * κ_g = ‖Δ̄_g‖² / mean_w ‖Δ_w,g‖². The linear part averages exactly; the curvature part of a
     * worker's own step carries all of its minibatch noise, of which averaging keeps about the share
     * κ_g. With one worker (or without a measurement) this is ⟨gv1, Δ⟩_g itself.
     */
    public double averagedStepSlope(int g) {
        double[] x = signals[g];
        if (averagedStepSq == null || !(x[RoundStatistics.Signal.DELTA_SQ] > 0)) {
            return x[RoundStatistics.Signal.GV1_DELTA];
        }
        double kappa = Math.min(1.0, averagedStepSq[g] / x[RoundStatistics.Signal.DELTA_SQ]);
        double linear = x[RoundStatistics.Signal.GV0_DELTA];
        return linear + kappa * (x[RoundStatistics.Signal.GV1_DELTA] - linear);
    }

    /**
     * c ∈ [−1, 1]: the mean of two cosines, Σ_g {@link #averagedStepSlope(int)} ÷ (‖gv1‖ ‖Δ‖) for the round's step
     * and Σ_g ⟨gv1, μe⟩_g ÷ (‖gv1‖ ‖μe‖) for the trace, each clipped to [−1, 1], norms over the groups not excluded;
     * the step's cosine alone without a trace. Unlike {@link #scaleCosine(boolean[])} the round's step keeps half
     * the weight however short it is next to the trace. 0 when no meta-signals were sent.
     */
    public double balancedScaleCosine(boolean[] exclude) {
        return scaleCosine(exclude, true);
    }

    /** Both signals from one pass over the groups; the joint sum adds lossSlope(g) group by group. */
    private double scaleCosine(boolean[] exclude, boolean balanced) {
        if (signals == null) {
            return 0;
        }
        double num = 0, step = 0, trace = 0, g2 = 0, d2 = 0, e2 = 0;
        for (int g = 0; g < signals.length; g++) {
            if (exclude != null && exclude[g]) {
                continue;
            }
            double[] x = signals[g];
            double a = averagedStepSlope(g), t = x[RoundStatistics.Signal.GV1_TRACE];
            num += a + t; // lossSlope(g), summed in the same order
            step += a;
            trace += t;
            g2 += x[RoundStatistics.Signal.GV1_SQ];
            d2 += x[RoundStatistics.Signal.DELTA_SQ];
            e2 += traceSq == null ? 0 : traceSq[g];
        }
        if (!balanced) {
            double den = Math.sqrt(g2) * (Math.sqrt(d2) + Math.sqrt(e2));
            return den > 0 && Double.isFinite(den) ? Math.max(-1, Math.min(1, num / den)) : 0;
        }
        double cs = cosine(step, g2, d2), ce = cosine(trace, g2, e2);
        return e2 > 0 ? 0.5 * (cs + ce) : cs;
    }

    private static double cosine(double dot, double a2, double b2) {
        double den = Math.sqrt(a2) * Math.sqrt(b2);
        return den > 0 && Double.isFinite(den) ? Math.max(-1, Math.min(1, dot / den)) : 0;
    }

    /**
     * The slope the loss-decrease term differentiates: {@link #averagedStepSlope(int)} plus
     * ⟨gv1, μe⟩_g, the first-order effect of having scaled the traced earlier steps too
     * ({@code meta.traceDecay}; zero when off).
     */
    public double lossSlope(int g) {
        return averagedStepSlope(g) + signals[g][RoundStatistics.Signal.GV1_TRACE];
    }

    public int groups() {
        return features.length;
    }

    public boolean hasMetaSignals() {
        return signals != null;
    }

    /** Per group: true when any of its features or signals is NaN or infinite. */
    public boolean[] nonFiniteGroups() {
        return nonFiniteGroups(new boolean[features.length]);
    }

    /** {@link #nonFiniteGroups()} into {@code bad} (one entry per group, overwritten), which it returns. */
    public boolean[] nonFiniteGroups(boolean[] bad) {
        if (bad.length != features.length) {
            throw new IllegalArgumentException("buffer for " + bad.length + " groups, the summary has " + features.length);
        }
        java.util.Arrays.fill(bad, false);
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
