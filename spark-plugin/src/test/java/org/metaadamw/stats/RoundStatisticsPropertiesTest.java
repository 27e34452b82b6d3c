package org.metaadamw.stats;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Merge laws of the statistics that Spark's tree aggregation relies on. */
class RoundStatisticsPropertiesTest {
    private static final int G = 3, F = 6;

    @Provide
    Arbitrary<RoundStatistics> stats() {
        Arbitrary<double[]> feats = Arbitraries.doubles().between(-1e3, 1e3).array(double[].class).ofSize(G * F);
        Arbitrary<double[]> sigs = Arbitraries.doubles().between(-1e3, 1e3).array(double[].class).ofSize(G * RoundStatistics.Signal.COUNT);
        Arbitrary<double[]> losses = Arbitraries.doubles().between(0, 10).array(double[].class).ofSize(3);
        Arbitrary<Tuple.Tuple2<Integer, Integer>> counts = Arbitraries.integers().between(1, 5)
                .flatMap(w -> Arbitraries.integers().between(0, w).map(m -> Tuple.of(w, m)));
        return Combinators.combine(feats, sigs, losses, counts).as((f, s, l, c) ->
                new RoundStatistics(G, F, f, s, l[0], l[1], l[2], c.get1(), c.get2()));
    }

    @Property(tries = 200)
    void mergeIsCommutative(@ForAll("stats") RoundStatistics a, @ForAll("stats") RoundStatistics b) {
        // IEEE addition is commutative: exact equality
        assertEquals(a.merge(b), b.merge(a));
    }

    @Property(tries = 200)
    void mergeIsAssociativeUpToRounding(@ForAll("stats") RoundStatistics a, @ForAll("stats") RoundStatistics b,
                                        @ForAll("stats") RoundStatistics c) {
        RoundStatistics left = a.merge(b).merge(c), right = a.merge(b.merge(c));
        assertEquals(left.workers(), right.workers());
        assertEquals(left.metaWorkers(), right.metaWorkers());
        for (int i = 0; i < left.featureSums().length; i++) {
            assertEquals(left.featureSums()[i], right.featureSums()[i], 1e-9 * (1 + Math.abs(left.featureSums()[i])));
        }
        for (int i = 0; i < left.signalSums().length; i++) {
            assertEquals(left.signalSums()[i], right.signalSums()[i], 1e-9 * (1 + Math.abs(left.signalSums()[i])));
        }
        assertEquals(left.lossTrain(), right.lossTrain(), 1e-9);
    }

    @Property(tries = 100)
    void emptyIsTheIdentity(@ForAll("stats") RoundStatistics a) {
        assertEquals(a, a.merge(RoundStatistics.EMPTY));
        assertEquals(a, RoundStatistics.EMPTY.merge(a));
    }

    @Property(tries = 100)
    void summaryIsTheMeanOverWorkers(@ForAll("stats") RoundStatistics a, @ForAll("stats") RoundStatistics b) {
        RoundSummary s = a.merge(b).summarize();
        long w = a.workers() + b.workers();
        assertEquals((a.featureSums()[4] + b.featureSums()[4]) / w, s.features()[0][4], 1e-9);
        assertEquals((a.lossTrain() + b.lossTrain()) / w, s.lossTrain(), 1e-9);
    }

    @Test
    void mismatchedShapesFailLoudly() {
        RoundStatistics a = new RoundStatistics(2, 6, new double[12], new double[2 * RoundStatistics.Signal.COUNT], 0, 0, 0, 1, 1);
        RoundStatistics b = new RoundStatistics(3, 6, new double[18], new double[3 * RoundStatistics.Signal.COUNT], 0, 0, 0, 1, 1);
        var e = assertThrows(IllegalArgumentException.class, () -> a.merge(b));
        assertTrue(e.getMessage().contains("G=2") && e.getMessage().contains("G=3"), e.getMessage());
    }

    @Test
    void emptyRefusesToSummarise() {
        assertThrows(IllegalStateException.class, RoundStatistics.EMPTY::summarize);
    }

    @Test
    void aSummaryWithoutValidationPassesHasNoSignals() {
        RoundStatistics a = new RoundStatistics(1, 6, new double[6], new double[RoundStatistics.Signal.COUNT], 0, 0, 2.0, 2, 0);
        RoundSummary s = a.summarize();
        assertTrue(!s.hasMetaSignals());
        assertEquals(1.0, s.lossTrain(), 0);
        assertTrue(Double.isNaN(s.lossValEnd()));
    }
}
