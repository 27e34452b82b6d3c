package org.metaadamw.ml;

import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.metaadamw.config.ConfigEntry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Params shared by {@link MetaAdamWEstimator} and {@link MetaAdamWModel}: the columns, the
 * training loop's own settings, the network, and one Param per {@code spark.metaadamw.*} key.
 * Created per stage (a Param belongs to one uid).
 */
final class StageParams {
    final Param<String> featuresCol, labelCol, predictionCol, probabilityCol, network, batchConverter;
    final IntParam epochs, batchSize;
    final IntArrayParam featuresShape;
    final Map<ConfigEntry<?>, Param<?>> registry;
    private final Param<?>[] all;

    StageParams(org.apache.spark.ml.param.Params owner) {
        String uid = owner.uid();
        featuresCol = new Param<>(uid, "featuresCol",
                "features column: an ml Vector or an array of float/double, as long as the network's input (flattened for convolutional inputs)");
        labelCol = new Param<>(uid, "labelCol",
                "label column: for a classifier (softmax output with MCXENT or negative log-likelihood loss) the class index 0..nOut-1; "
                        + "for a regressor a number (nOut = 1) or a Vector/array of nOut numbers");
        predictionCol = new Param<>(uid, "predictionCol", "prediction column: class index (classifier), value or Vector (regressor)");
        probabilityCol = new Param<>(uid, "probabilityCol", "class probability column (classifiers only): the network's softmax output as an ml Vector");
        network = new Param<>(uid, "network", "the DL4J network to train: a MultiLayerConfiguration or a ComputationGraphConfiguration "
                + "with one input and one output, as JSON (toJson())");
        featuresShape = new IntArrayParam(owner, "featuresShape", "shape of one row's features, e.g. [channels, height, width] for a "
                + "convolutional input (NCHW) or [features, timeSteps] for a recurrent one (NCW, DL4J's default); the features column "
                + "holds the values flat, in row-major order of that shape; empty (the default): a flat vector");
        batchConverter = new Param<>(uid, "batchConverter", "class name of a BatchConverter (public, with a public no-argument "
                + "constructor) that turns rows into minibatches, for data the column conventions do not cover; when set, "
                + "featuresCol, labelCol and featuresShape are not used");
        epochs = new IntParam(uid, "epochs", "passes over the training data (>= 1)", ParamValidators.gtEq(1));
        batchSize = new IntParam(uid, "batchSize", "rows per minibatch, formed on the executors within each partition (>= 1)", ParamValidators.gtEq(1));
        registry = RegistryParams.create(owner);
        List<Param<?>> l = new ArrayList<>(List.of(featuresCol, labelCol, predictionCol, probabilityCol, network, featuresShape, batchConverter, epochs, batchSize));
        l.addAll(registry.values());
        all = l.toArray(new Param<?>[0]);
    }

    Param<?>[] all() {
        return all.clone();
    }

    @SuppressWarnings("unchecked")
    <T> Param<T> of(ConfigEntry<T> e) {
        return (Param<T>) registry.get(e);
    }
}
