package org.metaadamw.examples.io;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The CIFAR-10 binary format: records of 1 label byte and 3,072 pixel bytes (red, green, blue planes
 * of 32×32). Features come out as [n, 3, 32, 32] scaled to [0, 1], labels one-hot over 10 classes.
 * The official distribution is a folder with five training files {@code data_batch_1.bin} ..
 * {@code data_batch_5.bin} (10,000 records each) and {@code test_batch.bin}.
 */
public final class CifarBinary {
    private CifarBinary() {
    }

    private static final Logger LOG = LoggerFactory.getLogger(CifarBinary.class);

    public static final int RECORD = 1 + 3 * 32 * 32;
    private static final Pattern TRAINING_BATCH = Pattern.compile("data_batch_(\\d+)\\.bin");

    /** Reads the first {@code limit} records of one file (all when &lt;= 0). */
    public static DataSet read(Path file, int limit) throws IOException {
        int n = records(file);
        if (limit > 0) {
            n = Math.min(n, limit);
        }
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        return read(List.of(file), order);
    }

    /**
     * The training files of a CIFAR-10 binary folder: every {@code data_batch_N.bin}, by N (the
     * official set has five; fewer is allowed, with a warning, for subsets).
     */
    public static List<Path> trainingBatches(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new DataFormatException(dir, 0, "no such folder (expected CIFAR-10 binary: data_batch_1.bin .. data_batch_5.bin, test_batch.bin)");
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> TRAINING_BATCH.matcher(p.getFileName().toString()).matches()).forEach(files::add);
        }
        if (files.isEmpty()) {
            throw new DataFormatException(dir, 0, "no data_batch_1.bin .. data_batch_5.bin in this folder");
        }
        files.sort(Comparator.comparingInt(CifarBinary::batchNumber));
        if (files.size() != 5) {
            LOG.warn("{}: {} CIFAR-10 training batch file(s) {}, the official set has 5", dir, files.size(),
                    files.stream().map(p -> p.getFileName().toString()).toList());
        }
        return files;
    }

    /** {@code test_batch.bin} of a CIFAR-10 binary folder. */
    public static Path testBatch(Path dir) throws IOException {
        Path f = dir.resolve("test_batch.bin");
        records(f);
        return f;
    }

    private static int batchNumber(Path p) {
        Matcher m = TRAINING_BATCH.matcher(p.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
    }

    /** The number of records of a file, checking that its size is a whole number of records. */
    public static int records(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new DataFormatException(file, 0, "no such file");
        }
        long size = Files.size(file);
        if (size == 0 || size % RECORD != 0) {
            throw new DataFormatException(file, 0, size + " bytes is not a whole number of " + RECORD + "-byte CIFAR-10 records");
        }
        return (int) (size / RECORD);
    }

    /** The total number of records of {@code files}. */
    public static int records(List<Path> files) throws IOException {
        long n = 0;
        for (Path f : files) {
            n += records(f);
        }
        if (n > Integer.MAX_VALUE / RECORD) {
            throw new IOException(files + ": " + n + " records are more than one DataSet can hold");
        }
        return (int) n;
    }

    /**
     * Reads the records {@code order[0], order[1], ...} of {@code files} taken one after another
     * (index 0 is the first record of the first file), in that order: with a shuffled {@code order}, a
     * shuffled sample of all files without reading the records it leaves out.
     */
    public static DataSet read(List<Path> files, int[] order) throws IOException {
        long[] start = new long[files.size() + 1];
        for (int f = 0; f < files.size(); f++) {
            start[f + 1] = start[f] + records(files.get(f));
        }
        int n = order.length;
        // read in file order (record index, output slot packed in one long), whatever order the output has
        long[] byRecord = new long[n];
        for (int i = 0; i < n; i++) {
            if (order[i] < 0 || order[i] >= start[files.size()]) {
                throw new IndexOutOfBoundsException("record " + order[i] + " of " + start[files.size()]);
            }
            byRecord[i] = (long) order[i] << 32 | i;
        }
        Arrays.sort(byRecord);
        float[] x = new float[n * (RECORD - 1)];
        float[] y = new float[n * 10];
        ByteBuffer rec = ByteBuffer.allocate(RECORD);
        int f = -1;
        FileChannel ch = null;
        try {
            for (long key : byRecord) {
                int g = (int) (key >>> 32), slot = (int) key;
                while (g >= start[f + 1]) {
                    f++;
                    if (ch != null) {
                        ch.close();
                    }
                    ch = FileChannel.open(files.get(f), StandardOpenOption.READ);
                }
                long r = g - start[f], offset = r * RECORD;
                rec.clear();
                while (rec.hasRemaining()) {
                    if (ch.read(rec, offset + rec.position()) < 0) {
                        throw new DataFormatException(files.get(f), 0, "truncated record " + r);
                    }
                }
                byte[] b = rec.array();
                int label = b[0] & 0xFF;
                if (label > 9) {
                    throw new DataFormatException(files.get(f), 0, "record " + r + " (byte offset " + offset + ") has label " + label
                            + ", outside 0..9");
                }
                y[slot * 10 + label] = 1f;
                int base = slot * (RECORD - 1);
                for (int j = 1; j < RECORD; j++) {
                    x[base + j - 1] = (b[j] & 0xFF) / 255f;
                }
            }
        } finally {
            if (ch != null) {
                ch.close();
            }
        }
        return new DataSet(Nd4j.create(x, new long[]{n, 3, 32, 32}, 'c'), Nd4j.create(y, new long[]{n, 10}, 'c'));
    }
}
