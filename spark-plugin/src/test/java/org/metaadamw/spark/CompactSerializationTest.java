package org.metaadamw.spark;

import org.junit.jupiter.api.Test;
import org.metaadamw.stats.RoundStatistics;
import org.metaadamw.update.Modulation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The round broadcast and the partition results cross Java serialization (Spark's JavaSerializer)
 * bit for bit, in their compact form ({@link ArrayWire}): float and double, null arrays, views,
 * either byte order on the wire, the ND4J fallback; and a broadcast serializes to about its raw bytes.
 */
class CompactSerializationTest {

    /** {@code n} values spread over many decades, with the special values that a lossy path would change. */
    private static INDArray values(DataType type, long seed, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double[] x = new double[(int) n];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble(-1, 1) * Math.pow(10, r.nextInt(-30, 30));
        }
        double[] special = {Double.NaN, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Float.MIN_VALUE, 0.0};
        for (int i = 0; i < special.length && i < x.length; i++) {
            x[i * 7 % x.length] = special[i];
        }
        return Nd4j.createFromArray(x).castTo(type).reshape(shape);
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
        return (T) read(bytes(value));
    }

    private static byte[] bytes(Object value) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(b)) {
            out.writeObject(value);
        }
        return b.toByteArray();
    }

    private static Object read(byte[] bytes) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return in.readObject();
        }
    }

    /** Same data type, shape, ordering and bits (NaN payloads and signed zeros included). */
    private static void assertBitEqual(INDArray want, INDArray got) {
        if (want == null) {
            assertNull(got);
            return;
        }
        assertNotSame(want, got);
        assertEquals(want.dataType(), got.dataType());
        assertArrayEquals(want.shape(), got.shape());
        assertEquals(want.ordering(), got.ordering());
        INDArray w = want.dup(want.ordering()), g = got.dup(got.ordering());
        if (want.dataType() == DataType.DOUBLE) {
            double[] a = w.data().asDouble(), b = g.data().asDouble();
            assertEquals(a.length, b.length);
            for (int i = 0; i < a.length; i++) {
                assertEquals(Double.doubleToRawLongBits(a[i]), Double.doubleToRawLongBits(b[i]), "element " + i);
            }
        } else if (want.dataType() == DataType.FLOAT) {
            float[] a = w.data().asFloat(), b = g.data().asFloat();
            assertEquals(a.length, b.length);
            for (int i = 0; i < a.length; i++) {
                assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "element " + i);
            }
        } else {
            assertEquals(want, got);
        }
    }

    private static RoundBroadcast broadcast(DataType type, INDArray trace, long... shape) {
        return new RoundBroadcast(values(type, 1, shape), values(type, 2, shape), values(type, 3, shape).mul(values(type, 3, shape)),
                17, new Modulation(new double[]{1.5, 0.7}, new double[]{1, 1}, new double[]{0.9, 1.1}, new double[]{1, 2}), 42, 3, 5,
                0.25, 0xDEADBEEFL, trace, true, false, true);
    }

    private static void assertSame(RoundBroadcast want, RoundBroadcast got) {
        assertBitEqual(want.params(), got.params());
        assertBitEqual(want.m(), got.m());
        assertBitEqual(want.v(), got.v());
        assertBitEqual(want.trace(), got.trace());
        assertEquals(want.step(), got.step());
        assertEquals(want.modulation(), got.modulation());
        assertEquals(want.round(), got.round());
        assertEquals(want.roundInEpoch(), got.roundInEpoch());
        assertEquals(want.validationCursor(), got.validationCursor());
        assertEquals(Double.doubleToRawLongBits(want.timeFraction()), Double.doubleToRawLongBits(got.timeFraction()));
        assertEquals(want.roundSeed(), got.roundSeed());
        assertEquals(want.statistics(), got.statistics());
        assertEquals(want.startGradient(), got.startGradient());
        assertEquals(want.trainingSignals(), got.trainingSignals());
    }

    @Test
    void broadcastRoundTripsBitForBit() throws Exception {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            for (INDArray trace : new INDArray[]{null, values(type, 4, 1, 1000)}) {
                RoundBroadcast b = broadcast(type, trace, 1, 1000);
                assertSame(b, roundTrip(b));
            }
            // odd shapes: rank 1, rank 3 in 'f' order, a scalar, more elements than one chunk
            RoundBroadcast odd = new RoundBroadcast(values(type, 5, 7), values(type, 6, 3, 4, 5).dup('f'),
                    Nd4j.scalar(type, -0.0), 0, Modulation.neutral(1), 0, 0, -1, 0, 0,
                    values(type, 7, ArrayWire.CHUNK / 4 + 3), false, true, false);
            assertSame(odd, roundTrip(odd));
        }
    }

    @Test
    void resultsRoundTripBitForBit() throws Exception {
        RoundStatistics s = new RoundStatistics(1, 1, new double[]{0.5}, new double[RoundStatistics.Signal.COUNT], 0, 0, -3.25, 1, 0);
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            PartitionResult r = new PartitionResult(values(type, 8, 1, 5000), values(type, 9, 1, 5000), values(type, 10, 1, 5000),
                    12, s, 3, false, 2);
            PartitionResult got = roundTrip(r);
            assertBitEqual(r.params(), got.params());
            assertBitEqual(r.m(), got.m());
            assertBitEqual(r.v(), got.v());
            assertEquals(new PartitionResult(null, null, null, r.step(), r.stats(), r.workers(), r.finite(), r.steps()),
                    new PartitionResult(null, null, null, got.step(), got.stats(), got.workers(), got.finite(), got.steps()));
        }
        PartitionResult empty = roundTrip(PartitionResult.EMPTY);
        assertNull(empty.params());
        assertNull(empty.m());
        assertNull(empty.v());
        assertEquals(PartitionResult.EMPTY, empty);
    }

    private static org.metaadamw.update.MadaState madaState(DataType type, int seed) {
        return new org.metaadamw.update.MadaState(values(type, seed, 300), values(type, seed + 1, 300), values(type, seed + 2, 300),
                values(type, seed + 3, 300), values(type, seed + 4, 300), values(type, seed + 5, 300), 9);
    }

    private static void assertBitEqual(org.metaadamw.update.MadaState want, org.metaadamw.update.MadaState got) {
        assertBitEqual(want.m(), got.m());
        assertBitEqual(want.v(), got.v());
        assertBitEqual(want.n(), got.n());
        assertBitEqual(want.vBar(), got.vBar());
        assertBitEqual(want.gPrev(), got.gPrev());
        assertBitEqual(want.lion(), got.lion());
        assertEquals(want.step(), got.step());
    }

    @Test
    void madaBroadcastsAndResultsRoundTripBitForBit() throws Exception {
        var k = org.metaadamw.update.MadaCoefficients.of(new double[][]{{0.9, 0.99, 0.1, 0.5, 0.25, 0.75}, {0.8, 0.6, 0, 1, 1, 0}});
        var rule = org.metaadamw.update.UpdateRule.mada(k, 0.95, 0.98);
        var h = new org.metaadamw.update.HypergradientSum(new double[][]{{1, -2, 3, -0.0, 5e-300, 6}, {Math.PI, 0, 0, 0, 0, -1}}, 4);
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            var state = madaState(type, 20);
            RoundBroadcast b = RoundBroadcast.mada(values(type, 19, 300), state, rule, Modulation.neutral(2), 3, 1, 0.5, 77);
            RoundBroadcast got = roundTrip(b);
            assertSame(b, got);
            assertEquals(rule, got.rule());
            assertBitEqual(state, got.mada());
            PartitionResult r = PartitionResult.mada(values(type, 30, 300), madaState(type, 31), h, RoundStatistics.EMPTY, 2, true, 3);
            PartitionResult back = roundTrip(r);
            assertBitEqual(r.params(), back.params());
            assertBitEqual(r.mada(), back.mada());
            assertEquals(h, back.hypergradients());
            assertNull(back.m());
            assertEquals(r.workers(), back.workers());
        }
        RoundBroadcast adamw = roundTrip(broadcast(DataType.FLOAT, null, 1, 10));
        assertEquals(org.metaadamw.update.UpdateRule.adamW(), adamw.rule());
        assertNull(adamw.mada());
    }

    @Test
    void viewsOtherTypesAndByteOrders() throws Exception {
        INDArray matrix = values(DataType.FLOAT, 11, 40, 30);
        INDArray column = matrix.getColumn(7), rows = matrix.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 9));
        INDArray ints = Nd4j.createFromArray(1, -2, 3), empty = Nd4j.empty(DataType.FLOAT), empty2 = Nd4j.create(DataType.DOUBLE, 0, 3);
        for (ByteOrder order : new ByteOrder[]{ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            for (INDArray a : new INDArray[]{column, rows, values(DataType.DOUBLE, 12, ArrayWire.CHUNK / 8 + 5), ints, empty, empty2}) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                try (ObjectOutputStream out = new ObjectOutputStream(b)) {
                    ArrayWire.write(out, a, order);
                }
                try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b.toByteArray()))) {
                    INDArray got = ArrayWire.read(in);
                    if (a.isView()) {
                        assertBitEqual(a.dup(a.ordering()), got);   // the view's elements, as a plain array
                    } else if (a.isEmpty()) {
                        assertTrue(got.isEmpty());
                        assertEquals(a.dataType(), got.dataType());
                        assertArrayEquals(a.shape(), got.shape());
                    } else {
                        assertBitEqual(a, got);
                    }
                }
            }
        }
    }

    /**
     * A broadcast of 1 M float parameters (θ, m, v and the trace: 16,000,000 raw bytes) serializes to
     * at least the raw bytes and at most 1 % more (Java serialization's block headers alone add 0.49 %).
     */
    @Test
    void broadcastSizeIsCloseToTheRawBytes() throws Exception {
        int n = 1_000_000;
        RoundBroadcast b = broadcast(DataType.FLOAT, values(DataType.FLOAT, 4, 1, n), 1, n);
        long raw = 4L * n * Float.BYTES, size = bytes(b).length;
        System.out.printf(java.util.Locale.ROOT, "1 M-float broadcast: %d bytes serialized, %d raw (+%.3f %%)%n", size, raw,
                100.0 * (size - raw) / raw);
        assertTrue(size >= raw, size + " bytes");
        assertTrue(size <= raw * 1.01, size + " bytes, more than 1 % above the raw " + raw);
    }
}
