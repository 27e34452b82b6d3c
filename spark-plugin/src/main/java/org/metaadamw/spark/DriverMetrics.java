package org.metaadamw.spark;

import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.train.RoundRecord;
import org.metaadamw.update.Modulation;

import java.util.Map;

/**
 * The latest round figures of one {@link SparkMetaAdamW} trainer ({@link SparkMetaAdamW#metrics()}),
 * also read by the gauges of {@link MetaAdamWDriverPlugin} while that trainer is the last one started
 * on the plugin's SparkContext. Each trainer owns its instance, so two trainers in one JVM (tests,
 * notebooks, a cross-validation) never mix. Read-only for users: only the trainer writes it.
 *
 * <p>Threading: written by the training thread, read by any thread (metric reporters); every field is
 * replaced atomically (volatile), and arrays are never handed out.
 */
public final class DriverMetrics {

    private volatile int groups;
    private volatile String controller = "";
    private volatile double[] alpha = new double[0];
    private volatile double[] beta = new double[0];
    private volatile Map<String, Double> controllerMetrics = Map.of();
    private volatile double roundSeconds = Double.NaN;
    private volatile long statisticsBytes;
    private volatile long parameterBytes;
    private volatile long rounds;
    private volatile int workers;

    DriverMetrics() {
    }

    void start(ParamGroups g, String controllerName, long paramBytes) {
        groups = g.count();
        controller = controllerName;
        Modulation n = Modulation.neutral(g.count());
        alpha = n.alphas();
        beta = n.betas();
        parameterBytes = paramBytes;
        rounds = 0;
    }

    void update(RoundRecord r, Modulation next, long statsBytes, int nWorkers) {
        alpha = next.alphas();
        beta = next.betas();
        controllerMetrics = r.metrics();
        roundSeconds = r.seconds();
        statisticsBytes = statsBytes;
        workers = nWorkers;
        rounds = r.round() + 1;
    }

    /** Number of parameter groups of the trainer's network (0 before it started). */
    public int groups() {
        return groups;
    }

    /** The controller's name ({@code spark.metaadamw.controller}). */
    public String controller() {
        return controller;
    }

    /** α of group {@code g} in the next round (NaN for a group the network does not have). */
    public double alpha(int g) {
        double[] a = alpha;
        return g < a.length ? a[g] : Double.NaN;
    }

    /** β of group {@code g} in the next round (NaN for a group the network does not have). */
    public double beta(int g) {
        double[] b = beta;
        return g < b.length ? b[g] : Double.NaN;
    }

    /** One of the controller's metrics after the last round (NaN when it has none of that name). */
    public double controllerMetric(String name) {
        return controllerMetrics.getOrDefault(name, Double.NaN);
    }

    /** Wall time of the last round on the driver, in seconds (NaN before the first round). */
    public double roundSeconds() {
        return roundSeconds;
    }

    /** Statistics bytes of the last round, all workers together. */
    public long statisticsBytes() {
        return statisticsBytes;
    }

    /** Statistics bytes per worker ÷ parameter bytes: the meta-learning's share of the round traffic. */
    public double statisticsToParameterRatio() {
        int w = Math.max(1, workers);
        return parameterBytes == 0 ? Double.NaN : (double) statisticsBytes / w / parameterBytes;
    }

    /** Rounds completed. */
    public long rounds() {
        return rounds;
    }
}
