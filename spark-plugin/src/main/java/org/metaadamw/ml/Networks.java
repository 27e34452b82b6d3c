package org.metaadamw.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.metaadamw.train.NetModel;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The two kinds of DL4J network the Spark ML stages take, a {@code MultiLayerNetwork} and a
 * single-input, single-output {@code ComputationGraph}, behind one set of helpers: configuration JSON,
 * a fresh network, its {@link NetworkSpec}, inference, and the model zip.
 */
final class Networks {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Networks() {
    }

    /**
     * A configuration as the stages keep it (its JSON): exactly one of the two is non-null.
     */
    record Conf(MultiLayerConfiguration layers, ComputationGraphConfiguration graph) {
        static Conf parse(String json) {
            if (json == null || json.isBlank()) {
                throw new IllegalArgumentException("network is not set: call setNetwork(MultiLayerConfiguration or "
                        + "ComputationGraphConfiguration) or set the network Param to its JSON");
            }
            JsonNode tree;
            try {
                tree = JSON.readTree(json);
            } catch (IOException e) {
                throw new IllegalArgumentException("network: not JSON (" + e.getMessage() + ")", e);
            }
            try {
                if (tree.has("vertices")) {
                    return new Conf(null, ComputationGraphConfiguration.fromJson(json));
                }
                if (tree.has("confs")) {
                    return new Conf(MultiLayerConfiguration.fromJson(json), null);
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("network: not a valid DL4J configuration JSON (" + e.getMessage() + ")", e);
            }
            throw new IllegalArgumentException("network: neither a MultiLayerConfiguration JSON (no \"confs\") nor a "
                    + "ComputationGraphConfiguration JSON (no \"vertices\")");
        }

        NetworkSpec spec() {
            return layers != null ? NetworkSpec.of(layers) : NetworkSpec.of(graph);
        }

        /** A new, initialised network of this configuration. */
        Model create() {
            if (layers != null) {
                MultiLayerNetwork n = new MultiLayerNetwork(layers.clone());
                n.init();
                return n;
            }
            ComputationGraph g = new ComputationGraph(graph.clone());
            g.init();
            return g;
        }
    }

    static NetworkSpec spec(Model net) {
        return net instanceof MultiLayerNetwork m ? NetworkSpec.of(m.getLayerWiseConfigurations())
                : NetworkSpec.of(((ComputationGraph) net).getConfiguration());
    }

    /** Inference (test mode) on one minibatch of features. */
    static INDArray output(Model net, INDArray features) {
        return net instanceof MultiLayerNetwork m ? m.output(features, false) : ((ComputationGraph) net).outputSingle(false, features);
    }

    static Model copy(Model net) {
        return net instanceof MultiLayerNetwork m ? m.clone() : ((ComputationGraph) net).clone();
    }

    /** The network as a DL4J model zip (no updater state: the AdamW state is saved beside it). */
    static byte[] zip(Model net) {
        try {
            return NetModel.zip(net);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the network", e);
        }
    }

    /** A network from a model zip written by {@link #zip}, of whichever kind the zip's configuration is. */
    static Model restore(byte[] zip) throws IOException {
        boolean graph = false;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.getName().equals("configuration.json")) {
                    graph = JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8)).has("vertices");
                    break;
                }
            }
        }
        return NetModel.unzip(zip, graph);
    }
}
