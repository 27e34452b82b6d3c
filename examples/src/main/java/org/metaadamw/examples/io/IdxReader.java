package org.metaadamw.examples.io;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST / Fashion-MNIST format: big-endian magic {@code 0x00 0x00 type rank},
 * one big-endian int per dimension, then the values), plain or gzipped (detected from the first
 * bytes). Only unsigned-byte data ({@code type 0x08}) is supported, which is what image and label
 * files use. Malformed files fail with the file name and the reason.
 */
public final class IdxReader {
    private IdxReader() {
    }

    /**
     * @param dims dimensions, outermost first
     * @param data the values, row-major, as unsigned bytes
     */
    public record Idx(int[] dims, byte[] data) {
        public int count() {
            return dims[0];
        }

        /** Values per item (the product of all dimensions but the first). */
        public int itemSize() {
            int s = 1;
            for (int i = 1; i < dims.length; i++) {
                s *= dims[i];
            }
            return s;
        }

        public int unsigned(long index) {
            return data[(int) index] & 0xFF;
        }
    }

    /**
     * Reads at most {@code limit} items (all when {@code limit <= 0}).
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static Idx read(Path file, int limit) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such IDX file");
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read(), b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
            DataInputStream d = new DataInputStream(in);
            int magic;
            try {
                magic = d.readInt();
            } catch (EOFException e) {
                throw new IOException(file + ": empty or truncated before the IDX header");
            }
            if ((magic >>> 16) != 0) {
                throw new IOException(file + ": not an IDX file (magic 0x" + Integer.toHexString(magic) + ")");
            }
            int type = (magic >>> 8) & 0xFF, rank = magic & 0xFF;
            if (type != 0x08) {
                throw new IOException(file + ": IDX data type 0x" + Integer.toHexString(type) + " is not supported (only unsigned bytes, 0x08)");
            }
            if (rank < 1 || rank > 4) {
                throw new IOException(file + ": IDX rank " + rank + " out of range 1..4");
            }
            int[] dims = new int[rank];
            long size = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = d.readInt();
                if (dims[i] < 0) {
                    throw new IOException(file + ": negative dimension " + dims[i] + " at position " + i);
                }
                if (i > 0) {
                    size *= dims[i];
                }
            }
            int n = limit > 0 ? Math.min(limit, dims[0]) : dims[0];
            long total = size * n;
            if (total > Integer.MAX_VALUE - 16) {
                throw new IOException(file + ": " + total + " values do not fit one array; read fewer items");
            }
            byte[] data = new byte[(int) total];
            try {
                d.readFully(data);
            } catch (EOFException e) {
                throw new IOException(file + ": truncated: header announces " + dims[0] + " items of " + size
                        + " values, the data ends before item " + n);
            }
            dims[0] = n;
            return new Idx(dims, data);
        }
    }
}
