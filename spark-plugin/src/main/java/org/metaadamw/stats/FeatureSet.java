package org.metaadamw.stats;

import java.util.Locale;

/**
 * The per-group feature columns (the attention module's input tokens, algorithm.md section 3)
 * and their transformation on the driver.
 *
 * <p>Columns, in order: 0 gradient norm, 1 first-moment norm, 2 parameter norm, 3 cos(gradient,
 * first moment), 4 second-moment norm, 5 normalized time t/T (basic, 6); 6-8 standard deviations
 * of the gradient, parameter and first-moment values over the group's flattened parameters
 * (basic+, 9); 9-10 variances of gradient and parameters, 11-12 sparsity (fraction of exact
 * zeros) of gradient and parameters, 13 log parameter count, 14 bias ratio, 15 normalized depth
 * (enhanced, 16, plus a learned group embedding inside the module).
 */
public final class FeatureSet {
    private FeatureSet() {
    }

    public static final int GRAD_NORM = 0, MOMENT_NORM = 1, PARAM_NORM = 2, COS_GRAD_MOMENT = 3, SECOND_MOMENT_NORM = 4,
            TIME = 5, GRAD_STD = 6, PARAM_STD = 7, MOMENT_STD = 8, GRAD_VAR = 9, PARAM_VAR = 10, GRAD_SPARSITY = 11,
            PARAM_SPARSITY = 12, LOG_COUNT = 13, BIAS_RATIO = 14, DEPTH = 15;

    /** Non-negative magnitudes: log-transformed in the normalized mode. */
    private static final boolean[] MAGNITUDE = {true, true, true, false, true, false, true, true, true, true, true,
            false, false, false, false, false};

    /** The feature versions of the paper. */
    public enum Version {
        BASIC(6, false), BASIC_PLUS(9, false), ENHANCED(16, true);

        private final int columns;
        private final boolean embedding;

        Version(int columns, boolean embedding) {
            this.columns = columns;
            this.embedding = embedding;
        }

        public int columns() {
            return columns;
        }

        /** Whether the module adds a learned per-group embedding to the tokens. */
        public boolean learnedEmbedding() {
            return embedding;
        }

        /** The version the configuration's {@code features} names. */
        public static Version of(org.metaadamw.config.MetaAdamWConfig cfg) {
            Version v = fromName(cfg.features());
            if (v.columns != cfg.featureColumns()) {
                throw new IllegalStateException("feature version " + v + " has " + v.columns + " columns, the configuration says " + cfg.featureColumns());
            }
            return v;
        }

        public static Version fromName(String name) {
            return switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "basic" -> BASIC;
                case "basic+", "basic_plus", "basicplus" -> BASIC_PLUS;
                case "enhanced" -> ENHANCED;
                default -> throw new IllegalArgumentException(
                        "features must be one of basic, basic+, enhanced (got '" + name + "')");
            };
        }
    }

    /**
     * The module's input tokens from raw feature means.
     *
     * @param raw     G×F raw means
     * @param paper   true: raw values as they are (the paper's mode); false: log(x + 1e-12) of magnitudes, then a
     *                z-score of every column across the valid groups, except t/T which stays raw (a column
     *                that is equal for every group would otherwise vanish)
     * @param exclude groups whose values are not finite: they get an all-zero token and take no part in
     *                the z-score statistics
     */
    public static double[][] tokens(double[][] raw, boolean paper, boolean[] exclude) {
        int G = raw.length, F = G == 0 ? 0 : raw[0].length;
        double[][] t = new double[G][F];
        tokens(raw, paper, exclude, t);
        return t;
    }

    /**
     * {@link #tokens(double[][], boolean, boolean[])} into {@code t}, which must have the shape of {@code raw}
     * (G rows of F); every value of {@code t} is overwritten. Lets the driver reuse one buffer per round.
     *
     * @throws IllegalArgumentException when the shapes differ
     */
    public static void tokens(double[][] raw, boolean paper, boolean[] exclude, double[][] t) {
        int G = raw.length, F = G == 0 ? 0 : raw[0].length;
        if (t.length != G) {
            throw new IllegalArgumentException("token buffer has " + t.length + " rows for " + G + " groups");
        }
        for (int g = 0; g < G; g++) {
            if (t[g].length != F) {
                throw new IllegalArgumentException("token buffer row " + g + " has " + t[g].length + " columns for " + F + " features");
            }
            if (exclude[g]) {
                java.util.Arrays.fill(t[g], 0.0);
                continue;
            }
            for (int j = 0; j < F; j++) {
                double v = raw[g][j];
                t[g][j] = !paper && MAGNITUDE[j] ? Math.log(Math.max(v, 0) + 1e-12) : v;
            }
        }
        if (paper) {
            return;
        }
        for (int j = 0; j < F; j++) {
            if (j == TIME) {
                continue;
            }
            double mean = 0;
            int n = 0;
            for (int g = 0; g < G; g++) {
                if (!exclude[g]) {
                    mean += t[g][j];
                    n++;
                }
            }
            if (n == 0) {
                continue;
            }
            mean /= n;
            double var = 0;
            for (int g = 0; g < G; g++) {
                if (!exclude[g]) {
                    var += (t[g][j] - mean) * (t[g][j] - mean);
                }
            }
            double std = Math.sqrt(var / n);
            for (int g = 0; g < G; g++) {
                if (!exclude[g]) {
                    t[g][j] = std > 1e-12 ? (t[g][j] - mean) / std : 0.0;
                }
            }
        }
    }
}
