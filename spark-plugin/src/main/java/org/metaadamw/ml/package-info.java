/**
 * Spark ML: {@link org.metaadamw.ml.MetaAdamWEstimator} and {@link org.metaadamw.ml.MetaAdamWModel}
 * on DataFrames (a {@code MultiLayerConfiguration} or a single-input, single-output
 * {@code ComputationGraphConfiguration}; flat, convolutional or recurrent features, or a
 * {@link org.metaadamw.ml.BatchConverter}), with every {@code spark.metaadamw.*} setting as a Param
 * and save/load; {@link org.metaadamw.ml.Minibatches} for users who drive the RDD trainer
 * themselves. Everything else in the package is internal (package-private). Rows become minibatches
 * and predictions on the executors.
 */
package org.metaadamw.ml;
