package org.metaadamw.bench;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.examples.io.ImageData;
import org.metaadamw.spark.SparkMetaAdamW;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Per-epoch cost of a training round on Spark, side by side in one run ({@code local[2]} by default):
 * (a) DL4J's ParameterAveragingTrainingMaster with Adam + decoupled weight decay, (b) this trainer with
 * the {@code adamw} controller, (c) this trainer with {@code metaadamw}, (d) the same with
 * {@code meta.costBudget=0.05} (validation passes and meta-steps every 6th round at K = 5), (e) {@code metaadamw} with
 * {@code meta.signal=training} (meta-signals from the local steps, no validation pass). Same CNN, data, seeds, worker
 * count and averaging frequency; the runs take their epochs in turn so machine noise hits all.
 *
 * <p>Options: {@code --master M} (local[2]), {@code --train N} (6000 Fashion-MNIST images),
 * {@code --epochs N} (measured epochs, 3; one warm-up epoch precedes), {@code --batch N} (32),
 * {@code --k N} (averaging frequency, 5), {@code --report PATH} (reports/spark-benchmark.json).
 */
public final class SparkRoundBenchmark {
    private SparkRoundBenchmark() {
    }

    static MultiLayerNetwork cnn(boolean dl4jDecay, double lr, double lambda) {
        var reg = dl4jDecay ? List.<org.nd4j.linalg.learning.regularization.Regularization>of(new WeightDecay(lambda, true)) : List.<org.nd4j.linalg.learning.regularization.Regularization>of();
        var conf = new NeuralNetConfiguration.Builder().seed(42).weightInit(WeightInit.XAVIER).updater(new Adam(lr)).list()
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(8).activation(Activation.RELU).regularization(reg).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(64).activation(Activation.RELU).regularization(reg).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX)
                        .regularization(reg).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1)).build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    public static void main(String[] args) throws Exception {
        var opt = org.metaadamw.examples.Args.parse(args);
        if (opt.containsKey("help")) {
            System.out.println("usage: SparkRoundBenchmark [--master M] [--train N] [--epochs N] [--batch N] [--k N] [--report PATH]");
            return;
        }
        String master = opt.getOrDefault("master", "local[2]");
        int nTrain = Integer.parseInt(opt.getOrDefault("train", "6000"));
        int epochs = Integer.parseInt(opt.getOrDefault("epochs", "3"));
        int batch = Integer.parseInt(opt.getOrDefault("batch", "32"));
        int k = Integer.parseInt(opt.getOrDefault("k", "5"));
        Path report = Path.of(opt.getOrDefault("report", "reports/spark-benchmark.json"));
        double lr = 1e-3, lambda = 1e-2;
        int workers = 2;

        DataSet train = ImageData.fashionMnist(true, nTrain, true);
        DataSet test = ImageData.fashionMnist(false, 2000, true);
        SparkConf conf = new SparkConf().setMaster(master).setAppName("metaadamw-spark-benchmark")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            JavaRDD<DataSet> rdd = sc.parallelize(train.batchBy(batch), workers).cache();
            rdd.count();
            MultiLayerNetwork netA = cnn(true, lr, lambda), netB = cnn(false, lr, lambda), netC = cnn(false, lr, lambda);
            var tm = new ParameterAveragingTrainingMaster.Builder(workers, batch).batchSizePerWorker(batch).averagingFrequency(k)
                    .workerPrefetchNumBatches(0).saveUpdater(true).repartionData(Repartition.Never).rngSeed(7).build();
            SparkDl4jMultiLayer a = new SparkDl4jMultiLayer(sc, netA, tm);
            MetaAdamWConfig base = MetaAdamWConfig.builder().learningRate(lr).weightDecay(lambda).averagingFrequency(k)
                    .numWorkers(workers).build();
            SparkMetaAdamW b = new SparkMetaAdamW(sc, netB, base.toBuilder().controller("adamw").build());
            SparkMetaAdamW c = new SparkMetaAdamW(sc, netC, base.toBuilder().controller("metaadamw").build());
            MultiLayerNetwork netD = cnn(false, lr, lambda);
            SparkMetaAdamW d = new SparkMetaAdamW(sc, netD, base.toBuilder().controller("metaadamw").metaCostBudget(0.05).build());
            MultiLayerNetwork netE = cnn(false, lr, lambda);
            SparkMetaAdamW e5 = new SparkMetaAdamW(sc, netE, base.toBuilder().controller("metaadamw").metaSignal("training").build());
            String[] names = {"(a) DL4J ParameterAveragingTrainingMaster + AdamW", "(b) SparkMetaAdamW, controller adamw",
                    "(c) SparkMetaAdamW, controller metaadamw", "(d) SparkMetaAdamW, metaadamw, meta.costBudget=0.05",
                    "(e) SparkMetaAdamW, metaadamw, meta.signal=training"};
            int runs = names.length;
            double[][] seconds = new double[runs][epochs];
            double ratio = Double.NaN;
            long statsBytes = 0;
            long params = netB.numParams();
            System.out.printf(Locale.ROOT, "%s, %d workers, K=%d, CNN with %d parameters, %d minibatches of %d per epoch%n",
                    master, workers, k, params, (nTrain + batch - 1) / batch, batch);
            for (int e = -1; e < epochs; e++) {
                for (int which = 0; which < runs; which++) {
                    long t0 = System.nanoTime();
                    switch (which) {
                        case 0 -> a.fit(rdd);
                        case 1 -> b.fit(rdd, null, 1);
                        case 2 -> c.fit(rdd, null, 1);
                        case 3 -> d.fit(rdd, null, 1);
                        default -> e5.fit(rdd, null, 1);
                    }
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (which == 2) {
                        ratio = c.metrics().statisticsToParameterRatio();
                        statsBytes = c.metrics().statisticsBytes() / workers;
                    }
                    if (e >= 0) {
                        seconds[which][e] = s;
                    }
                    System.out.printf(Locale.ROOT, "  epoch %s %-50s %6.2f s%n", e < 0 ? "warm-up" : String.valueOf(e + 1), names[which], s);
                }
            }
            double[] median = new double[runs], acc = new double[runs];
            MultiLayerNetwork[] nets = {netA, netB, netC, netD, netE};
            for (int i = 0; i < runs; i++) {
                double[] sorted = seconds[i].clone();
                Arrays.sort(sorted);
                median[i] = sorted[sorted.length / 2];
                acc[i] = nets[i].evaluate(new ListDataSetIterator<>(test.batchBy(500), 1)).accuracy();
            }
            System.out.println();
            System.out.println("| run | median s/epoch | test accuracy |");
            System.out.println("|---|---|---|");
            for (int i = 0; i < runs; i++) {
                System.out.printf(Locale.ROOT, "| %s | %.2f | %.4f |%n", names[i], median[i], acc[i]);
            }
            System.out.printf(Locale.ROOT, "%n(b)/(a) = %.3f   (target <= 1.0)%n", median[1] / median[0]);
            System.out.printf(Locale.ROOT, "(c)/(b) = %.3f   (target <= 1.05)%n", median[2] / median[1]);
            System.out.printf(Locale.ROOT, "(d)/(b) = %.3f   (target <= 1.05)%n", median[3] / median[1]);
            System.out.printf(Locale.ROOT, "(e)/(b) = %.3f   (target <= 1.05)%n", median[4] / median[1]);
            System.out.printf(Locale.ROOT, "statistics bytes per worker and round = %d, parameter bytes = %d, ratio = %.5f (target <= 0.01)%n",
                    statsBytes, params * 4, ratio);
            if (report.getParent() != null) {
                Files.createDirectories(report.getParent());
            }
            List<String> rows = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                rows.add(String.format(Locale.ROOT, "{\"run\":\"%s\",\"secondsPerEpoch\":%s,\"medianSecondsPerEpoch\":%.4f,\"testAccuracy\":%.5f}",
                        names[i], Arrays.toString(seconds[i]), median[i], acc[i]));
            }
            String json = String.format(Locale.ROOT, "{\"master\":\"%s\",\"workers\":%d,\"averagingFrequency\":%d,\"parameters\":%d,"
                            + "\"trainImages\":%d,\"batch\":%d,\"runs\":[%s],\"ratioBA\":%.4f,\"ratioCB\":%.4f,\"ratioDB\":%.4f,\"ratioEB\":%.4f,\"statisticsBytesPerWorker\":%d,"
                            + "\"statisticsToParameterBytes\":%.6f}%n", master, workers, k, params, nTrain, batch, String.join(",", rows),
                    median[1] / median[0], median[2] / median[1], median[3] / median[1], median[4] / median[1], statsBytes, ratio);
            Files.writeString(report, json, StandardCharsets.UTF_8);
            System.out.println("report written to " + report.toAbsolutePath());
        }
    }
}
