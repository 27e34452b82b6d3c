package org.metaadamw.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.examples.Args;
import org.metaadamw.examples.TaskRunner;
import org.metaadamw.examples.tasks.Task;

import java.io.IOException;
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
 * The quality benchmark: for each task, the same budget (epochs, early stopping) for
 * <ul>
 *   <li>{@code adamw-paper}: AdamW at the paper's settings, lr 5e-4, weight decay 1e-2;</li>
 *   <li>{@code adamw-grid}: AdamW with the best learning rate of {1e-3, 2e-3, 4e-3} (chosen on the
 *       validation metric with seed 0, then run with every seed);</li>
 *   <li>{@code metaadamw}: MetaAdamW with its defaults at the paper's base settings;</li>
 *   <li>{@code metaadamw-paper}: MetaAdamW with {@code preset=paper} (the paper's formulation);</li>
 *   <li>{@code hypergradient}: per-group hypergradient descent on the learning rate;</li>
 *   <li>{@code mada}: MADA (Ozkara et al. 2024) from Adam's corner, its coefficients learned by hypergradient descent;</li>
 *   <li>{@code ablation-random}: frozen random multipliers in the paper's range;</li>
 *   <li>{@code ablation-three-terms}: the default formulation trained on all three meta-loss terms.</li>
 * </ul>
 * Output: a Markdown table (mean ± std of the test metric, epochs and wall time to reach AdamW's best
 * validation value, seconds per epoch and overhead against adamw-paper), JSON with every run, and PNG
 * plots (validation curves; α and β per group over rounds).
 *
 * <p>{@code --sweep} runs the learning-rate sensitivity benchmark instead ({@link LrSweep}).
 *
 * <p>Options: {@code --tasks a,b} (all five), {@code --seeds N} (3), {@code --epochs N} (4),
 * {@code --patience N} (2), {@code --quick} (one seed, small subsets, 1 epoch, grid of one point),
 * {@code --scale quick|benchmark|full} (benchmark), {@code --master M} (local[2]), {@code --workers N} (2),
 * {@code --out DIR} (reports/quality).
 */
public final class QualityBenchmark {
    private QualityBenchmark() {
    }

    static final double PAPER_LR = 5e-4, PAPER_WD = 1e-2;
    static final double[] GRID = {1e-3, 2e-3, 4e-3};

    public static void main(String[] argv) throws Exception {
        List<String> a = new ArrayList<>(Arrays.asList(argv));
        if (a.remove("--sweep")) {
            LrSweep.main(a.toArray(new String[0]));
            return;
        }
        boolean quick = a.remove("--quick");
        Map<String, String> opt = Args.parse(a.toArray(new String[0]));
        if (opt.containsKey("help")) {
            System.out.println("usage: QualityBenchmark [--quick] [--tasks a,b] [--seeds N] [--epochs N] [--patience N] "
                    + "[--scale quick|benchmark|full] [--master M] [--workers N] [--out DIR]");
            return;
        }
        System.setProperty("java.awt.headless", "true");
        List<String> tasks = Arrays.asList(opt.getOrDefault("tasks", String.join(",", Task.ALL)).split(","));
        int seeds = Integer.parseInt(opt.getOrDefault("seeds", quick ? "1" : "3"));
        int epochs = Integer.parseInt(opt.getOrDefault("epochs", quick ? "1" : "4"));
        int patience = Integer.parseInt(opt.getOrDefault("patience", "2"));
        int workers = Integer.parseInt(opt.getOrDefault("workers", "2"));
        Task.Scale scale = Task.Scale.valueOf(opt.getOrDefault("scale", quick ? "quick" : "benchmark").toUpperCase(Locale.ROOT));
        double[] grid = quick ? new double[]{GRID[0]} : GRID;
        Path out = Path.of(opt.getOrDefault("out", "reports/quality"));
        Files.createDirectories(out);

        SparkConf conf = sparkConf("metaadamw-quality-benchmark", opt);
        List<TaskRunner.Result> all = new ArrayList<>();
        Map<String, String> descriptions = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            for (String name : tasks) {
                Prepared prep = prepare(sc, name, scale, workers, descriptions);
                Task task = prep.task();
                var rdds = prep.rdds();
                MetaAdamWConfig base = MetaAdamWConfig.builder().learningRate(PAPER_LR).weightDecay(PAPER_WD).numWorkers(workers).build();
                // one discarded epoch first, so that no measured run pays the JIT and native warm-up
                TaskRunner.run(sc, task, rdds, new TaskRunner.Spec("warm-up", base.toBuilder().controller("metaadamw").build(),
                        99, 1, 0), line -> { });
                List<TaskRunner.Result> results = new ArrayList<>();
                java.util.function.BiFunction<String, MetaAdamWConfig, List<TaskRunner.Result>> runAll = (label, cfg) -> {
                    List<TaskRunner.Result> rs = new ArrayList<>();
                    for (int s = 0; s < seeds; s++) {
                        rs.add(TaskRunner.run(sc, task, rdds, new TaskRunner.Spec(label, cfg, s, epochs, patience), System.out::println));
                    }
                    return rs;
                };
                results.addAll(runAll.apply("adamw-paper", base.toBuilder().controller("adamw").build()));
                // grid: seed 0 for every learning rate, the best one then with all seeds
                TaskRunner.Result bestGrid = null;
                List<TaskRunner.Result> gridRuns = new ArrayList<>();
                for (double lr : grid) {
                    var r = TaskRunner.run(sc, task, rdds, new TaskRunner.Spec("adamw-grid lr=" + lr,
                            base.toBuilder().controller("adamw").learningRate(lr).build(), 0, epochs, patience), System.out::println);
                    gridRuns.add(r);
                    if (bestGrid == null || better(task, r.bestValidation(), bestGrid.bestValidation())) {
                        bestGrid = r;
                    }
                }
                double bestLr = bestGrid.learningRate();
                List<TaskRunner.Result> gridFinal = new ArrayList<>();
                for (var r : gridRuns) {
                    if (r.learningRate() == bestLr) {
                        gridFinal.add(relabel(r, "adamw-grid"));
                    }
                }
                for (int s = 1; s < seeds; s++) {
                    gridFinal.add(TaskRunner.run(sc, task, rdds, new TaskRunner.Spec("adamw-grid",
                            base.toBuilder().controller("adamw").learningRate(bestLr).build(), s, epochs, patience), System.out::println));
                }
                results.addAll(gridFinal);
                results.addAll(runAll.apply("metaadamw", base.toBuilder().controller("metaadamw").build()));
                results.addAll(runAll.apply("metaadamw-paper", base.toBuilder().controller("metaadamw").preset("paper").build()));
                results.addAll(runAll.apply("hypergradient", base.toBuilder().controller("hypergradient").build()));
                results.addAll(runAll.apply("mada", base.toBuilder().controller("mada").build()));
                results.addAll(runAll.apply("ablation-random", base.toBuilder().controller("random").build()));
                results.addAll(runAll.apply("ablation-three-terms", base.toBuilder().controller("metaadamw")
                        .metaTerms("alignment,lossDecrease,gap").build()));
                all.addAll(results);
                plots(out, task, results);
                rdds.train().unpersist();
                rdds.valid().unpersist();
                writeReports(out, all, descriptions, quick, seeds, epochs, patience, scale, (System.nanoTime() - t0) / 1e9);
            }
        }
        System.out.println(Files.readString(out.resolve("results.md")));
        System.out.println("reports written to " + out.toAbsolutePath());
    }

    /** One task's data, loaded once and cached as RDDs for every run of a benchmark. */
    record Prepared(Task task, TaskRunner.Rdds rdds) {
    }

    /** Loads task {@code name} (data seed 0), records its description and prints it. */
    static Prepared prepare(JavaSparkContext sc, String name, Task.Scale scale, int workers, Map<String, String> descriptions)
            throws IOException {
        Task task = Task.byName(name.trim());
        Task.Data data = task.load(scale, 0);
        descriptions.put(task.name(), data.description());
        System.out.println("== " + task.name() + ": " + data.description());
        return new Prepared(task, TaskRunner.Rdds.of(sc, data, workers));
    }

    /** The benchmarks' Spark configuration: {@code --master} if given, else spark-submit's, else local[2]; no UI. */
    static SparkConf sparkConf(String app, Map<String, String> opt) {
        SparkConf conf = new SparkConf().setAppName(app);
        if (opt.containsKey("master") || !conf.contains("spark.master")) {
            conf.setMaster(opt.getOrDefault("master", "local[2]"));
        }
        conf.setIfMissing("spark.ui.enabled", "false");
        return conf;
    }

    static double mean(double[] x) {
        return Arrays.stream(x).average().orElse(Double.NaN);
    }

    /** Sample standard deviation (n − 1; 0 for a single value). */
    static double std(double[] x) {
        double m = mean(x);
        return Math.sqrt(Arrays.stream(x).map(v -> (v - m) * (v - m)).sum() / Math.max(1, x.length - 1));
    }

    static boolean better(Task t, double a, double b) {
        return t.higherIsBetter() ? a > b : a < b;
    }

    static TaskRunner.Result relabel(TaskRunner.Result r, String label) {
        return r.relabel(label);
    }

    static final List<String> ORDER = List.of("adamw-paper", "adamw-grid", "metaadamw", "metaadamw-paper", "hypergradient", "mada",
            "ablation-random", "ablation-three-terms");

    static void writeReports(Path out, List<TaskRunner.Result> all, Map<String, String> descriptions, boolean quick, int seeds,
                             int epochs, int patience, Task.Scale scale, double seconds) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Budget: %d epochs, early stopping after %d epochs without improvement, %d seed(s), data scale %s%s; "
                + "total %.0f s.%n%n", epochs, patience, seeds, scale.name().toLowerCase(Locale.ROOT), quick ? " (--quick)" : "", seconds));
        md.append("| task | optimizer | lr | test metric (mean ± std) | epochs to AdamW's best | seconds to AdamW's best | s/epoch | overhead vs adamw-paper |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        Map<String, List<TaskRunner.Result>> byTask = new LinkedHashMap<>();
        for (var r : all) {
            byTask.computeIfAbsent(r.task(), k -> new ArrayList<>()).add(r);
        }
        for (var e : byTask.entrySet()) {
            Task task = Task.byName(e.getKey());
            List<TaskRunner.Result> paper = e.getValue().stream().filter(r -> r.label().equals("adamw-paper")).toList();
            double paperEpoch = paper.stream().flatMap(r -> r.epochSeconds().stream()).mapToDouble(d -> d).average().orElse(Double.NaN);
            for (String label : ORDER) {
                List<TaskRunner.Result> rs = e.getValue().stream().filter(r -> r.label().equals(label)).toList();
                if (rs.isEmpty()) {
                    continue;
                }
                double[] test = rs.stream().mapToDouble(TaskRunner.Result::test).toArray();
                double mean = mean(test), std = std(test);
                // epochs / seconds until the validation metric reaches AdamW-paper's best (same seed)
                List<Double> ep = new ArrayList<>(), sec = new ArrayList<>();
                int reached = 0;
                for (var r : rs) {
                    var ref = paper.stream().filter(p -> p.seed() == r.seed()).findFirst().orElse(paper.get(0));
                    double target = ref.bestValidation();
                    double s = 0;
                    for (int i = 0; i < r.validation().size(); i++) {
                        s += r.epochSeconds().get(i);
                        if (!better(task, target, r.validation().get(i))) {
                            ep.add(i + 1.0);
                            sec.add(s);
                            reached++;
                            break;
                        }
                    }
                }
                double perEpoch = rs.stream().flatMap(r -> r.epochSeconds().stream()).mapToDouble(d -> d).average().orElse(Double.NaN);
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s %.4f ± %.4f | %s | %s | %.2f | %+.1f %% |%n", e.getKey(), label,
                        fmtLr(rs.get(0).learningRate()), task.metric(), mean, std,
                        reached == 0 ? "not reached" : String.format(Locale.ROOT, "%.1f (%d/%d)", ep.stream().mapToDouble(d -> d).average().orElse(0), reached, rs.size()),
                        reached == 0 ? "–" : String.format(Locale.ROOT, "%.1f", sec.stream().mapToDouble(d -> d).average().orElse(0)),
                        perEpoch, 100 * (perEpoch / paperEpoch - 1)));
            }
        }
        md.append("\nData:\n");
        descriptions.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        Files.writeString(out.resolve("results.md"), md, StandardCharsets.UTF_8);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("results.json").toFile(), all);
    }

    static String fmtLr(double lr) {
        return String.format(Locale.ROOT, "%.0e", lr);
    }

    static void plots(Path out, Task task, List<TaskRunner.Result> results) throws IOException {
        XYSeriesCollection curves = new XYSeriesCollection();
        for (String label : ORDER) {
            List<TaskRunner.Result> rs = results.stream().filter(r -> r.label().equals(label)).toList();
            if (rs.isEmpty()) {
                continue;
            }
            XYSeries s = new XYSeries(label);
            int maxLen = rs.stream().mapToInt(r -> r.validation().size()).max().orElse(0);
            for (int i = 0; i < maxLen; i++) {
                final int idx = i;
                double mean = rs.stream().filter(r -> r.validation().size() > idx).mapToDouble(r -> r.validation().get(idx)).average().orElse(Double.NaN);
                s.add(i + 1, mean);
            }
            curves.addSeries(s);
        }
        JFreeChart c = ChartFactory.createXYLineChart(task.name() + ": validation " + task.metric() + " (mean over seeds)", "epoch",
                task.metric(), curves, PlotOrientation.VERTICAL, true, false, false);
        ((org.jfree.chart.axis.NumberAxis) c.getXYPlot().getRangeAxis()).setAutoRangeIncludesZero(false);
        ChartUtils.saveChartAsPNG(out.resolve(task.name() + "-validation.png").toFile(), c, 800, 500);

        TaskRunner.Result meta = results.stream().filter(r -> r.label().equals("metaadamw")).findFirst().orElse(null);
        if (meta == null || meta.alphaPerRound().isEmpty()) {
            return;
        }
        XYSeriesCollection mult = new XYSeriesCollection();
        for (int g = 0; g < meta.groups().size(); g++) {
            XYSeries a = new XYSeries("α " + meta.groups().get(g)), b = new XYSeries("β " + meta.groups().get(g));
            for (int r = 0; r < meta.alphaPerRound().size(); r++) {
                a.add(r, meta.alphaPerRound().get(r)[g]);
                b.add(r, meta.betaPerRound().get(r)[g]);
            }
            mult.addSeries(a);
            mult.addSeries(b);
        }
        JFreeChart m = ChartFactory.createXYLineChart(task.name() + ": MetaAdamW multipliers per group (seed 0)", "round", "multiplier",
                mult, PlotOrientation.VERTICAL, true, false, false);
        ((org.jfree.chart.axis.NumberAxis) m.getXYPlot().getRangeAxis()).setAutoRangeIncludesZero(false);
        ChartUtils.saveChartAsPNG(out.resolve(task.name() + "-multipliers.png").toFile(), m, 900, 600);
    }
}
