package org.metaadamw.grouping;

import java.io.Serializable;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One parameter tensor of a DL4J network, located in the flattened parameter vector.
 *
 * @param name              DL4J's gradient key, {@code <layer>_<param>} (for example {@code 0_W})
 * @param layerName         the layer's name (its index for a MultiLayerNetwork)
 * @param layerIndex        position among the network's layers (topological order for a graph)
 * @param layerCount        number of layers in the network
 * @param kind              the layer kind
 * @param paramKey          DL4J's parameter key inside the layer ({@code W}, {@code b}, {@code RW}, ...)
 * @param offset            first index in the flattened parameter vector
 * @param length            number of scalars
 * @param bias              a bias vector or a normalization gain/shift
 * @param trainable         updated by gradient steps; false for DL4J's no-op-updater parameters such as
 *                          batch-normalization running statistics (their "gradient" is the update itself)
 * @param divideByMinibatch whether DL4J's raw gradient of this tensor is a sum over the minibatch
 */
public record ParamTensor(String name, String layerName, int layerIndex, int layerCount, LayerKind kind,
                          String paramKey, long offset, long length, boolean bias, boolean trainable,
                          boolean divideByMinibatch) implements Serializable {

    /**
     * Depth bucket by thirds of the normalized depth {@link #depth()}: 0 shallow, 1 middle, 2 deep.
     * The first layer is always shallow and the last always deep.
     */
    public int depthBucket() {
        return Math.min(2, (int) Math.floor(3.0 * depth()));
    }

    /** Normalized depth in [0, 1]. */
    public double depth() {
        return layerCount <= 1 ? 0.0 : (double) layerIndex / (layerCount - 1);
    }

    /** This tensor's index range [offset, offset + length) in the flattened parameter vector. */
    public INDArrayIndex range() {
        return NDArrayIndex.interval(offset, offset + length);
    }

    /** This tensor's part of a flat vector laid out like the network's parameters: a view, writes go through. */
    public INDArray view(INDArray flat) {
        return flat.get(range());
    }
}
