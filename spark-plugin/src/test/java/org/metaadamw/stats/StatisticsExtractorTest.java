package org.metaadamw.stats;

import org.junit.jupiter.api.Test;
import org.metaadamw.TestNets;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.grouping.ParamTensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The fused single-pass extractor against the same quantities computed with ND4J operations. */
class StatisticsExtractorTest {

    private static INDArray slice(INDArray v, ParamGroups g, int group) {
        List<INDArray> parts = new ArrayList<>();
        for (ParamTensor t : g.members(group)) {
            parts.add(v.get(NDArrayIndex.interval(t.offset(), t.offset() + t.length())));
        }
        return Nd4j.concat(0, parts.toArray(new INDArray[0]));
    }

    @Test
    void featuresAndSignalsMatchNd4jReductions() {
        var net = TestNets.mlp(4, DataType.DOUBLE, 1e-3, 0, false, true);
        ParamGroups groups = ParamGroups.of(net, GroupingStrategy.FINE);
        long n = net.numParams();
        Nd4j.getRandom().setSeed(3);
        INDArray t0 = Nd4j.randn(DataType.DOUBLE, n), t1 = t0.add(Nd4j.randn(DataType.DOUBLE, n).muli(0.01)),
                g = Nd4j.randn(DataType.DOUBLE, n), m = Nd4j.randn(DataType.DOUBLE, n), v = Nd4j.rand(DataType.DOUBLE, n),
                a = Nd4j.randn(DataType.DOUBLE, n), b = Nd4j.randn(DataType.DOUBLE, n);
        g.putScalar(0, 0.0);
        double[] c = new double[groups.count()];
        for (int i = 0; i < c.length; i++) {
            c[i] = 0.01 * (i + 1);
        }
        var ex = new StatisticsExtractor(groups, FeatureSet.Version.ENHANCED);
        RoundStatistics s = ex.extract(new StatisticsExtractor.Inputs(t0, t1, g, m, v, a, b, c, false, 0.25, 1.5, 1.25, 1.75));
        int F = 16;
        for (int grp = 0; grp < groups.count(); grp++) {
            INDArray gg = slice(g, groups, grp), mm = slice(m, groups, grp), pp = slice(t1, groups, grp), vv = slice(v, groups, grp);
            INDArray p0 = slice(t0, groups, grp), aa = slice(a, groups, grp), bb = slice(b, groups, grp);
            double[] f = java.util.Arrays.copyOfRange(s.featureSums(), grp * F, grp * F + F);
            assertEquals(gg.norm2Number().doubleValue(), f[FeatureSet.GRAD_NORM], 1e-9);
            assertEquals(mm.norm2Number().doubleValue(), f[FeatureSet.MOMENT_NORM], 1e-9);
            assertEquals(pp.norm2Number().doubleValue(), f[FeatureSet.PARAM_NORM], 1e-9);
            assertEquals(vv.norm2Number().doubleValue(), f[FeatureSet.SECOND_MOMENT_NORM], 1e-9);
            double cos = gg.mul(mm).sumNumber().doubleValue() / (gg.norm2Number().doubleValue() * mm.norm2Number().doubleValue());
            assertEquals(cos, f[FeatureSet.COS_GRAD_MOMENT], 1e-9);
            assertEquals(0.25, f[FeatureSet.TIME], 0);
            assertEquals(gg.stdNumber().doubleValue() * Math.sqrt((gg.length() - 1.0) / gg.length()), f[FeatureSet.GRAD_STD], 1e-9);
            assertEquals(Math.log(gg.length()), f[FeatureSet.LOG_COUNT], 1e-12);
            assertEquals(groups.biasRatio(grp), f[FeatureSet.BIAS_RATIO], 0);
            // meta-signals (section 5)
            INDArray delta = pp.sub(p0);
            boolean decayed = groups.members(grp).stream().noneMatch(ParamTensor::bias);
            INDArray dwd = decayed ? p0.add(pp).muli(-0.5 * c[grp]) : Nd4j.zeros(DataType.DOUBLE, pp.length());
            int S = RoundStatistics.Signal.COUNT;
            double[] sig = java.util.Arrays.copyOfRange(s.signalSums(), grp * S, grp * S + S);
            assertEquals(bb.mul(delta).sumNumber().doubleValue(), sig[RoundStatistics.Signal.GV1_DELTA], 1e-9);
            assertEquals(bb.mul(dwd).sumNumber().doubleValue(), sig[RoundStatistics.Signal.GV1_DELTA_WD], 1e-9);
            assertEquals(gg.mul(delta).sumNumber().doubleValue(), sig[RoundStatistics.Signal.GTK_DELTA], 1e-9);
            assertEquals(gg.mul(dwd).sumNumber().doubleValue(), sig[RoundStatistics.Signal.GTK_DELTA_WD], 1e-9);
            assertEquals(aa.mul(aa).sumNumber().doubleValue(), sig[RoundStatistics.Signal.GV0_SQ], 1e-9);
            assertEquals(bb.mul(bb).sumNumber().doubleValue(), sig[RoundStatistics.Signal.GV1_SQ], 1e-9);
            assertEquals(aa.mul(bb).sumNumber().doubleValue(), sig[RoundStatistics.Signal.GV0_GV1], 1e-9);
            assertEquals(delta.mul(delta).sumNumber().doubleValue(), sig[RoundStatistics.Signal.DELTA_SQ], 1e-9);
        }
        assertEquals(1.5, s.lossValStart(), 0);
        assertEquals(1, s.metaWorkers());
    }

    @Test
    void normalizedTokensAreZScoredLogMagnitudesWithRawTime() {
        double[][] raw = {{1, 2, 3, 0.5, 4, 0.3}, {10, 20, 30, -0.5, 40, 0.3}, {100, 200, 300, 0.0, 400, 0.3}};
        double[][] t = FeatureSet.tokens(raw, false, new boolean[3]);
        assertEquals(-Math.sqrt(1.5), t[0][0], 1e-9);   // log10-spaced values z-score to −√1.5, 0, √1.5
        assertEquals(0.0, t[1][0], 1e-9);
        assertEquals(0.3, t[2][FeatureSet.TIME], 0);
        double[][] excluded = FeatureSet.tokens(new double[][]{{1, 1, 1, 1, 1, 0.1}, {Double.NaN, 1, 1, 1, 1, 0.1}},
                false, new boolean[]{false, true});
        for (double x : excluded[1]) {
            assertEquals(0.0, x, 0);
        }
        assertEquals(raw[1][0], FeatureSet.tokens(raw, true, new boolean[3])[1][0], 0);
    }
}
