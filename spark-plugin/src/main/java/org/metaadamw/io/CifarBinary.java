package org.metaadamw.io;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CIFAR-10 binary format: records of 1 label byte and 3,072 pixel bytes (red, green, blue planes
 * of 32×32). Features come out as [n, 3, 32, 32] scaled to [0, 1], labels one-hot over 10 classes.
 */
public final class CifarBinary {
    private CifarBinary() {
    }

    public static final int RECORD = 1 + 3 * 32 * 32;

    /** Reads at most {@code limit} records (all when &lt;= 0). */
    public static DataSet read(Path file, int limit) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new DataFormatException(file, 0, "no such file");
        }
        long size = Files.size(file);
        if (size == 0 || size % RECORD != 0) {
            throw new DataFormatException(file, 0, size + " bytes is not a whole number of " + RECORD + "-byte CIFAR-10 records");
        }
        int n = (int) (size / RECORD);
        if (limit > 0) {
            n = Math.min(n, limit);
        }
        float[] x = new float[n * (RECORD - 1)];
        float[] y = new float[n * 10];
        byte[] rec = new byte[RECORD];
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            for (int i = 0; i < n; i++) {
                if (in.readNBytes(rec, 0, RECORD) != RECORD) {
                    throw new DataFormatException(file, 0, "truncated record " + i);
                }
                int label = rec[0] & 0xFF;
                if (label > 9) {
                    throw new DataFormatException(file, 0, "record " + i + " (byte offset " + (long) i * RECORD + ") has label " + label + ", outside 0..9");
                }
                y[i * 10 + label] = 1f;
                for (int j = 1; j < RECORD; j++) {
                    x[i * (RECORD - 1) + j - 1] = (rec[j] & 0xFF) / 255f;
                }
            }
        }
        return new DataSet(Nd4j.create(x, new long[]{n, 3, 32, 32}, 'c'), Nd4j.create(y, new long[]{n, 10}, 'c'));
    }
}
