package org.metaadamw.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.spark.api.java.JavaSparkContext;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.examples.Args;
import org.metaadamw.examples.TaskRunner;
import org.metaadamw.examples.tasks.Task;
import org.metaadamw.l3rs.L3rsMetaTrainer;
import org.metaadamw.l3rs.LstmMetaTrainer;
import org.nd4j.linalg.dataset.DataSet;

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
 * L3RS, or the coordinatewise LSTM optimizer ({@code --optimizer lstm}, docs/lstm.md), on the quality
 * benchmark's tasks (issue 13): for each task and base learning rate, φ is
 * meta-trained by NES on Spark (one candidate training run per task; the candidates train on the task's
 * training minibatches and are scored on its validation minibatches), saved, and then used by
 * {@code controller=l3rs} (or {@code lstm}) for normal training runs with every seed, through the same
 * {@link TaskRunner} as the learning-rate sweep. The runs are written in the sweep's JSON format
 * (label {@code l3rs} or {@code lstm}), so {@code LrSweep --from} puts them beside the other optimizers.
 *
 * <p>Options: {@code --tasks a,b} (sentiment), {@code --lrs x,y} (1e-3), {@code --seeds N} (3),
 * {@code --epochs N} (8), {@code --iterations N} (NES iterations, 10), {@code --pairs N} (antithetic pairs,
 * 4), {@code --steps N} (L3RS steps per candidate, 60), {@code --workers N} (2), {@code --weightDecay X}
 * (1e-2), {@code --optimizer l3rs|lstm} (l3rs), {@code --sigma X} and {@code --nesLr X} (the NES σ and step,
 * each meta-trainer's default when absent), {@code --out DIR} (reports/OPTIMIZER). Writes
 * {@code DIR/<task>-<lr>-phi.json} (the meta-trained φ), {@code DIR/<task>-<lr>-nes.md} (the NES scores per
 * iteration) and {@code DIR/OPTIMIZER.json} (the runs).
 */
public final class L3rsBenchmark {
    private L3rsBenchmark() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> opt = Args.parse(argv);
        if (opt.containsKey("help")) {
            System.out.println("usage: L3rsBenchmark [--tasks sentiment] [--lrs 1e-3] [--seeds 3] [--epochs 8] [--iterations 10] "
                    + "[--pairs 4] [--steps 60] [--workers 2] [--weightDecay 1e-2] [--optimizer l3rs|lstm] [--sigma X] [--nesLr X] [--master M] [--out DIR]");
            return;
        }
        List<String> tasks = Arrays.asList(opt.getOrDefault("tasks", "sentiment").split(","));
        double[] lrs = Arrays.stream(opt.getOrDefault("lrs", "1e-3").split(",")).mapToDouble(Double::parseDouble).toArray();
        int seeds = Integer.parseInt(opt.getOrDefault("seeds", "3"));
        int epochs = Integer.parseInt(opt.getOrDefault("epochs", "8"));
        int workers = Integer.parseInt(opt.getOrDefault("workers", "2"));
        double wd = Double.parseDouble(opt.getOrDefault("weightDecay", "1e-2"));
        String optimizer = opt.getOrDefault("optimizer", "l3rs");
        if (!optimizer.equals("l3rs") && !optimizer.equals("lstm")) {
            throw new IllegalArgumentException("--optimizer must be l3rs or lstm (got " + optimizer + ")");
        }
        int iterations = Integer.parseInt(opt.getOrDefault("iterations", "10")), pairs = Integer.parseInt(opt.getOrDefault("pairs", "4"));
        int steps = Integer.parseInt(opt.getOrDefault("steps", "60"));
        L3rsMetaTrainer.Settings nes = L3rsMetaTrainer.Settings.defaults().withIterations(iterations).withPairs(pairs).withSteps(steps);
        LstmMetaTrainer.Settings lstmNes = LstmMetaTrainer.Settings.defaults().withIterations(iterations).withPairs(pairs).withSteps(steps);
        if (opt.containsKey("sigma")) {
            nes = nes.withSigma(Double.parseDouble(opt.get("sigma")));
            lstmNes = lstmNes.withSigma(Double.parseDouble(opt.get("sigma")));
        }
        if (opt.containsKey("nesLr")) {
            nes = nes.withLearningRate(Double.parseDouble(opt.get("nesLr")));
            lstmNes = lstmNes.withLearningRate(Double.parseDouble(opt.get("nesLr")));
        }
        Path out = Path.of(opt.getOrDefault("out", "reports/" + optimizer)).toAbsolutePath();
        Files.createDirectories(out);
        List<TaskRunner.Result> all = new ArrayList<>();
        Map<String, String> descriptions = new LinkedHashMap<>();
        try (JavaSparkContext sc = new JavaSparkContext(QualityBenchmark.sparkConf("metaadamw-l3rs-benchmark", opt))) {
            for (String name : tasks) {
                QualityBenchmark.Prepared prep = QualityBenchmark.prepare(sc, name, Task.Scale.BENCHMARK, workers, descriptions);
                Task task = prep.task();
                List<DataSet> train = prep.rdds().train().collect(), valid = prep.rdds().valid().collect();
                for (double lr : lrs) {
                    MetaAdamWConfig base = MetaAdamWConfig.builder().learningRate(lr).weightDecay(wd).numWorkers(workers).build();
                    long t0 = System.nanoTime();
                    StringBuilder log = new StringBuilder("| NES iteration | mean score | best score |\n|---|---|---|\n");
                    org.deeplearning4j.nn.api.Model model = task.model(prep.rdds().info(), 0);
                    String phiJson;
                    if (optimizer.equals("lstm")) {
                        phiJson = new LstmMetaTrainer(model, base, lstmNes)
                                .onIteration(it -> log(log, task.name(), lr, it.iteration(), it.mean(), it.best()))
                                .run(sc, train, valid).params().toJson();
                    } else {
                        phiJson = new L3rsMetaTrainer(model, base, nes)
                                .onIteration(it -> log(log, task.name(), lr, it.iteration(), it.mean(), it.best()))
                                .run(sc, train, valid).params().toJson();
                    }
                    double nesSeconds = (System.nanoTime() - t0) / 1e9;
                    String stem = task.name() + "-" + QualityBenchmark.fmtLr(lr);
                    Path phi = out.resolve(stem + "-phi.json");
                    Files.writeString(phi, phiJson, StandardCharsets.UTF_8);
                    log.append(String.format(Locale.ROOT, "%nNES: %d iterations of %d candidates, %d %s steps each, %.0f s%n",
                            iterations, 2 * pairs, steps, optimizer, nesSeconds));
                    Files.writeString(out.resolve(stem + "-nes.md"), log, StandardCharsets.UTF_8);
                    MetaAdamWConfig cfg = base.toBuilder().controller(optimizer)
                            .setString("spark.metaadamw." + optimizer + ".params", phi.toUri().toString()).build();
                    for (int s = 0; s < seeds; s++) {
                        all.add(TaskRunner.run(sc, task, prep.rdds(), new TaskRunner.Spec(optimizer, cfg, s, epochs, 0), System.out::println));
                    }
                    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve(optimizer + ".json").toFile(), all);
                }
                prep.rdds().train().unpersist();
                prep.rdds().valid().unpersist();
            }
        }
        System.out.println("runs written to " + out.resolve(optimizer + ".json"));
    }

    private static void log(StringBuilder log, String task, double lr, int iteration, double mean, double best) {
        String line = String.format(Locale.ROOT, "| %d | %.5f | %.5f |", iteration, mean, best);
        log.append(line).append('\n');
        System.out.println(task + " lr " + lr + " NES " + line);
    }
}
