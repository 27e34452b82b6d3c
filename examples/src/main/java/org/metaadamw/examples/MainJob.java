package org.metaadamw.examples;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.examples.io.DataPaths;
import org.metaadamw.examples.io.ImageData;
import org.metaadamw.ml.Minibatches;
import org.metaadamw.spark.SparkMetaAdamW;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The main job: MetaAdamW against AdamW on Fashion-MNIST (real data from the Debian package) with the
 * Spark trainer, same network, data, seeds, workers and step budget; prints a result table and
 * writes a JSON report. Without {@code --master} (and outside spark-submit) it runs in local mode.
 *
 * <p>Options: {@code --master M} (default local[2]), {@code --workers N} (default 2), {@code --train N}
 * (examples, default 10000), {@code --test N} (default 2000), {@code --epochs N} (default 3),
 * {@code --report PATH} (default reports/main-job.json), {@code --checkpoint DIR} (each run checkpoints
 * to DIR/adamw and DIR/metaadamw at every epoch end and every {@code spark.metaadamw.checkpoint.interval}
 * rounds), {@code --resume} (continue both runs from their newest checkpoints; the results equal an
 * uninterrupted job's, the wall times count only what ran after the resume).
 */
public final class MainJob {
    private MainJob() {
    }

    record Result(String optimizer, double testLoss, double accuracy, int epochs, double seconds, String multipliers,
                  String paramsSha256) {
    }

    /** The shared base learning rate of both runs (the project's default; not tuned for either optimizer). */
    static final double DEFAULT_LR = 1e-3;

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = Args.parse(args);
        if (opt.containsKey("help")) {
            System.out.println("usage: MainJob [--master M] [--workers N] [--train N] [--test N] [--epochs N] [--lr X] [--report PATH]"
                    + " [--checkpoint DIR [--resume]]");
            return;
        }
        Args.requireKnown(opt, java.util.Set.of("master", "workers", "train", "test", "epochs", "lr", "report", "checkpoint", "resume"),
                k -> false);
        int nTrain = TaskJob.intOption(opt, "train", 10000, 1);
        int nTest = TaskJob.intOption(opt, "test", 2000, 1);
        int epochs = TaskJob.intOption(opt, "epochs", 3, 1);
        double lr;
        try {
            lr = Double.parseDouble(opt.getOrDefault("lr", String.valueOf(DEFAULT_LR)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--lr must be a number (got '" + opt.get("lr") + "')");
        }
        String checkpoint = opt.get("checkpoint");
        boolean resume = opt.containsKey("resume");
        if (resume && checkpoint == null) {
            throw new IllegalArgumentException("--resume needs --checkpoint DIR");
        }
        Path report = Path.of(opt.getOrDefault("report", "reports/main-job.json"));
        DataSet test = ImageData.fashionMnist(false, nTest, true);
        System.out.printf(Locale.ROOT, "Fashion-MNIST: %d training / %d test images, MLP 784-128-10, %d epochs, batch 64, "
                + "shared base learning rate %.0e, weight decay 1e-2%n", nTrain, nTest, epochs, lr);
        int workers = TaskJob.intOption(opt, "workers", 2, 1);
        SparkConf conf = new SparkConf().setAppName("metaadamw-main-job");
        if (opt.containsKey("master") || !conf.contains("spark.master")) {
            conf.setMaster(opt.getOrDefault("master", "local[2]"));
        }
        if (conf.contains(org.metaadamw.config.MetaAdamWConf.CHECKPOINT_DIR.key())) {
            throw new IllegalArgumentException("this job keeps one checkpoint directory per run: give --checkpoint DIR instead of "
                    + org.metaadamw.config.MetaAdamWConf.CHECKPOINT_DIR.key());
        }
        if (!conf.contains("spark.ui.enabled")) {
            conf.set("spark.ui.enabled", "false");
        }
        List<Result> results = new ArrayList<>();
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            System.out.printf(Locale.ROOT, "Spark master %s, %d workers%n", sc.master(), workers);
            // the training data is read by the executors from Parquet (written once from the IDX files)
            SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
            Dataset<Row> rows = spark.read().parquet(trainingParquet(spark, nTrain).toString());
            JavaRDD<DataSet> rdd = Minibatches.of(rows, "features", "label", 64, network());
            // one discarded epoch, so that neither measured run pays the JIT and native warm-up
            System.out.println("warm-up epoch (not measured)");
            run(sc, rdd, workers, "metaadamw", lr, test, 1, new StringBuilder(), null, false);
            StringBuilder story = new StringBuilder();
            for (String controller : new String[]{"adamw", "metaadamw"}) {
                results.add(run(sc, rdd, workers, controller, lr, test, epochs, story,
                        checkpoint == null ? null : checkpoint + "/" + controller, resume));
            }
            System.out.println();
            System.out.print(story);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "| %-10s | %-9s | %-8s | %-6s | %-9s |%n", "optimizer", "test loss", "accuracy", "epochs", "wall (s)");
        System.out.println("|------------|-----------|----------|--------|-----------|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %-10s | %9.4f | %8.4f | %6d | %9.1f |%n", r.optimizer(), r.testLoss(), r.accuracy(),
                    r.epochs(), r.seconds());
        }
        System.out.println();
        Result a = results.get(0), m = results.get(1);
        System.out.printf(Locale.ROOT, "At the same base learning rate, MetaAdamW %s AdamW: accuracy %+.2f points, test loss %+.4f, wall time %+.0f %%.%n",
                m.accuracy() > a.accuracy() ? "beat" : m.accuracy() < a.accuracy() ? "lost to" : "tied with",
                100 * (m.accuracy() - a.accuracy()), m.testLoss() - a.testLoss(), 100 * (m.seconds() / a.seconds() - 1));
        if (report.getParent() != null) {
            Files.createDirectories(report.getParent());
        }
        StringBuilder json = new StringBuilder("{\"task\":\"fashion-mnist\",\"train\":" + nTrain + ",\"test\":" + nTest + ",\"results\":[");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            json.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
                    "{\"optimizer\":\"%s\",\"testLoss\":%.6f,\"accuracy\":%.6f,\"epochs\":%d,\"seconds\":%.3f,\"paramsSha256\":\"%s\"}",
                    r.optimizer(), r.testLoss(), r.accuracy(), r.epochs(), r.seconds(), r.paramsSha256()));
        }
        json.append("]}\n");
        Files.writeString(report, json, StandardCharsets.UTF_8);
        System.out.println("report written to " + report.toAbsolutePath());
    }

    /**
     * The first {@code n} Fashion-MNIST training images as Parquet (features: array of 784 floats in
     * [0, 1], label: class index), under the data directory; written once, by one task, in IDX order.
     */
    static Path trainingParquet(SparkSession spark, int n) throws IOException {
        Path dir = DataPaths.dataset("fashion-mnist").resolve("parquet").resolve("train-" + n);
        if (!Files.exists(dir.resolve("_SUCCESS"))) {
            System.out.println("writing " + dir + " (once)");
            org.metaadamw.examples.io.ImageParquet.writeFashionMnist(spark, true, n, dir.toString());
        }
        return dir;
    }

    static MultiLayerConfiguration network() {
        return new NeuralNetConfiguration.Builder().seed(123).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(128).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build();
    }

    /**
     * One run of {@code epochs} epochs (one fit call each); with {@code checkpointDir}, checkpointed
     * there, and continued from there when {@code resume}.
     */
    static Result run(JavaSparkContext sc, JavaRDD<DataSet> train, int workers, String controller, double lr, DataSet test, int epochs,
                      StringBuilder story, String checkpointDir, boolean resume) {
        MultiLayerNetwork net = new MultiLayerNetwork(network());
        net.init();
        var b = MetaAdamWConfig.builder().controller(controller).learningRate(lr).weightDecay(1e-2)
                .averagingFrequency(5).numWorkers(workers);
        b.setString(org.metaadamw.config.MetaAdamWConf.CHECKPOINT_DIR.key(), checkpointDir == null ? "" : checkpointDir);
        SparkMetaAdamW trainer = new SparkMetaAdamW(sc, net, b.build());
        long perEpoch = trainer.roundsPerEpoch(train, null);
        int first = 0;
        if (resume && trainer.resume()) {
            first = (int) Math.min(epochs, trainer.history().size() / perEpoch);
            System.out.printf(Locale.ROOT, "  %-9s resumed from %s at round %d (epoch %d)%n", controller, checkpointDir,
                    trainer.history().size(), first + 1);
        }
        long t0 = System.nanoTime();
        for (int e = first; e < epochs; e++) {
            trainer.fit(train, null, 1);   // after a resume mid-epoch, this continues the checkpointed call
            double elapsed = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "  %-9s epoch %d/%d  test loss %.4f  elapsed %5.1fs  ETA %5.1fs%n", controller, e + 1,
                    epochs, net.score(test), elapsed, elapsed / (e + 1 - first) * (epochs - e - 1));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        trainer.releaseData();
        if (!controller.equals("adamw")) {
            describe(trainer, story);
        }
        var eval = net.evaluate(new ListDataSetIterator<>(test.batchBy(500), 1));
        return new Result(controller, net.score(test), eval.accuracy(), epochs, seconds, trainer.modulation().toString(),
                TaskRunner.sha256(net.params()));
    }

    /** What the meta-learner did: per group, α and β at the first, middle and last round; the global scale e^ρ. */
    static void describe(SparkMetaAdamW trainer, StringBuilder out) {
        var h = trainer.history();
        var names = trainer.groups().names();
        int n = h.size();
        out.append(String.format(Locale.ROOT, "What MetaAdamW did over %d rounds (effective learning rate of a group = base lr × α):%n", n));
        out.append(String.format(Locale.ROOT, "  %-28s %21s %21s%n", "group", "α: start/mid/end", "β: start/mid/end"));
        for (int g = 0; g < names.size(); g++) {
            out.append(String.format(Locale.ROOT, "  %-28s %6.3f %6.3f %6.3f   %6.3f %6.3f %6.3f%n", names.get(g),
                    h.get(0).alpha()[g], h.get(n / 2).alpha()[g], h.get(n - 1).alpha()[g],
                    h.get(0).beta()[g], h.get(n / 2).beta()[g], h.get(n - 1).beta()[g]));
        }
        Double scale = h.get(n - 1).metrics().get("scale");
        if (scale != null) {
            out.append(String.format(Locale.ROOT, "  global step scale e^ρ at the end: %.3f (%s the shared base learning rate)%n", Math.exp(scale),
                    scale > 0.05 ? "raises" : scale < -0.05 ? "lowers" : "keeps"));
        }
    }
}
