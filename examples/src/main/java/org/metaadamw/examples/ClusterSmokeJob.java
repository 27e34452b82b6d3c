package org.metaadamw.examples;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.examples.io.ImageData;
import org.metaadamw.spark.SparkMetaAdamW;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A short real training run for a real cluster: an MLP on a Fashion-MNIST subset with MetaAdamW,
 * configured from the {@code spark.metaadamw.*} settings of the submission. Prints
 * {@code METAADAMW_RESULT loss=... accuracy=...} and exits with status 1 when the test loss is not
 * below {@code --maxLoss}. Submit with spark-submit (the master comes from the submission).
 *
 * <p>Options: {@code --train N} (3000), {@code --epochs N} (2), {@code --maxLoss X} (0.8),
 * {@code --checkpoint DIR} (checkpoints every {@code --checkpointEvery} rounds, default 3, and at epoch
 * ends), {@code --resume} (continue from the newest checkpoint in DIR). Prints
 * {@code METAADAMW_PARAMS sha256=...} of the final parameters, so runs can be compared exactly.
 */
public final class ClusterSmokeJob {
    private ClusterSmokeJob() {
    }

    /** The smoke jobs' network: an MLP 784-64-10 (ReLU, softmax), seed 1. */
    static org.deeplearning4j.nn.conf.MultiLayerConfiguration network() {
        return new NeuralNetConfiguration.Builder().seed(1).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(64).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(64).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build();
    }

    public static void main(String[] args) throws Exception {
        var opt = Args.parse(args);
        if (opt.containsKey("help")) {
            System.out.println("usage: spark-submit --class " + ClusterSmokeJob.class.getName()
                    + " <jar> [--train N] [--epochs N] [--maxLoss X]");
            return;
        }
        int nTrain = Integer.parseInt(opt.getOrDefault("train", "3000"));
        int epochs = Integer.parseInt(opt.getOrDefault("epochs", "2"));
        double maxLoss = Double.parseDouble(opt.getOrDefault("maxLoss", "0.8"));
        SparkConf conf = new SparkConf().setAppName("metaadamw-cluster-smoke");
        if (!conf.contains("spark.master")) {
            conf.setMaster("local[2]");
        }
        DataSet train = ImageData.fashionMnist(true, nTrain, true);
        DataSet test = ImageData.fashionMnist(false, 1000, true);
        double loss, accuracy;
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            Map<String, String> settings = new HashMap<>();
            for (var kv : conf.getAllWithPrefix("spark.metaadamw.")) {
                settings.put("spark.metaadamw." + kv._1(), kv._2());
            }
            if (opt.containsKey("checkpoint")) {
                settings.put(org.metaadamw.config.MetaAdamWConf.CHECKPOINT_DIR.key(), opt.get("checkpoint"));
                settings.put(org.metaadamw.config.MetaAdamWConf.CHECKPOINT_INTERVAL.key(), opt.getOrDefault("checkpointEvery", "3"));
            }
            MetaAdamWConfig cfg = MetaAdamWConfig.fromMap(settings);
            MultiLayerNetwork net = new MultiLayerNetwork(network());
            net.init();
            SparkMetaAdamW trainer = new SparkMetaAdamW(sc, net, cfg);
            if (opt.containsKey("resume")) {
                System.out.println(trainer.resume() ? "METAADAMW_RESUMED round=" + trainer.history().size() : "no checkpoint: starting at round 0");
            }
            trainer.onRound(r -> System.out.printf(Locale.ROOT, "round %d epoch %d train loss %.4f%n", r.round(), r.epoch(), r.lossTrain()));
            trainer.fit(sc.parallelize(train.batchBy(50), trainer.workers()), null, epochs);
            loss = net.score(test);
            accuracy = net.evaluate(new ListDataSetIterator<>(test.batchBy(500), 1)).accuracy();
            System.out.println("METAADAMW_PARAMS sha256=" + TaskRunner.sha256(net.params()));
            Args.printResult("METAADAMW_RESULT loss=%.5f accuracy=%.4f rounds=%d workers=%d modulation=%s", loss,
                    accuracy, trainer.history().size(), trainer.workers(), trainer.modulation());
        }
        if (!(loss < maxLoss)) {
            System.err.printf(Locale.ROOT, "test loss %.4f is not below --maxLoss %.4f%n", loss, maxLoss);
            System.exit(1);
        }
    }
}
