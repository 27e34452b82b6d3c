package org.metaadamw.ml;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.metaadamw.config.ConfigEntry;
import org.metaadamw.config.MetaAdamWConf;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.spark.SparkMetaAdamW;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;

/**
 * Spark ML Estimator that trains a DL4J network with MetaAdamW on the executors' partitions of a
 * DataFrame and returns a {@link MetaAdamWModel}.
 *
 * <p>Input: a features column (ml {@code Vector} or {@code array<float|double>}, flat, as long as the
 * network's input, reshaped per row by {@link #setFeaturesShape} for convolutional or recurrent
 * inputs) and a label column (class index for a classifier, number or vector for a regressor); or,
 * for anything else (masks, labels per time step, several columns), a {@link BatchConverter}. Rows
 * become minibatches of {@code batchSize} inside each partition, on the executors; nothing is
 * collected to the driver. The network is a {@code MultiLayerConfiguration} or a single-input,
 * single-output {@code ComputationGraphConfiguration} ({@link #setNetwork}), kept as its JSON so that
 * the stage can be saved and copied.
 *
 * <p>Every {@code spark.metaadamw.*} key is a Param of the same name without the prefix (for example
 * {@code learningRate}, {@code meta.traceDecay}; {@code getParam(name)} returns it), with the registry's
 * type, default, documentation and validation. A Param that is not set takes the SparkContext's
 * {@code spark.metaadamw.*} value, then the default: explicit &gt; {@code --conf} &gt; default.
 *
 * <p>Works inside a {@code Pipeline} and under {@code CrossValidator}/{@code TrainValidationSplit}
 * (e.g. a grid over {@link #learningRate()}). Saved and loaded with {@code write().save(path)} /
 * {@link #load(String)}. Driver-side object; not thread-safe.
 */
public final class MetaAdamWEstimator extends Estimator<MetaAdamWModel> implements MLWritable {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final StageParams p;

    public MetaAdamWEstimator() {
        this(Identifiable$.MODULE$.randomUID("metaAdamW"));
    }

    public MetaAdamWEstimator(String uid) {
        this.uid = uid;
        this.p = new StageParams(this);
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

    // ---- Params a user touches most; every other key through getParam(name) or setConf ----

    /** {@code spark.metaadamw.learningRate} as a Param (for a ParamGridBuilder). */
    public DoubleParam learningRate() {
        return (DoubleParam) (Param<?>) p.of(MetaAdamWConf.LEARNING_RATE);
    }

    /** {@code spark.metaadamw.weightDecay} as a Param. */
    public DoubleParam weightDecay() {
        return (DoubleParam) (Param<?>) p.of(MetaAdamWConf.WEIGHT_DECAY);
    }

    public Param<String> controller() {
        return p.of(MetaAdamWConf.CONTROLLER);
    }

    public MetaAdamWEstimator setFeaturesCol(String v) { set(p.featuresCol, v); return this; }
    public MetaAdamWEstimator setLabelCol(String v) { set(p.labelCol, v); return this; }
    public MetaAdamWEstimator setPredictionCol(String v) { set(p.predictionCol, v); return this; }
    public MetaAdamWEstimator setProbabilityCol(String v) { set(p.probabilityCol, v); return this; }
    public MetaAdamWEstimator setEpochs(int v) { set(p.epochs, v); return this; }
    public MetaAdamWEstimator setBatchSize(int v) { set(p.batchSize, v); return this; }
    public MetaAdamWEstimator setNetwork(MultiLayerConfiguration conf) { set(p.network, conf.toJson()); return this; }

    /**
     * A graph with one input and one output (its output vertex an output layer). A graph with
     * recurrent layers needs its input type ({@code setInputTypes(InputType.recurrent(features, timeSteps))}):
     * without it DL4J does not match a per-time-step output layer to its labels.
     */
    public MetaAdamWEstimator setNetwork(ComputationGraphConfiguration conf) {
        String json = conf.toJson();
        Networks.Conf.parse(json).spec(); // refuse a graph the stages cannot train now, not at fit
        set(p.network, json);
        return this;
    }

    /**
     * The shape of one row's features (without the minibatch dimension), for networks whose input is
     * not a flat vector: {@code [channels, height, width]} for a convolutional input, {@code [features,
     * timeSteps]} for a recurrent one (DL4J's NCW). The features column holds the values flat, in
     * row-major order of that shape. Labels stay one per row (class index, number or vector): for a
     * recurrent network that means a many-to-one output (e.g. {@code LastTimeStep} or global pooling
     * before the output layer); labels per time step need a {@link #setBatchConverter BatchConverter}.
     */
    public MetaAdamWEstimator setFeaturesShape(int... shape) {
        for (int d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("featuresShape " + java.util.Arrays.toString(shape) + ": every dimension must be >= 1");
            }
        }
        set(p.featuresShape, shape.clone());
        return this;
    }

    /**
     * Rows become minibatches through this converter instead of the column convention (see
     * {@link BatchConverter}); checked now: the class must implement it and have a public no-argument constructor.
     */
    public MetaAdamWEstimator setBatchConverter(Class<? extends BatchConverter> converter) {
        RowFormat.converter(converter.getName());
        set(p.batchConverter, converter.getName());
        return this;
    }
    public MetaAdamWEstimator setLearningRate(double v) { return setConf(MetaAdamWConf.LEARNING_RATE, v); }
    public MetaAdamWEstimator setWeightDecay(double v) { return setConf(MetaAdamWConf.WEIGHT_DECAY, v); }
    public MetaAdamWEstimator setController(String v) { return setConf(MetaAdamWConf.CONTROLLER.key(), v); }
    public MetaAdamWEstimator setPreset(String v) { return setConf(MetaAdamWConf.PRESET.key(), v); }
    public MetaAdamWEstimator setNumWorkers(int v) { return setConf(MetaAdamWConf.NUM_WORKERS, v); }
    public MetaAdamWEstimator setAveragingFrequency(int v) { return setConf(MetaAdamWConf.AVERAGING_FREQUENCY, v); }
    public MetaAdamWEstimator setSeed(long v) { return setConf(MetaAdamWConf.SEED, v); }

    /**
     * Sets any {@code spark.metaadamw.*} key from its string form, with or without the prefix; an
     * unknown key fails naming the closest valid one, a bad value naming the allowed range.
     */
    public MetaAdamWEstimator setConf(String key, String value) {
        ConfigEntry<?> e = MetaAdamWConf.entry(key.startsWith(MetaAdamWConf.PREFIX) ? key : MetaAdamWConf.PREFIX + key);
        Stages.setParsed(this, p, e, value);
        return this;
    }

    private <T> MetaAdamWEstimator setConf(ConfigEntry<T> e, T value) {
        set(p.of(e), value);
        return this;
    }

    public String getFeaturesCol() { return $(p.featuresCol); }
    public String getLabelCol() { return $(p.labelCol); }
    public int getEpochs() { return (Integer) $(p.epochs); }
    public int getBatchSize() { return (Integer) $(p.batchSize); }

    /** The explicitly set {@code spark.metaadamw.*} Params as a configuration (unset keys left to SparkConf/defaults). */
    public MetaAdamWConfig explicitConfig() {
        return RegistryParams.explicitConfig(this, p.registry);
    }

    @Override
    public MetaAdamWModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema(), true);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        Networks.Conf conf = Networks.Conf.parse(isDefined(p.network) ? $(p.network) : null);
        MetaAdamWConfig cfg = SparkMetaAdamW.resolve(jsc, explicitConfig());
        Model net = conf.create();
        JavaRDD<DataSet> batches = Minibatches.of(dataset, Stages.format(this, p, conf.spec()), getBatchSize());
        SparkMetaAdamW trainer = new SparkMetaAdamW(jsc, net, cfg, null);
        try {
            trainer.fit(batches, null, getEpochs());
        } finally {
            trainer.releaseData();
        }
        var meta = trainer.metaState();
        MetaAdamWModel model = new MetaAdamWModel(uid, net, trainer.adamState(), meta, cfg, trainer.history());
        copyValues(model, ParamMap.empty());
        return (MetaAdamWModel) model.setParent(this);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (!isDefined(p.batchConverter)) {
            Stages.requireFeatures(schema, $(p.featuresCol));
            Stages.requireLabel(schema, $(p.labelCol));
        }
        NetworkSpec spec = isDefined(p.network) ? Networks.Conf.parse($(p.network)).spec() : null;
        return Stages.outputSchema(schema, $(p.predictionCol), $(p.probabilityCol), spec);
    }

    @Override
    public MetaAdamWEstimator copy(ParamMap extra) {
        return copyValues(new MetaAdamWEstimator(uid), extra);
    }

    @Override
    public MLWriter write() {
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                DefaultParamsWriter$.MODULE$.saveMetadata(MetaAdamWEstimator.this, path, sc(),
                        scala.Option.empty(), scala.Option.empty());
            }
        };
    }

    @Override
    public void save(String path) throws IOException {
        write().save(path);
    }

    /** Reader of a saved estimator (Spark ML calls {@code read()} by reflection). */
    public static MLReader<MetaAdamWEstimator> read() {
        return new MLReader<>() {
            @Override
            public MetaAdamWEstimator load(String path) {
                DefaultParamsReader.Metadata md = org.apache.spark.ml.util.DefaultParamsReader$.MODULE$.loadMetadata(path, sc(),
                        MetaAdamWEstimator.class.getName());
                MetaAdamWEstimator e = new MetaAdamWEstimator(md.uid());
                md.getAndSetParams(e, scala.Option.empty());
                return e;
            }
        };
    }

    public static MetaAdamWEstimator load(String path) {
        return read().load(path);
    }
}
