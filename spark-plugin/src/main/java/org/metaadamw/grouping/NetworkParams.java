package org.metaadamw.grouping;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Reads the parameter tensors of a DL4J {@link MultiLayerNetwork} or {@link ComputationGraph} and
 * locates each in the flattened parameter vector, refusing configurations whose semantics
 * MetaAdamW would silently change.
 */
public final class NetworkParams {
    private NetworkParams() {
    }

    /**
     * The network's parameter tensors in flattened order.
     *
     * @throws IllegalArgumentException if the network is of another type, is not initialised, has no
     *                                  trainable parameter, or configures DL4J regularization or gradient
     *                                  normalization (MetaAdamW applies its own decoupled weight decay;
     *                                  the message names the layer and what to remove)
     */
    public static List<ParamTensor> inspect(Model net) {
        org.deeplearning4j.nn.api.Layer[] layers;
        boolean graph;
        if (net instanceof MultiLayerNetwork mln) {
            layers = mln.getLayers();
            graph = false;
        } else if (net instanceof ComputationGraph cg) {
            layers = cg.getLayers();
            graph = true;
        } else {
            throw new IllegalArgumentException("MetaAdamW trains a MultiLayerNetwork or a ComputationGraph (got "
                    + (net == null ? "null" : net.getClass().getName()) + ")");
        }
        if (layers == null || net.params() == null) {
            throw new IllegalArgumentException("the network is not initialised: call init() before training");
        }
        long base = net.params().offset();
        List<ParamTensor> out = new ArrayList<>();
        for (int i = 0; i < layers.length; i++) {
            org.deeplearning4j.nn.api.Layer layer = layers[i];
            Layer conf = layer.conf().getLayer();
            String layerName = graph ? conf.getLayerName() : String.valueOf(i);
            Map<String, INDArray> table = layer.paramTable(false);
            if (table == null || table.isEmpty()) {
                continue;
            }
            GradientNormalization gn = conf.getGradientNormalization();
            if (gn != null && gn != GradientNormalization.None) {
                throw new IllegalArgumentException("layer '" + layerName + "' uses gradient normalization " + gn
                        + ", which MetaAdamW does not apply: remove gradientNormalization(...) from its configuration");
            }
            LayerKind kind = LayerKind.of(conf);
            for (Map.Entry<String, INDArray> e : table.entrySet()) {
                String key = e.getKey();
                List<Regularization> reg = conf.getRegularizationByParam(key);
                if (reg != null && !reg.isEmpty()) {
                    throw new IllegalArgumentException("layer '" + layerName + "' parameter '" + key + "' has DL4J regularization "
                            + reg + ": MetaAdamW applies its own decoupled weight decay (spark.metaadamw.weightDecay); "
                            + "remove l1/l2/weightDecay from the network configuration");
                }
                boolean trainable = !(conf.getUpdaterByParam(key) instanceof NoOp);
                boolean bias = kind == LayerKind.NORMALIZATION || LayerKind.unwrap(conf) instanceof BatchNormalization
                        || conf.initializer().isBiasParam(conf, key);
                INDArray arr = e.getValue();
                out.add(new ParamTensor(layerName + "_" + key, layerName, i, layers.length, kind, key,
                        arr.offset() - base, arr.length(), bias, trainable, layer.updaterDivideByMinibatch(key)));
            }
        }
        out.sort(Comparator.comparingLong(ParamTensor::offset));
        long expect = 0;
        for (ParamTensor t : out) {
            if (t.offset() != expect) {
                throw new IllegalStateException("parameter " + t.name() + " starts at " + t.offset() + ", expected " + expect
                        + ": the flattened parameter layout is not what MetaAdamW expects");
            }
            expect += t.length();
        }
        if (expect != net.numParams()) {
            throw new IllegalStateException("parameter tensors cover " + expect + " of " + net.numParams() + " parameters");
        }
        if (out.stream().noneMatch(ParamTensor::trainable)) {
            throw new IllegalArgumentException("the network has no trainable parameters: nothing for MetaAdamW to optimise");
        }
        return out;
    }
}
