/**
 * The Spark runtime: {@link org.metaadamw.spark.SparkMetaAdamW} (the RDD trainer: rounds of K local
 * AdamW steps on the executors, parameter averaging in a fixed order, the controller's step on the
 * driver, checkpoints) and {@link org.metaadamw.spark.MetaAdamWPlugin} (the class named in
 * {@code spark.plugins}: validates the configuration at start-up and publishes the metrics).
 *
 * <p>API: {@code SparkMetaAdamW}, {@code MetaAdamWPlugin}, {@code DriverMetrics} (a trainer's
 * read-only round figures, {@code SparkMetaAdamW.metrics()}). Internal (public for Spark's plugin
 * loader): {@code MetaAdamWDriverPlugin}, {@code MetaAdamWExecutorPlugin}, {@code ExecutorMetrics}; the round's data layout, broadcast and task function are
 * package-private.
 */
package org.metaadamw.spark;
