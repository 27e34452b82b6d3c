package org.metaadamw.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.spark.api.java.JavaSparkContext;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.examples.Args;
import org.metaadamw.examples.TaskRunner;
import org.metaadamw.examples.tasks.Task;
import org.metaadamw.l3rs.L3rsMetaTrainer;
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
 * L3RS on the quality benchmark's tasks (issue 13): for each task and base learning rate, φ is
 * meta-trained by NES on Spark (one candidate training run per task; the candidates train on the task's
 * training minibatches and are scored on its validation minibatches), saved, and then used by
 * {@code controller=l3rs} for normal training runs with every seed, through the same
 * {@link TaskRunner} as the learning-rate sweep. The runs are written in the sweep's JSON format
 * (label {@code l3rs}), so {@code LrSweep --from} puts them beside the other optimizers.
 *
 * <p>Options: {@code --tasks a,b} (sentiment), {@code --lrs x,y} (1e-3), {@code --seeds N} (3),
 * {@code --epochs N} (8), {@code --iterations N} (NES iterations, 10), {@code --pairs N} (antithetic pairs,
 * 4), {@code --steps N} (L3RS steps per candidate, 60), {@code --workers N} (2), {@code --weightDecay X}
 * (1e-2), {@code --out DIR} (reports/l3rs). Writes {@code DIR/<task>-<lr>-phi.json} (the meta-trained
 * φ), {@code DIR/<task>-<lr>-nes.md} (the NES scores per iteration) and {@code DIR/l3rs.json} (the runs).
 */
public final class L3rsBenchmark {
    private L3rsBenchmark() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> opt = Args.parse(argv);
        if (opt.containsKey("help")) {
            System.out.println("usage: L3rsBenchmark [--tasks sentiment] [--lrs 1e-3] [--seeds 3] [--epochs 8] [--iterations 10] "
                    + "[--pairs 4] [--steps 60] [--workers 2] [--weightDecay 1e-2] [--master M] [--out DIR]");
            return;
        }
        List<String> tasks = Arrays.asList(opt.getOrDefault("tasks", "sentiment").split(","));
        double[] lrs = Arrays.stream(opt.getOrDefault("lrs", "1e-3").split(",")).mapToDouble(Double::parseDouble).toArray();
        int seeds = Integer.parseInt(opt.getOrDefault("seeds", "3"));
        int epochs = Integer.parseInt(opt.getOrDefault("epochs", "8"));
        int workers = Integer.parseInt(opt.getOrDefault("workers", "2"));
        double wd = Double.parseDouble(opt.getOrDefault("weightDecay", "1e-2"));
        L3rsMetaTrainer.Settings nes = L3rsMetaTrainer.Settings.defaults()
                .withIterations(Integer.parseInt(opt.getOrDefault("iterations", "10")))
                .withPairs(Integer.parseInt(opt.getOrDefault("pairs", "4")))
                .withSteps(Integer.parseInt(opt.getOrDefault("steps", "60")));
        Path out = Path.of(opt.getOrDefault("out", "reports/l3rs")).toAbsolutePath();
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
                    L3rsMetaTrainer.Result r = new L3rsMetaTrainer(task.model(prep.rdds().info(), 0), base, nes)
                            .onIteration(it -> {
                                String line = String.format(Locale.ROOT, "| %d | %.5f | %.5f |", it.iteration(), it.mean(), it.best());
                                log.append(line).append('\n');
                                System.out.println(task.name() + " lr " + lr + " NES " + line);
                            })
                            .run(sc, train, valid);
                    double nesSeconds = (System.nanoTime() - t0) / 1e9;
                    String stem = task.name() + "-" + QualityBenchmark.fmtLr(lr);
                    Path phi = out.resolve(stem + "-phi.json");
                    Files.writeString(phi, r.params().toJson(), StandardCharsets.UTF_8);
                    log.append(String.format(Locale.ROOT, "%nNES: %d iterations of %d candidates, %d L3RS steps each, %.0f s%n",
                            nes.iterations(), nes.population(), nes.steps(), nesSeconds));
                    Files.writeString(out.resolve(stem + "-nes.md"), log, StandardCharsets.UTF_8);
                    MetaAdamWConfig cfg = base.toBuilder().controller("l3rs")
                            .setString("spark.metaadamw.l3rs.params", phi.toUri().toString()).build();
                    for (int s = 0; s < seeds; s++) {
                        all.add(TaskRunner.run(sc, task, prep.rdds(), new TaskRunner.Spec("l3rs", cfg, s, epochs, 0), System.out::println));
                    }
                    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("l3rs.json").toFile(), all);
                }
                prep.rdds().train().unpersist();
                prep.rdds().valid().unpersist();
            }
        }
        System.out.println("runs written to " + out.resolve("l3rs.json"));
    }
}
