package org.metaadamw.examples;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.metaadamw.ml.Minibatches;
import org.metaadamw.spark.SparkMetaAdamW;
import org.metaadamw.train.RoundRecord;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Data larger than the driver's heap, written and read by the executors only: generates a labelled
 * Parquet data set on the executors (rows of {@code --dim} uniform features, the label the argmax of a
 * fixed random linear teacher; 4 bytes per feature, incompressible), then trains an MLP on it with
 * MetaAdamW for one epoch. Prints {@code METAADAMW_DATA parquetBytes=... driverMaxHeap=...} and the
 * first and last rounds' training loss. Used by the integration suite with a small driver heap.
 *
 * <p>Options: {@code --out PATH} (Parquet directory, any Hadoop path; reused when complete),
 * {@code --rows N} (800000), {@code --dim D} (256), {@code --batch B} (500).
 */
public final class ExecutorDataJob {
    private ExecutorDataJob() {
    }

    static final int CLASSES = 10;

    /** Rows [from, to) of the synthetic set: features from a per-row seeded generator, label from the teacher. */
    static final class Generate implements MapPartitionsFunction<Long, Row> {
        private static final long serialVersionUID = 1L;
        private final int dim;

        Generate(int dim) {
            this.dim = dim;
        }

        @Override
        public Iterator<Row> call(Iterator<Long> ids) {
            SplittableRandom teacherRng = new SplittableRandom(42);
            double[][] w = new double[CLASSES][dim];
            for (double[] r : w) {
                for (int j = 0; j < dim; j++) {
                    r[j] = teacherRng.nextDouble(-1, 1);
                }
            }
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return ids.hasNext();
                }

                @Override
                public Row next() {
                    return row(ids.next(), w);
                }
            };
        }

        private Row row(long id, double[][] w) {
            // not id·γ + c: SplittableRandom advances its seed by γ = 0x9E3779B97F4A7C15, so such seeds give shifted copies of one stream
            SplittableRandom rng = new SplittableRandom(Long.rotateLeft(id * 0xBF58476D1CE4E5B9L, 31) ^ 0x94D049BB133111EBL);
            Float[] x = new Float[dim];
            for (int j = 0; j < dim; j++) {
                x[j] = (float) rng.nextDouble();
            }
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < CLASSES; k++) {
                double s = 0;
                for (int j = 0; j < dim; j++) {
                    s += w[k][j] * (x[j] - 0.5);
                }
                if (s > bestScore) {
                    bestScore = s;
                    best = k;
                }
            }
            return RowFactory.create(x, (double) best);
        }
    }

    public static void main(String[] args) throws Exception {
        var opt = Args.parse(args);
        String out = opt.getOrDefault("out", "target/executor-data");
        long rows = Long.parseLong(opt.getOrDefault("rows", "800000"));
        int dim = Integer.parseInt(opt.getOrDefault("dim", "256"));
        int batch = Integer.parseInt(opt.getOrDefault("batch", "500"));
        SparkConf conf = new SparkConf().setAppName("metaadamw-executor-data");
        if (!conf.contains("spark.master")) {
            conf.setMaster("local[2]");
        }
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
            Path dir = new Path(out);
            FileSystem fs = dir.getFileSystem(sc.hadoopConfiguration());
            if (!fs.exists(new Path(dir, "_SUCCESS"))) {
                StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
                        .add("label", DataTypes.DoubleType, false);
                spark.range(0, rows, 1, Math.max(2, (int) (rows / 50_000))).as(Encoders.LONG()).mapPartitions(new Generate(dim), Encoders.row(schema))
                        .write().mode("overwrite").parquet(out);
            }
            long bytes = fs.getContentSummary(dir).getLength();
            Dataset<Row> data = spark.read().parquet(out);
            if (opt.containsKey("show")) {
                System.out.println("rows " + data.count());
                data.show(3, 80);
            }
            MultiLayerConfiguration netConf = new NeuralNetConfiguration.Builder().seed(3).weightInit(WeightInit.XAVIER).list()
                    .layer(new DenseLayer.Builder().nIn(dim).nOut(32).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(32).nOut(CLASSES)
                            .activation(Activation.SOFTMAX).build())
                    .build();
            MultiLayerNetwork net = new MultiLayerNetwork(netConf);
            net.init();
            SparkMetaAdamW trainer = new SparkMetaAdamW(sc, net, org.metaadamw.config.MetaAdamWConfig.defaults());
            JavaRDD<DataSet> batches = Minibatches.of(data, "features", "label", batch, netConf);
            trainer.fit(batches, null, 1);
            trainer.releaseData();
            List<RoundRecord> h = trainer.history();
            Args.printResult("METAADAMW_DATA parquetBytes=%d driverMaxHeap=%d rounds=%d firstLoss=%.5f lastLoss=%.5f workers=%d",
                    bytes, Runtime.getRuntime().maxMemory(), h.size(), h.get(0).lossTrain(), h.get(h.size() - 1).lossTrain(),
                    trainer.workers());
        }
    }
}
