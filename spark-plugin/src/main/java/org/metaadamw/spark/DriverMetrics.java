package org.metaadamw.spark;

import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.train.RoundRecord;
import org.metaadamw.update.Modulation;

import java.util.Map;

/**
 * The latest round figures of the trainer running on one SparkContext, read by the gauges of
 * {@link MetaAdamWDriverPlugin}. One instance per SparkContext ({@link #of}), so two applications in
 * one JVM (tests, notebooks) never mix; the trainer that starts last on a context is the one its
 * gauges report. Written by the training thread, read by metric reporters: every field is replaced
 * atomically (volatile).
 */
public final class DriverMetrics {
    private static final java.util.Map<org.apache.spark.SparkContext, DriverMetrics> BY_CONTEXT = new java.util.WeakHashMap<>();

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

    private DriverMetrics() {
    }

    /** The metrics of {@code sc} (created on first use; dropped with the context). */
    public static DriverMetrics of(org.apache.spark.SparkContext sc) {
        synchronized (BY_CONTEXT) {
            return BY_CONTEXT.computeIfAbsent(sc, k -> new DriverMetrics());
        }
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

    public int groups() {
        return groups;
    }

    public String controller() {
        return controller;
    }

    public double alpha(int g) {
        double[] a = alpha;
        return g < a.length ? a[g] : Double.NaN;
    }

    public double beta(int g) {
        double[] b = beta;
        return g < b.length ? b[g] : Double.NaN;
    }

    public double controllerMetric(String name) {
        return controllerMetrics.getOrDefault(name, Double.NaN);
    }

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

    public long rounds() {
        return rounds;
    }
}
