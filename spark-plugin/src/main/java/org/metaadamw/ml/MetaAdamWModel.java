package org.metaadamw.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.meta.MetaState;
import org.metaadamw.train.RoundRecord;
import org.metaadamw.update.AdamWState;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network trained by {@link MetaAdamWEstimator}. {@link #transform} runs inference on the executors
 * and appends the prediction column (class index for a classifier, value or Vector for a regressor)
 * and, for classifiers, the probability column.
 *
 * <p>Saved layout ({@code write().save(path)}, any Hadoop FileSystem):
 * {@code metadata/} (Spark ML's Params metadata), {@code network.zip} (a DL4J model zip that plain
 * DL4J loads with {@code ModelSerializer.restoreMultiLayerNetwork} or {@code restoreComputationGraph}), {@code optimizer.bin} (AdamW m and
 * v, ND4J binary), {@code metaadamw.json} (format version, step, versions, the resolved configuration)
 * and {@code meta-state.json} (the MetaAdamW controller's state, when it was the controller).
 * Loading checks the format version and names the file that is missing or unreadable.
 *
 * <p>Accessors return copies; the model is not thread-safe for concurrent transform and save.
 */
public final class MetaAdamWModel extends Model<MetaAdamWModel> implements MLWritable {
    private static final long serialVersionUID = 1L;
    /** Version of the saved layout; loading refuses any other. */
    public static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String uid;
    private final StageParams p;
    private final transient org.deeplearning4j.nn.api.Model net;
    private final transient AdamWState adam;
    private final transient MetaState metaState;
    private final MetaAdamWConfig trainedWith;
    private final List<RoundRecord> history;

    MetaAdamWModel(String uid, org.deeplearning4j.nn.api.Model net, AdamWState adam, MetaState metaState, MetaAdamWConfig trainedWith,
                   List<RoundRecord> history) {
        this.uid = uid;
        this.p = new StageParams(this);
        this.net = net;
        this.adam = adam;
        this.metaState = metaState;
        this.trainedWith = trainedWith;
        this.history = List.copyOf(history);
        Stages.setDefaults(this, p);
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public Param<?>[] params() {
        return p.all();
    }

    public MetaAdamWModel setFeaturesCol(String v) { set(p.featuresCol, v); return this; }
    public MetaAdamWModel setPredictionCol(String v) { set(p.predictionCol, v); return this; }
    public MetaAdamWModel setProbabilityCol(String v) { set(p.probabilityCol, v); return this; }
    public MetaAdamWModel setBatchSize(int v) { set(p.batchSize, v); return this; }

    /**
     * A copy of the trained network (plain DL4J): a {@code MultiLayerNetwork} or a
     * {@code ComputationGraph}, whichever the Estimator was given.
     */
    public org.deeplearning4j.nn.api.Model network() {
        return Networks.copy(net);
    }

    /** The resolved configuration the model was trained with. */
    public MetaAdamWConfig config() {
        return trainedWith;
    }

    /** A copy of the AdamW state at the end of training. */
    public AdamWState adamState() {
        return adam.copy();
    }

    /** The MetaAdamW controller's state at the end of training, or null for other controllers. */
    public MetaState metaState() {
        return metaState;
    }

    /** Per-round history of the training run (empty for a loaded model). Unmodifiable. */
    public List<RoundRecord> history() {
        return history;
    }

    private NetworkSpec spec() {
        return Networks.spec(net);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema(), true);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        NetworkSpec spec = spec();
        Broadcast<byte[]> bc = jsc.broadcast(Networks.zip(net));
        JavaRDD<Row> rows = dataset.toDF().javaRDD()
                .mapPartitions(new Predictor(bc, Stages.format(this, p, spec), (Integer) $(p.batchSize), spec));
        return dataset.sparkSession().createDataFrame(rows, out);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (!isDefined(p.batchConverter)) {
            Stages.requireFeatures(schema, $(p.featuresCol));
        }
        return Stages.outputSchema(schema, $(p.predictionCol), $(p.probabilityCol), spec());
    }

    @Override
    public MetaAdamWModel copy(ParamMap extra) {
        MetaAdamWModel m = new MetaAdamWModel(uid, Networks.copy(net), adam.copy(), metaState, trainedWith, history);
        copyValues(m, extra);
        return (MetaAdamWModel) m.setParent(parent());
    }

    // ---- persistence ----

    @Override
    public MLWriter write() {
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                DefaultParamsWriter$.MODULE$.saveMetadata(MetaAdamWModel.this, path, sc(), scala.Option.empty(), scala.Option.empty());
                try {
                    Path dir = new Path(path);
                    FileSystem fs = dir.getFileSystem(sc().hadoopConfiguration());
                    write(fs, new Path(dir, "network.zip"), Networks.zip(net));
                    ByteArrayOutputStream opt = new ByteArrayOutputStream();
                    try (DataOutputStream out = new DataOutputStream(opt)) {
                        Nd4j.write(adam.m(), out);
                        Nd4j.write(adam.v(), out);
                    }
                    write(fs, new Path(dir, "optimizer.bin"), opt.toByteArray());
                    ObjectNode info = JSON.createObjectNode();
                    info.put("formatVersion", FORMAT_VERSION);
                    info.put("adamStep", adam.step());
                    info.put("library", String.valueOf(MetaAdamWModel.class.getPackage().getImplementationVersion()));
                    info.put("dl4j", String.valueOf(MultiLayerNetwork.class.getPackage().getImplementationVersion()));
                    info.put("spark", sc().version());
                    info.putPOJO("config", trainedWith.toStringMap());
                    write(fs, new Path(dir, "metaadamw.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(info));
                    if (metaState != null) {
                        write(fs, new Path(dir, "meta-state.json"), metaState.toJson().getBytes(StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot save the model to " + path + ": " + e.getMessage(), e);
                }
            }
        };
    }

    @Override
    public void save(String path) throws IOException {
        write().save(path);
    }

    private static void write(FileSystem fs, Path file, byte[] bytes) throws IOException {
        try (FSDataOutputStream out = fs.create(file, true)) {
            out.write(bytes);
        }
    }

    private static byte[] read(FileSystem fs, Path file) throws IOException {
        if (!fs.exists(file)) {
            throw new IOException("saved model is incomplete: " + file + " is missing");
        }
        try (FSDataInputStream in = fs.open(file)) {
            return in.readAllBytes();
        }
    }

    /** Reader of a saved model (Spark ML calls {@code read()} by reflection, e.g. from {@code PipelineModel.load}). */
    public static MLReader<MetaAdamWModel> read() {
        return new MLReader<>() {
            @Override
            public MetaAdamWModel load(String path) {
                DefaultParamsReader.Metadata md = DefaultParamsReader$.MODULE$.loadMetadata(path, sc(), MetaAdamWModel.class.getName());
                Path dir = new Path(path);
                try {
                    FileSystem fs = dir.getFileSystem(sc().hadoopConfiguration());
                    Path infoFile = new Path(dir, "metaadamw.json");
                    JsonNode info;
                    try {
                        info = JSON.readTree(read(fs, infoFile));
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new IOException(infoFile + " is not valid JSON: " + e.getOriginalMessage(), e);
                    }
                    int version = info.path("formatVersion").asInt(-1);
                    if (version != FORMAT_VERSION) {
                        throw new IOException(infoFile + " has format version " + version + "; this library reads " + FORMAT_VERSION);
                    }
                    org.deeplearning4j.nn.api.Model n = Networks.restore(read(fs, new Path(dir, "network.zip")));
                    Path optFile = new Path(dir, "optimizer.bin");
                    INDArray m, v;
                    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(read(fs, optFile)))) {
                        m = Nd4j.read(in);
                        v = Nd4j.read(in);
                    } catch (RuntimeException e) {
                        throw new IOException(optFile + " is not readable: " + e.getMessage(), e);
                    }
                    if (m.length() != n.numParams() || v.length() != n.numParams()) {
                        throw new IOException(optFile + " holds an Adam state of " + m.length() + " values for a network of "
                                + n.numParams() + " parameters");
                    }
                    Map<String, String> conf = new LinkedHashMap<>();
                    info.path("config").fields().forEachRemaining(f -> conf.put(f.getKey(), f.getValue().asText()));
                    Path metaFile = new Path(dir, "meta-state.json");
                    MetaState meta = fs.exists(metaFile)
                            ? MetaState.fromJson(new String(read(fs, metaFile), StandardCharsets.UTF_8), metaFile.toString()) : null;
                    MetaAdamWModel model = new MetaAdamWModel(md.uid(), n, new AdamWState(m, v, info.path("adamStep").asLong()), meta,
                            MetaAdamWConfig.fromMap(conf), Collections.emptyList());
                    md.getAndSetParams(model, scala.Option.empty());
                    return model;
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot load the model from " + path + ": " + e.getMessage(), e);
                }
            }
        };
    }

    public static MetaAdamWModel load(String path) {
        return read().load(path);
    }
}
