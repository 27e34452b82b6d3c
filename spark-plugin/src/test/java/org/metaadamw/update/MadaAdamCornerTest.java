package org.metaadamw.update;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.train.NetModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MADA pinned at Adam's corner (β3 = 0, ρ = c = γ = 1) is GroupAdamW with every multiplier 1, bit
 * for bit: two copies of a real Iris network, each trained for 40 steps on its own gradients, one
 * by GroupAdamW and one by Mada, stay identical (parameters and moments) after every step.
 */
class MadaAdamCornerTest {

    @ParameterizedTest(name = "{0} decayBiases={1} batchNorm={2} perGroup={3}")
    @CsvSource({
            "DOUBLE, false, false, false",
            "DOUBLE, true,  false, false",
            "DOUBLE, false, true,  false",
            "DOUBLE, false, false, true",
            "FLOAT,  false, false, false",
    })
    void adamCornerIsGroupAdamWBitForBit(DataType dtype, boolean decayBiases, boolean batchNorm, boolean perGroup) {
        double lr = 5e-3, lambda = 0.05, b1 = 0.9, b2 = 0.99;
        int steps = 40;
        List<DataSet> batches = TestNets.irisBatches(10, 7);
        if (dtype == DataType.DOUBLE) {
            batches = TestNets.toDouble(batches);
        }
        MultiLayerNetwork a = TestNets.mlp(42, dtype, lr, 0, false, batchNorm);
        MultiLayerNetwork b = TestNets.mlp(42, dtype, lr, 0, false, batchNorm);
        b.params().assign(a.params());
        NetModel na = new NetModel(a), nb = new NetModel(b);
        INDArray start = na.params().dup();

        MetaAdamWConfig cfg = MetaAdamWConfig.builder().learningRate(lr).beta1(b1).beta2(b2).epsilon(1e-8)
                .weightDecay(lambda).decayBiases(decayBiases).build();
        ParamGroups groups = ParamGroups.of(a, GroupingStrategy.LAYER);
        GroupAdamW adamw = new GroupAdamW(cfg, groups, dtype);
        AdamWState adamState = AdamWState.zeros(na.params());
        Mada mada = new Mada(cfg, groups, dtype);
        MadaCoefficients adam = MadaCoefficients.adam(b1, b2);
        mada.setCoefficients(perGroup ? adam.perGroupCopy(groups.count()) : adam);
        MadaState madaState = MadaState.zeros(nb.params());

        double maxDiff = 0, maxMoment = 0;
        for (int i = 0; i < steps; i++) {
            DataSet d = batches.get(i % batches.size());
            long n = d.getFeatures().size(0);
            na.computeGradient(d);
            INDArray ga = na.gradient();
            adamw.preprocess(ga, n);
            adamw.step(na.params(), ga, adamState);

            nb.computeGradient(d);
            INDArray gb = nb.gradient();
            mada.preprocess(gb, n);
            mada.step(nb.params(), gb, madaState);

            maxDiff = Math.max(maxDiff, na.params().sub(nb.params()).amaxNumber().doubleValue());
            maxMoment = Math.max(maxMoment, Math.max(adamState.m().sub(madaState.m).amaxNumber().doubleValue(),
                    adamState.v().sub(madaState.v).amaxNumber().doubleValue()));
        }
        double moved = na.params().sub(start).amaxNumber().doubleValue();
        System.out.printf("Mada Adam corner %s decayBiases=%s batchNorm=%s perGroup=%s: %d steps, max |Δθ| = %.3e, "
                + "max |Δm|,|Δv| = %.3e, moved %.3e%n", dtype, decayBiases, batchNorm, perGroup, steps, maxDiff, maxMoment, moved);
        assertTrue(moved > 10 * lr, "the network must actually train (moved " + moved + ")");
        assertEquals(0.0, maxDiff, "parameters must be bit for bit GroupAdamW's");
        assertEquals(0.0, maxMoment, "moments must be bit for bit GroupAdamW's");
        assertEquals(steps, madaState.step());
    }
}
