package org.metaadamw.train;

import org.deeplearning4j.nn.api.Model;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.meta.MetaState;
import org.metaadamw.update.AdamWState;
import org.metaadamw.update.Modulation;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The one contract of the project's trainers: {@link LocalMetaAdamWTrainer} (one JVM, {@code D} =
 * a {@code DataSetIterator}) and {@code org.metaadamw.spark.SparkMetaAdamW} (Spark, {@code D} = a
 * {@code JavaRDD<DataSet>} of minibatches). Both run the same rounds (algorithm.md section 5); with
 * one worker they give the same parameters.
 *
 * <p>Accessors return copies or immutable values; the network passed to the constructor is the one
 * trained, in place. Driver-side; not thread-safe.
 *
 * @param <D> the training data type
 */
public interface MetaAdamWTrainer<D> {

    /**
     * Trains for {@code epochs} passes over {@code train}.
     *
     * @param validation validation data, or null to hold out 1 in {@code spark.metaadamw.validationHoldout}
     *                   training minibatches for the meta-signals
     * @return the trained network (the instance given to the constructor)
     */
    Model fit(D train, D validation, int epochs);

    /** Called on the driver after every round, with that round's record. */
    MetaAdamWTrainer<D> onRound(Consumer<RoundRecord> listener);

    /** The network being trained (the instance given to the constructor). */
    Model network();

    /** The resolved configuration the trainer runs with. */
    MetaAdamWConfig config();

    /** The parameter groups (immutable). */
    ParamGroups groups();

    /** The multipliers of the next round (immutable). */
    Modulation modulation();

    /** The controller's name ({@code spark.metaadamw.controller}). */
    String controllerName();

    /** A copy of the controller's latest diagnostics (meta-loss terms, HUW weights, ρ, ...). */
    Map<String, Double> controllerMetrics();

    /** A snapshot of the MetaAdamW controller's state, or null for the other controllers. */
    MetaState metaState();

    /** A copy of the AdamW state; when the controller's workers run MADA ({@code mada}), MADA's m, v and step count. */
    AdamWState adamState();

    /** Per-round history so far; unmodifiable. */
    List<RoundRecord> history();
}
