package org.metaadamw.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;

/**
 * The boundary to DL4J: a {@link MultiLayerNetwork} or {@link ComputationGraph} seen as a flat
 * parameter vector with a raw-gradient oracle. DL4J's own updater is never called.
 *
 * <p>Not thread-safe (DL4J networks are not).
 */
public final class NetModel {
    private final Model net;
    private final MultiLayerNetwork mln;
    private final ComputationGraph cg;

    public NetModel(Model net) {
        this.net = net;
        this.mln = net instanceof MultiLayerNetwork m ? m : null;
        this.cg = net instanceof ComputationGraph c ? c : null;
        if (mln == null && cg == null) {
            throw new IllegalArgumentException("MetaAdamW trains a MultiLayerNetwork or a ComputationGraph (got "
                    + (net == null ? "null" : net.getClass().getName()) + ")");
        }
        if (mln != null) {
            mln.initGradientsView();
        } else {
            cg.initGradientsView();
        }
    }

    public Model network() {
        return net;
    }

    /** {@code net} as a DL4J model zip, without updater state (MetaAdamW keeps its AdamW state apart). */
    public static byte[] zip(Model net) throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        org.deeplearning4j.util.ModelSerializer.writeModel(net, bytes, false);
        return bytes.toByteArray();
    }

    /** A network from a model zip written by {@link #zip}: a ComputationGraph when {@code graph}, else a MultiLayerNetwork. */
    public static Model unzip(byte[] zip, boolean graph) throws java.io.IOException {
        java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(zip);
        return graph ? org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(in, false)
                : org.deeplearning4j.util.ModelSerializer.restoreMultiLayerNetwork(in, false);
    }

    /** The flattened parameters as a rank-1 view (writes go to the network). */
    public INDArray params() {
        INDArray p = net.params();
        return p.reshape(p.length());
    }

    /** The flattened gradient as a rank-1 view, overwritten by every {@link #computeGradient}. */
    public INDArray gradient() {
        INDArray g = mln != null ? mln.getFlattenedGradients() : cg.getFlattenedGradients();
        return g.reshape(g.length());
    }

    /**
     * Forward and backward pass on one minibatch (training mode). Leaves DL4J's raw gradient in
     * {@link #gradient()}.
     *
     * @return the minibatch's mean loss
     */
    /**
     * The minibatch's mean loss from a forward pass in training mode, without the backward pass: the
     * loss {@link #computeGradient} returns, at about a third of its cost. Leaves the gradient as it was.
     */
    public double loss(DataSet ds) {
        return loss(ds, true);
    }

    /** The minibatch's mean loss from a forward pass, in training mode (dropout on) or in inference mode. */
    public double loss(DataSet ds, boolean training) {
        org.nd4j.linalg.dataset.DataSet d = ds instanceof org.nd4j.linalg.dataset.DataSet x ? x
                : new org.nd4j.linalg.dataset.DataSet(ds.getFeatures(), ds.getLabels(), ds.getFeaturesMaskArray(), ds.getLabelsMaskArray());
        return mln != null ? mln.score(d, training) : cg.score(d, training);
    }

    public double computeGradient(DataSet ds) {
        if (mln != null) {
            mln.setInput(ds.getFeatures());
            mln.setLabels(ds.getLabels());
            mln.setLayerMaskArrays(ds.getFeaturesMaskArray(), ds.getLabelsMaskArray());
            mln.computeGradientAndScore();
            double s = mln.score();
            mln.clearLayerMaskArrays();
            return s;
        }
        cg.setInputs(ds.getFeatures());
        cg.setLabels(ds.getLabels());
        cg.setLayerMaskArrays(ds.getFeaturesMaskArray() == null ? null : new INDArray[]{ds.getFeaturesMaskArray()},
                ds.getLabelsMaskArray() == null ? null : new INDArray[]{ds.getLabelsMaskArray()});
        cg.computeGradientAndScore();
        double s = cg.score();
        cg.clearLayerMaskArrays();
        return s;
    }
}
