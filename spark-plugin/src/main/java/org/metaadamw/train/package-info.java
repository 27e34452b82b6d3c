/**
 * Training: the trainer contract {@link org.metaadamw.train.MetaAdamWTrainer} shared by the Spark
 * trainer and the single-JVM {@link org.metaadamw.train.LocalMetaAdamWTrainer} (same {@code fit},
 * same accessors, copies only), the per-round {@link org.metaadamw.train.RoundRecord}, and
 * {@link org.metaadamw.train.NonFiniteTrainingException}.
 *
 * <p>Internal, public only because the Spark runtime package uses them (no compatibility promise):
 * the round engine ({@code RoundCoordinator}, {@code RoundWorker}, {@code WorkerResult},
 * {@code NetModel}, {@code Holdout}, {@code MinibatchOrder}) and the checkpoint format ({@code CheckpointStore},
 * {@code TrainerCheckpoints}).
 */
package org.metaadamw.train;
