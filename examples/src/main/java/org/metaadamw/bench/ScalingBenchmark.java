package org.metaadamw.bench;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerBlockUpdated;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.examples.Args;
import org.metaadamw.examples.io.ImageData;
import org.metaadamw.spark.DriverMetrics;
import org.metaadamw.spark.SparkMetaAdamW;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How a round's cost grows with the model and the workers: for MLPs 784-H-H-10 of about 0.1 M, 1 M,
 * 10 M and 50 M parameters and for 1, 2 and 4 workers, the median time per round and where it goes
 * (broadcast creation, the Spark job, of which the slowest task's run time, and the driver step),
 * the bytes broadcast and aggregated per round, and the statistics bytes per worker against the
 * parameter bytes. The metaadamw controller at defaults (validation passes every round), real
 * Fashion-MNIST minibatches, K local steps per round.
 *
 * <p>Options: {@code --sizes 0.1,1,10,50} (millions of parameters), {@code --workers 1,2,4},
 * {@code --rounds N} (measured rounds, 4; one warm-up round precedes), {@code --k N} (2),
 * {@code --batch N} (32), {@code --master PATTERN} ({@code local-cluster[%d,1,%d]}: W executor JVMs of
 * one core and {@code --executorMemory} MB; needs {@code SPARK_HOME} with Spark's {@code jars/}, e.g.
 * {@code tests/target/spark-home}; or {@code local[%d]}), {@code --executorMemory MB} (3072),
 * {@code --report PATH} (reports/scaling.json).
 *
 * <p>Bytes are measured by a listener: broadcast = the sizes of the round broadcast's pieces stored
 * on the driver; aggregated = the task results' serialized sizes. Each configuration runs in its own
 * SparkContext; a configuration that fails (for example out of memory) is reported as failed and
 * the others still run.
 */
public final class ScalingBenchmark {
    private ScalingBenchmark() {
    }

    /** 784-H-H-10 with about {@code params} parameters. */
    static MultiLayerNetwork mlp(long params) {
        int h = (int) Math.round((-796 + Math.sqrt(796.0 * 796 + 4.0 * params)) / 2);
        var conf = new NeuralNetConfiguration.Builder().seed(42).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(h).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(h).nOut(h).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(h).nOut(10).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    /** Driver-side counters of one SparkContext. */
    static final class Bytes extends SparkListener {
        final AtomicLong broadcast = new AtomicLong(), results = new AtomicLong(), maxTaskMillis = new AtomicLong();

        @Override
        public void onBlockUpdated(SparkListenerBlockUpdated e) {
            var info = e.blockUpdatedInfo();
            if (info.blockId().isBroadcast() && info.blockId().name().contains("piece")
                    && info.blockManagerId().isDriver() && info.storageLevel().isValid()) {
                broadcast.addAndGet(info.memSize() + info.diskSize());
            }
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd e) {
            if (e.taskMetrics() != null) {
                results.addAndGet(e.taskMetrics().resultSize());
                maxTaskMillis.accumulateAndGet(e.taskMetrics().executorRunTime(), Math::max);
            }
        }

        long[] takeAndReset() {
            return new long[]{broadcast.getAndSet(0), results.getAndSet(0), maxTaskMillis.getAndSet(0)};
        }
    }

    record Row(long params, int workers, String status, double roundSeconds, double broadcastSeconds, double jobSeconds,
               double slowestTaskSeconds, double driverSeconds, long broadcastBytes, long aggregatedBytes, long statisticsBytes,
               double statisticsToParameterBytes) {
    }

    /** The median of {@code x} (the mean of the two middle values for an even count); {@code x} is not changed. */
    static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static long median(long[] x) {
        long[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    static Row run(String master, long size, int workers, int rounds, int k, int batch, int executorMemory, DataSet data) {
        SparkConf conf = new SparkConf().setMaster(master.contains("local-cluster") ? String.format(Locale.ROOT, master, workers, executorMemory)
                        : String.format(Locale.ROOT, master, workers)).setAppName("metaadamw-scaling")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                // local-cluster's memory only sizes each worker; the executor's heap is spark.executor.memory (1g unless set)
                .set("spark.executor.memory", executorMemory + "m")
                .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .set("spark.executor.extraJavaOptions", String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean()
                        .getInputArguments().stream().filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports")).toList()));
        Bytes bytes = new Bytes();
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.sc().addSparkListener(bytes);
            MultiLayerNetwork net = mlp(size);
            long params = net.numParams();
            // every round reads K minibatches per worker; the held-out 1 in 10 give the validation passes
            int per = (rounds + 1) * k;
            List<DataSet> batches = new ArrayList<>(data.batchBy(batch));
            List<DataSet> use = new ArrayList<>();
            for (int i = 0; use.size() < workers * (per + per / 9 + 10); i++) {
                use.add(batches.get(i % batches.size()));
            }
            JavaRDD<DataSet> rdd = sc.parallelize(use, workers);
            MetaAdamWConfig cfg = MetaAdamWConfig.builder().controller("metaadamw").learningRate(1e-3).numWorkers(workers)
                    .averagingFrequency(k).build();
            SparkMetaAdamW trainer = new SparkMetaAdamW(sc, net, cfg);
            double[] wall = new double[rounds], bc = new double[rounds], job = new double[rounds], task = new double[rounds],
                    drv = new double[rounds];
            long[] bBytes = new long[rounds], rBytes = new long[rounds];
            int[] seen = {0};
            trainer.onRound(r -> {
                long[] b = bytes.takeAndReset();
                int i = seen[0]++ - 1;   // round 0 warms up
                if (i >= 0 && i < rounds) {
                    var t = trainer.lastRoundTiming();
                    wall[i] = r.seconds();
                    bc[i] = t.broadcastSeconds();
                    job[i] = t.jobSeconds();
                    drv[i] = t.driverSeconds();
                    task[i] = b[2] / 1e3;
                    bBytes[i] = b[0];
                    rBytes[i] = b[1];
                }
                if (seen[0] > rounds) {
                    throw new StopBenchmark();
                }
            });
            bytes.takeAndReset();
            try {
                trainer.fit(rdd, null, 1);
            } catch (StopBenchmark stop) {
                // enough rounds
            }
            if (seen[0] <= rounds) {
                return new Row(params, workers, "only " + (seen[0] - 1) + " measured rounds", median(wall), median(bc), median(job),
                        median(task), median(drv), median(bBytes), median(rBytes), 0, Double.NaN);
            }
            DriverMetrics m = trainer.metrics();
            return new Row(params, workers, "ok", median(wall), median(bc), median(job), median(task), median(drv), median(bBytes),
                    median(rBytes), m.statisticsBytes() / workers, m.statisticsToParameterRatio());
        } catch (Exception | OutOfMemoryError e) {   // SparkException is checked (thrown from Scala undeclared)
            String why = e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            return new Row(size, workers, "failed (" + why.substring(0, Math.min(120, why.length())) + ")", Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN, 0, 0, 0, Double.NaN);
        }
    }

    /** Ends the training loop once the measured rounds are in. */
    private static final class StopBenchmark extends RuntimeException {
        StopBenchmark() {
            super("enough rounds", null, false, false);
        }
    }

    public static void main(String[] argv) throws Exception {
        var opt = Args.parse(argv);
        if (opt.containsKey("help")) {
            System.out.println("usage: ScalingBenchmark [--sizes 0.1,1,10,50] [--workers 1,2,4] [--rounds N] [--k N] [--batch N] "
                    + "[--master local-cluster[%d,1,%d]|local[%d]] [--executorMemory MB] [--report PATH]");
            return;
        }
        Args.requireKnown(opt, java.util.Set.of("sizes", "workers", "rounds", "k", "batch", "master", "executorMemory", "report"), x -> false);
        double[] sizes = Arrays.stream(opt.getOrDefault("sizes", "0.1,1,10,50").split(",")).mapToDouble(Double::parseDouble).toArray();
        int[] workers = Arrays.stream(opt.getOrDefault("workers", "1,2,4").split(",")).mapToInt(Integer::parseInt).toArray();
        int rounds = Integer.parseInt(opt.getOrDefault("rounds", "4"));
        int k = Integer.parseInt(opt.getOrDefault("k", "2"));
        int batch = Integer.parseInt(opt.getOrDefault("batch", "32"));
        int mem = Integer.parseInt(opt.getOrDefault("executorMemory", "3072"));
        String master = opt.getOrDefault("master", "local-cluster[%d,1,%d]");
        Path report = Path.of(opt.getOrDefault("report", "reports/scaling.json"));
        DataSet data = ImageData.fashionMnist(true, 6000, true);
        List<Row> rows = new ArrayList<>();
        System.out.printf(Locale.ROOT, "master %s, K=%d, batch %d, %d measured rounds after one warm-up, metaadamw%n", master, k, batch, rounds);
        for (double s : sizes) {
            for (int w : workers) {
                Row r = run(master, Math.round(s * 1e6), w, rounds, k, batch, mem, data);
                rows.add(r);
                System.out.printf(Locale.ROOT, "  %.2f M params, %d workers: %s, %.3f s/round%n", r.params() / 1e6, w, r.status(), r.roundSeconds());
                write(report, master, k, batch, rounds, rows);   // what is measured survives a later failure
            }
        }
        System.out.println();
        System.out.println("| parameters | workers | s/round | broadcast s | job s | slowest task s | driver s | broadcast MB | aggregated MB | statistics B/worker | statistics ÷ parameter bytes |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "| %.2f M | %d | %s | %.3f | %.3f | %.3f | %.4f | %.1f | %.1f | %d | %.2e |%n", r.params() / 1e6, r.workers(),
                    r.status().equals("ok") ? String.format(Locale.ROOT, "%.3f", r.roundSeconds()) : r.status(), r.broadcastSeconds(),
                    r.jobSeconds(), r.slowestTaskSeconds(), r.driverSeconds(), r.broadcastBytes() / 1e6, r.aggregatedBytes() / 1e6,
                    r.statisticsBytes(), r.statisticsToParameterBytes());
        }
        write(report, master, k, batch, rounds, rows);
        System.out.println("report written to " + report.toAbsolutePath());
    }

    private static void write(Path report, String master, int k, int batch, int rounds, List<Row> rows) throws java.io.IOException {
        StringBuilder json = new StringBuilder("{\"master\":\"" + master + "\",\"k\":" + k + ",\"batch\":" + batch + ",\"rounds\":" + rounds + ",\"rows\":[");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            json.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "{\"parameters\":%d,\"workers\":%d,\"status\":\"%s\","
                            + "\"secondsPerRound\":%s,\"broadcastSeconds\":%s,\"jobSeconds\":%s,\"slowestTaskSeconds\":%s,\"driverSeconds\":%s,"
                            + "\"broadcastBytes\":%d,\"aggregatedBytes\":%d,\"statisticsBytesPerWorker\":%d,\"statisticsToParameterBytes\":%s}",
                    r.params(), r.workers(), r.status().replace("\"", "'"), num(r.roundSeconds()), num(r.broadcastSeconds()), num(r.jobSeconds()),
                    num(r.slowestTaskSeconds()), num(r.driverSeconds()), r.broadcastBytes(), r.aggregatedBytes(), r.statisticsBytes(),
                    num(r.statisticsToParameterBytes())));
        }
        json.append("]}\n");
        if (report.getParent() != null) {
            Files.createDirectories(report.getParent());
        }
        Files.writeString(report, json, StandardCharsets.UTF_8);
    }

    private static String num(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.6g", x) : "null";
    }
}
