/**
 * The five benchmark tasks on real data (forecasting, language model, translation, image,
 * sentiment): their models, splits and metrics, and their minibatches prepared as Parquet for the
 * executors ({@link org.metaadamw.examples.tasks.PreparedData}).
 */
package org.metaadamw.examples.tasks;
