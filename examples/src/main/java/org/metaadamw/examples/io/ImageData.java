package org.metaadamw.examples.io;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;

/** Image-classification datasets as DL4J {@link DataSet}s: pixels scaled to [0, 1], one-hot labels. */
public final class ImageData {
    private ImageData() {
    }

    /**
     * Reads an IDX image file and its label file.
     *
     * @param limit   at most this many examples (all when &lt;= 0)
     * @param classes number of classes (labels must lie in [0, classes))
     * @param flat    true: features [n, h·w]; false: [n, 1, h, w] (NCHW, for convolutional networks)
     */
    public static DataSet idx(Path images, Path labels, int limit, int classes, boolean flat) throws IOException {
        IdxReader.Idx x = IdxReader.read(images, limit), y = IdxReader.read(labels, limit);
        if (x.dims().length != 3) {
            throw new IOException(images + ": expected a rank-3 image file [n, rows, cols], got rank " + x.dims().length);
        }
        if (y.dims().length != 1) {
            throw new IOException(labels + ": expected a rank-1 label file, got rank " + y.dims().length);
        }
        if (x.count() != y.count()) {
            throw new IOException(images + " has " + x.count() + " images but " + labels + " has " + y.count() + " labels");
        }
        int n = x.count(), size = x.itemSize();
        float[] f = new float[n * size];
        for (int i = 0; i < f.length; i++) {
            f[i] = x.unsigned(i) / 255f;
        }
        float[] l = new float[n * classes];
        for (int i = 0; i < n; i++) {
            int c = y.unsigned(i);
            if (c >= classes) {
                throw new IOException(labels + ": label " + c + " of item " + i + " is outside [0, " + classes + ")");
            }
            l[i * classes + c] = 1f;
        }
        var features = flat ? Nd4j.create(f, new long[]{n, size}, 'c')
                : Nd4j.create(f, new long[]{n, 1, x.dims()[1], x.dims()[2]}, 'c');
        return new DataSet(features, Nd4j.create(l, new long[]{n, classes}, 'c'));
    }

    /** Fashion-MNIST from the fetched Debian package: the training or test split. */
    public static DataSet fashionMnist(boolean train, int limit, boolean flat) throws IOException {
        Path dir = DataPaths.dataset("fashion-mnist");
        String p = train ? "train" : "t10k";
        return idx(dir.resolve(p + "-images-idx3-ubyte.gz"), dir.resolve(p + "-labels-idx1-ubyte.gz"), limit, 10, flat);
    }
}
