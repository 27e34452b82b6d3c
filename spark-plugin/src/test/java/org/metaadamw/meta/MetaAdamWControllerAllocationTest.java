package org.metaadamw.meta;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.LayerKind;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.grouping.ParamTensor;
import org.metaadamw.stats.RoundStatistics;
import org.metaadamw.stats.RoundSummary;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * In steady state a meta-step allocates only the modulation it returns: the buffers of the forward and
 * backward passes (those of the float path too), the rollback snapshot and the metrics are allocated once per
 * group count.
 */
class MetaAdamWControllerAllocationTest {

    static ParamGroups groups(int g) {
        List<ParamTensor> ts = new ArrayList<>();
        for (int i = 0; i < g; i++) {
            ts.add(new ParamTensor(i + "_W", String.valueOf(i), i, g, LayerKind.DENSE, "W", 100L * i, 100, false, true, true));
        }
        return ParamGroups.of(ts, GroupingStrategy.LAYER);
    }

    static RoundSummary summary(int g, int f, SplittableRandom r) {
        double[][] feats = new double[g][f], sig = new double[g][RoundStatistics.Signal.COUNT];
        for (int i = 0; i < g; i++) {
            for (int j = 0; j < f; j++) {
                feats[i][j] = r.nextDouble(1e-3, 10);
            }
            for (int j = 0; j < RoundStatistics.Signal.COUNT; j++) {
                sig[i][j] = j >= 4 ? r.nextDouble(0.1, 2) : r.nextDouble(-1, 1);
            }
        }
        return new RoundSummary(feats, sig, 1.0, 0.99, 0.95, 2);
    }

    @ParameterizedTest(name = "G={0} precision={1}")
    @CsvSource({"1, double", "8, double", "37, double", "64, double", "37, float", "64, float"})
    void aMetaStepAllocatesOnlyTheModulationItReturns(int G, String precision) {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs HotSpot's per-thread allocation counter");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(), "allocation counter off");
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().metaPrecision(precision).build();
        MetaAdamWController c = new MetaAdamWController(cfg);
        c.initial(groups(G));
        assertEquals(precision.equals("float"), c.floatAttentionInUse());
        SplittableRandom r = new SplittableRandom(7);
        RoundSummary[] s = new RoundSummary[4];
        for (int i = 0; i < s.length; i++) {
            s[i] = summary(G, cfg.featureColumns(), r);
        }
        long round = 0;
        for (; round < 20; round++) {
            c.next(s[(int) (round % s.length)], round, 1000);
        }
        // the modulation (header and four references) and its four copied arrays of G doubles, with room for
        // uncompressed references; before the workspaces a step allocated about 2 MB at G = 64
        long modulation = 48 + 4 * (24 + 8L * G);
        // the float path's Vector API kernels allocate their vectors until C2 has compiled them (and then nothing):
        // steady state is the first window of 20 calls within the bound, at most 100 windows in (at G = 37 and 64 the
        // third to tenth; at G = 8 it takes about 6,000 calls, hence auto's threshold); the double path's first
        int calls = 20, windows = precision.equals("float") ? 100 : 1;
        long perCall = Long.MAX_VALUE;
        for (int wdw = 0; wdw < windows && perCall > modulation + 64; wdw++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < calls; i++, round++) {
                c.next(s[(int) (round % s.length)], round, 1000);
            }
            perCall = (mx.getCurrentThreadAllocatedBytes() - before) / calls;
        }
        assertTrue(perCall <= modulation + 64, "a meta-step allocated " + perCall + " bytes, the modulation takes about " + modulation);
        assertEquals(round - 1, c.metaSteps(), "every call after the first took a meta-step");
        Map<String, Double> m = c.metrics();
        assertEquals(11 + 7 * G, m.size(), m.keySet().toString());
        assertTrue(m.containsKey("scaleStep"));
        for (int g = 0; g < G; g++) {
            for (String k : new String[]{"alpha.", "beta.", "metaGrad.alpha.", "metaGrad.beta.", "dAlpha.alignment.",
                    "dAlpha.lossDecrease.", "dAlpha.gap."}) {
                assertTrue(m.containsKey(k + g), k + g);
            }
        }
        assertEquals((double) c.metaSteps(), m.get("meta.steps"));
    }
}
