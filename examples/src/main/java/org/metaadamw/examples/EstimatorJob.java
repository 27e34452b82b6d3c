package org.metaadamw.examples;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.metaadamw.ml.MetaAdamWEstimator;
import org.metaadamw.ml.MetaAdamWModel;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The Spark ML path end to end on a cluster: reads training and test rows from Parquet (any Hadoop
 * path; columns {@code features}: array of floats, {@code label}: class index, as
 * {@link org.metaadamw.examples.io.ImageParquet} writes them), fits {@link MetaAdamWEstimator} (an MLP
 * 784-64-10; every {@code spark.metaadamw.*} setting of the submission applies), saves the model to
 * {@code --model}, loads it back and checks that the loaded model predicts exactly what the fitted one
 * does. Prints {@code METAADAMW_ESTIMATOR accuracy=... mismatches=... rows=...}; exits with status 1
 * when a prediction differs or the test accuracy is below {@code --minAccuracy}.
 *
 * <p>Options: {@code --train PATH}, {@code --test PATH}, {@code --model PATH} (required),
 * {@code --epochs N} (2), {@code --minAccuracy X} (0.7).
 */
public final class EstimatorJob {
    private EstimatorJob() {
    }

    public static void main(String[] args) throws Exception {
        var opt = Args.parse(args);
        Args.requireKnown(opt, Set.of("train", "test", "model", "epochs", "minAccuracy"), k -> false);
        if (opt.containsKey("help") || !opt.keySet().containsAll(List.of("train", "test", "model"))) {
            System.out.println("usage: spark-submit --class " + EstimatorJob.class.getName()
                    + " <jar> --train PATH --test PATH --model PATH [--epochs N] [--minAccuracy X]");
            if (!opt.containsKey("help")) {
                System.exit(2);
            }
            return;
        }
        int epochs = TaskJob.intOption(opt, "epochs", 2, 1);
        double minAccuracy = Double.parseDouble(opt.getOrDefault("minAccuracy", "0.7"));
        SparkSession spark = SparkSession.builder().appName("metaadamw-estimator").getOrCreate();
        double accuracy;
        long mismatches, rows;
        try {
            Dataset<Row> train = spark.read().parquet(opt.get("train"));
            Dataset<Row> test = spark.read().parquet(opt.get("test"));
            MetaAdamWEstimator est = new MetaAdamWEstimator().setNetwork(ClusterSmokeJob.network())
                    .setFeaturesCol("features").setLabelCol("label").setEpochs(epochs).setBatchSize(50);
            MetaAdamWModel model = est.fit(train);
            model.write().overwrite().save(opt.get("model"));
            MetaAdamWModel loaded = MetaAdamWModel.load(opt.get("model"));
            List<Row> fitted = model.transform(test).select("label", "prediction", "probability").collectAsList();
            List<Row> reread = loaded.transform(test).select("label", "prediction", "probability").collectAsList();
            rows = fitted.size();
            long correct = 0, differ = 0;
            for (int i = 0; i < fitted.size(); i++) {
                Row a = fitted.get(i), b = reread.get(i);
                correct += a.getDouble(0) == a.getDouble(1) ? 1 : 0;
                differ += a.getDouble(1) != b.getDouble(1) || !a.get(2).equals(b.get(2)) ? 1 : 0;
            }
            differ += Math.abs(fitted.size() - reread.size());
            mismatches = differ;
            accuracy = rows == 0 ? 0 : (double) correct / rows;
            Args.printResult("METAADAMW_ESTIMATOR accuracy=%.4f mismatches=%d rows=%d rounds=%d model=%s", accuracy,
                    mismatches, rows, model.history().size(), opt.get("model"));
        } finally {
            spark.stop();
        }
        if (mismatches > 0 || !(accuracy >= minAccuracy)) {
            System.err.printf(Locale.ROOT, "%d predictions of the loaded model differ; accuracy %.4f (minimum %.4f)%n", mismatches,
                    accuracy, minAccuracy);
            System.exit(1);
        }
    }
}
