package org.metaadamw.examples.tasks;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Selects one channel of a [b, C, T] index input for an embedding layer. Used instead of a
 * SubsetVertex because DL4J's graph cannot backpropagate into a vertex whose only consumer is an
 * embedding layer (those return no input gradient); two embedding layers reading the network input
 * directly, each through its own preprocessor, are supported. Token ids have no gradient, so
 * {@link #backprop} returns null, as the embedding layers do.
 */
public final class ChannelSelect implements InputPreProcessor {
    private static final long serialVersionUID = 1L;
    private int channel;

    public ChannelSelect() {
    }

    public ChannelSelect(int channel) {
        this.channel = channel;
    }

    public int getChannel() {
        return channel;
    }

    public void setChannel(int channel) {
        this.channel = channel;
    }

    @Override
    public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        INDArray sel = input.get(NDArrayIndex.all(), NDArrayIndex.interval(channel, channel + 1), NDArrayIndex.all());
        return workspaceMgr.dup(ArrayType.ACTIVATIONS, sel, 'c');
    }

    @Override
    public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        return null;
    }

    @Override
    public InputPreProcessor clone() {
        return new ChannelSelect(channel);
    }

    @Override
    public InputType getOutputType(InputType inputType) {
        InputType.InputTypeRecurrent r = (InputType.InputTypeRecurrent) inputType;
        return InputType.recurrent(1, r.getTimeSeriesLength());
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState, int minibatchSize) {
        return new Pair<>(maskArray, currentMaskState);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelSelect c && c.channel == channel;
    }

    @Override
    public int hashCode() {
        return channel;
    }
}
