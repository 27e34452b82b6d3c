package org.metaadamw.bench;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.api.Model;
import org.metaadamw.examples.Args;
import org.metaadamw.examples.tasks.Task;
import org.metaadamw.spark.SparkMetaAdamW;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-epoch cost of the optimizers on the quality benchmark's tasks, measured side by side: one
 * trainer per optimizer on the same Spark context, data and seed, and the epochs taken in turn
 * (optimizer 1 epoch 1, optimizer 2 epoch 1, ..., optimizer 1 epoch 2, ...), after one warm-up epoch
 * each, so that a change of the machine's load hits every optimizer alike. {@code LrSweep} runs the
 * optimizers one after the other instead, which is right for quality and wrong for timing.
 *
 * <p>Options: {@code --tasks a,b} (language-model,translation), {@code --lr X} (5e-4),
 * {@code --epochs N} (measured epochs, 4), {@code --optimizers 'adamw;metaadamw;...'} (as for
 * {@code --sweep}: adamw, metaadamw and metaadamw with {@code meta.signal=training}), {@code --seed N}
 * (0), {@code --workers N} (2), {@code --scale} (benchmark), {@code --master M} (local[2]),
 * {@code --out FILE} (reports/task-cost.json). Prints a Markdown table: median seconds per epoch,
 * its min–max, the ratio of medians to the first optimizer, the trainer's rounds per epoch and the
 * last round's training loss (a check that every run trained).
 */
public final class TaskCostBenchmark {
    private TaskCostBenchmark() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> opt = Args.parse(argv);
        if (opt.containsKey("help")) {
            System.out.println("usage: TaskCostBenchmark [--tasks language-model,translation] [--lr 5e-4] [--epochs 4] "
                    + "[--optimizers 'adamw;metaadamw;metaadamw-train:meta.signal=training'] [--seed 0] [--workers 2] "
                    + "[--scale quick|benchmark|full] [--master M] [--out FILE]");
            return;
        }
        List<String> tasks = Arrays.asList(opt.getOrDefault("tasks", "language-model,translation").split(","));
        double lr = Double.parseDouble(opt.getOrDefault("lr", "5e-4"));
        int epochs = Integer.parseInt(opt.getOrDefault("epochs", "4"));
        int workers = Integer.parseInt(opt.getOrDefault("workers", "2"));
        long seed = Long.parseLong(opt.getOrDefault("seed", "0"));
        double wd = Double.parseDouble(opt.getOrDefault("weightDecay", "1e-2"));
        Task.Scale scale = Task.Scale.valueOf(opt.getOrDefault("scale", "benchmark").toUpperCase(Locale.ROOT));
        List<LrSweep.Optimizer> optimizers = Arrays.stream(opt.getOrDefault("optimizers",
                "adamw;metaadamw;metaadamw-train:meta.signal=training").split(";")).map(LrSweep.Optimizer::parse).toList();
        for (LrSweep.Optimizer o : optimizers) {
            o.config(lr, wd, workers);   // refuse a bad variant before any run
        }
        Path out = Path.of(opt.getOrDefault("out", "reports/task-cost.json"));
        SparkConf conf = QualityBenchmark.sparkConf("metaadamw-task-cost", opt);
        List<String> json = new ArrayList<>();
        StringBuilder md = new StringBuilder();
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            for (String name : tasks) {
                QualityBenchmark.Prepared prep = QualityBenchmark.prepare(sc, name, scale, workers, new LinkedHashMap<>());
                Task task = prep.task();
                int n = optimizers.size();
                Model[] models = new Model[n];
                SparkMetaAdamW[] trainers = new SparkMetaAdamW[n];
                for (int i = 0; i < n; i++) {
                    models[i] = task.model(prep.rdds().info(), seed);
                    trainers[i] = new SparkMetaAdamW(sc, models[i], optimizers.get(i).config(lr, wd, workers).toBuilder().seed(seed).build());
                }
                double[][] secs = new double[n][epochs];
                for (int e = -1; e < epochs; e++) {
                    for (int i = 0; i < n; i++) {
                        long t0 = System.nanoTime();
                        trainers[i].fit(prep.rdds().train(), prep.rdds().valid(), 1);
                        double s = (System.nanoTime() - t0) / 1e9;
                        if (e >= 0) {
                            secs[i][e] = s;
                        }
                        System.out.printf(Locale.ROOT, "%-14s %-28s epoch %s  %.2f s%n", name, optimizers.get(i).label(),
                                e < 0 ? "warm-up" : String.valueOf(e + 1), s);
                    }
                }
                md.append(String.format(Locale.ROOT, "%n%s, lr %s, seed %d, %d measured epochs after one warm-up epoch each%n%n"
                        + "| optimizer | median s/epoch | min–max | ÷ %s | rounds per epoch | last round's training loss |%n"
                        + "|---|---|---|---|---|---|%n", name, lr, seed, epochs, optimizers.get(0).label()));
                double base = ScalingBenchmark.median(secs[0]);
                for (int i = 0; i < n; i++) {
                    double med = ScalingBenchmark.median(secs[i]);
                    double[] sorted = secs[i].clone();
                    Arrays.sort(sorted);
                    long rounds = trainers[i].roundsPerEpoch(prep.rdds().train(), prep.rdds().valid());
                    var h = trainers[i].history();
                    double val = h.get(h.size() - 1).lossTrain();
                    md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f–%.2f | %.3f | %d | %.4f |%n", optimizers.get(i).label(), med,
                            sorted[0], sorted[sorted.length - 1], med / base, rounds, val));
                    json.add(String.format(Locale.ROOT, "{\"task\":\"%s\",\"label\":\"%s\",\"settings\":\"%s\",\"learningRate\":%s,\"seed\":%d,"
                                    + "\"epochSeconds\":%s,\"medianSecondsPerEpoch\":%.4f,\"ratioToFirst\":%.4f,\"roundsPerEpoch\":%d,\"lastTrainingLoss\":%.6f}",
                            name, optimizers.get(i).label(), optimizers.get(i).settings(), lr, seed, Arrays.toString(secs[i]), med, med / base,
                            rounds, val));
                }
                for (SparkMetaAdamW t : trainers) {
                    t.releaseData();
                }
            }
        }
        System.out.println(md);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, "[" + String.join(",\n", json) + "]\n", StandardCharsets.UTF_8);
        System.out.println("report written to " + out.toAbsolutePath());
    }
}
