package org.metaadamw.grouping;

import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LearnedSelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.LocallyConnected1D;
import org.deeplearning4j.nn.conf.layers.LocallyConnected2D;
import org.deeplearning4j.nn.conf.layers.RecurrentAttentionLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.misc.ElementWiseMultiplicationLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;

/** Layer kinds of the {@code fine} grouping (algorithm.md section 2). Declaration order is the group order. */
public enum LayerKind {
    EMBEDDING, ATTENTION, RECURRENT, CONVOLUTION, DENSE, NORMALIZATION, OUTPUT, OTHER;

    /** Classifies a DL4J layer configuration, looking through wrapper layers (frozen, bidirectional, ...). */
    public static LayerKind of(Layer conf) {
        Layer c = unwrap(conf);
        if (c instanceof EmbeddingLayer || c instanceof EmbeddingSequenceLayer) {
            return EMBEDDING;
        }
        if (c instanceof SelfAttentionLayer || c instanceof LearnedSelfAttentionLayer || c instanceof RecurrentAttentionLayer) {
            return ATTENTION;
        }
        if (c instanceof BaseRecurrentLayer) {
            return RECURRENT;
        }
        if (c instanceof ConvolutionLayer || c instanceof LocallyConnected1D || c instanceof LocallyConnected2D) {
            return CONVOLUTION;
        }
        if (c instanceof BatchNormalization) {
            return NORMALIZATION;
        }
        if (c instanceof BaseOutputLayer) {
            return OUTPUT;
        }
        if (c instanceof DenseLayer || c instanceof ElementWiseMultiplicationLayer) {
            return DENSE;
        }
        return OTHER;
    }

    static Layer unwrap(Layer conf) {
        Layer c = conf;
        for (int i = 0; i < 8; i++) {
            if (c instanceof FrozenLayer f) {
                c = f.getLayer();
            } else if (c instanceof Bidirectional b) {
                c = b.getFwd();
            } else if (c instanceof BaseWrapperLayer w) {
                c = w.getUnderlying();
            } else {
                break;
            }
        }
        return c;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
