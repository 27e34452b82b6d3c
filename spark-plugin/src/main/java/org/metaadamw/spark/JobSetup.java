package org.metaadamw.spark;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.metaadamw.config.MetaAdamWConfig;

import java.io.Serializable;
import java.util.UUID;

/**
 * What stays fixed during one {@code fit}: the network's configuration (as JSON, the form DL4J
 * itself ships) and the resolved MetaAdamW configuration. Broadcast once per fit.
 */
record JobSetup(String id, boolean graph, String networkJson, MetaAdamWConfig config, int validationHoldout,
                boolean validationGiven, int averagingFrequency, long[] trainCounts, long trainChunkSize, long[] validationCounts,
                long validationChunkSize) implements Serializable {

    /**
     * @param holdout 1 in this many minibatches of each partition is held out for validation; 0 for none
     * @param train   the layout of the training minibatches
     * @param valid   the layout of the validation minibatches (given or held out), or null
     */
    static JobSetup of(Model net, MetaAdamWConfig cfg, boolean validationGiven, int holdout, ChunkedData train, ChunkedData valid) {
        boolean graph = net instanceof ComputationGraph;
        String json = graph ? ((ComputationGraph) net).getConfiguration().toJson()
                : ((MultiLayerNetwork) net).getLayerWiseConfigurations().toJson();
        return new JobSetup(UUID.randomUUID().toString(), graph, json, cfg, holdout, validationGiven,
                cfg.averagingFrequency(), train.counts(), train.chunkSize(), valid == null ? new long[train.workers()] : valid.counts(),
                valid == null ? 1 : valid.chunkSize());
    }

    /** A fresh, initialised copy of the network (parameters are overwritten every round). */
    Model newNetwork() {
        if (graph) {
            ComputationGraph g = new ComputationGraph(ComputationGraphConfiguration.fromJson(networkJson));
            g.init();
            return g;
        }
        MultiLayerNetwork n = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(networkJson));
        n.init();
        return n;
    }
}
