package org.metaadamw.examples.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A task's minibatches as Parquet, prepared once and then read by the executors: the example jobs'
 * data path on a cluster. The raw files are read, tokenized and batched once, on the driver (the
 * "prepare" step, like fetching); every later run with the same data options reads the prepared
 * minibatches with {@code spark.read} and the driver never holds them.
 *
 * <p>Layout of a directory (any Hadoop path): {@code train/}, {@code valid/}, {@code test/} (Parquet,
 * one row per minibatch: {@code index} long, {@code features}, {@code labels}, {@code featuresMask},
 * {@code labelsMask} as ND4J binary, the masks nullable) and {@code prepared.json} (format version,
 * the key of the data options it was made from, the description, the model's info values and the
 * minibatch counts). {@code prepared.json} is written last, so a directory without it is incomplete
 * and is prepared again. Read back in index order, the minibatches are equal, bit for bit, to the
 * ones written.
 */
public final class PreparedData {
    /** Version of the layout; reading refuses any other. */
    public static final int FORMAT_VERSION = 1;
    static final String[] SPLITS = {"train", "valid", "test"};
    private static final ObjectMapper JSON = new ObjectMapper();
    static final StructType SCHEMA = new StructType()
            .add("index", DataTypes.LongType, false)
            .add("features", DataTypes.BinaryType, false)
            .add("labels", DataTypes.BinaryType, false)
            .add("featuresMask", DataTypes.BinaryType, true)
            .add("labelsMask", DataTypes.BinaryType, true);

    private PreparedData() {
    }

    /**
     * What {@code prepared.json} records.
     *
     * @param key         identifies the task, scale, seed and data options the minibatches were made from
     * @param counts      minibatches of train, valid and test
     */
    public record Info(String key, String description, int[] info, long[] counts) {
    }

    /** The prepared data's record in {@code dir}, or null when {@code dir} holds no complete preparation. */
    public static Info readInfo(String dir, Configuration hadoop) throws IOException {
        Path file = new Path(dir, "prepared.json");
        FileSystem fs = file.getFileSystem(hadoop);
        if (!fs.exists(file)) {
            return null;
        }
        JsonNode n;
        try (var in = fs.open(file)) {
            n = JSON.readTree(in);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        int version = n.path("formatVersion").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new IOException(file + " has format version " + version + "; this job reads " + FORMAT_VERSION);
        }
        int[] info = new int[n.path("info").size()];
        for (int i = 0; i < info.length; i++) {
            info[i] = n.path("info").get(i).asInt();
        }
        long[] counts = new long[SPLITS.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = n.path("counts").path(SPLITS[i]).asLong(-1);
        }
        return new Info(n.path("key").asText(), n.path("description").asText(), info, counts);
    }

    /** Writes {@code data} to {@code dir}, replacing what is there; {@code prepared.json} last. */
    public static Info write(SparkSession spark, Task.Data data, String key, String dir) throws IOException {
        List<List<DataSet>> splits = List.of(data.train(), data.valid(), data.test());
        Path meta = new Path(dir, "prepared.json");
        FileSystem fs = meta.getFileSystem(spark.sparkContext().hadoopConfiguration());
        fs.delete(meta, false);
        long[] counts = new long[SPLITS.length];
        for (int s = 0; s < SPLITS.length; s++) {
            List<DataSet> batches = splits.get(s);
            List<Row> rows = new ArrayList<>(batches.size());
            for (int i = 0; i < batches.size(); i++) {
                DataSet d = batches.get(i);
                rows.add(RowFactory.create((long) i, encode(d.getFeatures()), encode(d.getLabels()),
                        encode(d.getFeaturesMaskArray()), encode(d.getLabelsMaskArray())));
            }
            counts[s] = rows.size();
            // a few rows per partition: the write's tasks stay small (a minibatch is up to a few MB)
            int partitions = Math.max(1, Math.min(rows.size(), 64));
            spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, partitions), SCHEMA)
                    .write().mode("overwrite").parquet(new Path(dir, SPLITS[s]).toString());
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("formatVersion", FORMAT_VERSION);
        n.put("key", key);
        n.put("description", data.description());
        var info = n.putArray("info");
        for (int v : data.info()) {
            info.add(v);
        }
        ObjectNode c = n.putObject("counts");
        for (int s = 0; s < SPLITS.length; s++) {
            c.put(SPLITS[s], counts[s]);
        }
        try (FSDataOutputStream out = fs.create(meta, true)) {
            out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
        }
        return new Info(key, data.description(), data.info().clone(), counts);
    }

    /**
     * One split's minibatches, read by the executors, in index order (a range-partitioned sort: the
     * order the trainer's layout and the evaluation depend on).
     *
     * @param split train, valid or test
     */
    public static JavaRDD<DataSet> read(SparkSession spark, String dir, String split) {
        return spark.read().schema(SCHEMA).parquet(new Path(dir, split).toString()).orderBy("index").toJavaRDD()
                .map(PreparedData::decode);
    }

    static DataSet decode(Row r) {
        return new DataSet(decode((byte[]) r.get(1)), decode((byte[]) r.get(2)), decode((byte[]) r.get(3)), decode((byte[]) r.get(4)));
    }

    static byte[] encode(INDArray a) {
        if (a == null) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Nd4j.write(a, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static INDArray decode(byte[] b) {
        if (b == null) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            return Nd4j.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("a prepared minibatch is not readable", e);
        }
    }
}
