/**
 * Round statistics: the per-group features and meta-signals each worker computes in one pass over
 * its parameters and gradients ({@code StatisticsExtractor}), the value Spark sums
 * ({@link org.metaadamw.stats.RoundStatistics}: immutable, with an identity and an associative,
 * commutative merge) and the driver's averaged view ({@link org.metaadamw.stats.RoundSummary}),
 * which is what a {@code ModulationController} reads.
 *
 * <p>API for controller authors: {@code RoundSummary}, {@code RoundStatistics.Signal},
 * {@code FeatureSet}. Internal (public for the workers of the
 * trainers' package): {@code StatisticsExtractor}.
 */
package org.metaadamw.stats;
