package org.metaadamw.stats;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Zero-copy sequential reads of a contiguous ND4J vector, for the single fused pass of the
 * statistics extractor. Why not ND4J reductions: one native call per (tensor × statistic) costs
 * ≈ 15 native calls per tensor; one Java pass over direct buffers reads every array once.
 */
abstract class FlatReader {
    abstract double get(long i);

    static FlatReader of(INDArray a) {
        if (a == null) {
            return null;
        }
        if (a.elementWiseStride() != 1 && a.length() > 1) {
            throw new IllegalArgumentException("statistics need contiguous vectors (got a view with stride " + a.elementWiseStride() + ")");
        }
        int off = (int) a.offset();
        if (a.dataType() == DataType.DOUBLE) {
            DoubleBuffer b = a.data().asNioDouble();
            return new FlatReader() {
                @Override
                double get(long i) {
                    return b.get(off + (int) i);
                }
            };
        }
        if (a.dataType() == DataType.FLOAT) {
            FloatBuffer b = a.data().asNioFloat();
            return new FlatReader() {
                @Override
                double get(long i) {
                    return b.get(off + (int) i);
                }
            };
        }
        throw new IllegalArgumentException("statistics support FLOAT and DOUBLE parameters (got " + a.dataType() + ")");
    }
}
