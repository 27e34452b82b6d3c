package org.metaadamw.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.examples.Args;
import org.metaadamw.examples.TaskRunner;
import org.metaadamw.examples.tasks.Task;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
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
 * The learning-rate sensitivity part of the quality benchmark ({@code QualityBenchmark --sweep}):
 * every optimizer at every base learning rate with every seed, the same epoch budget, the test
 * metric of the best validation epoch.
 *
 * <p>Optimizers ({@code --optimizers}, separated by {@code ;}): {@code adamw}, {@code metaadamw}
 * (project defaults), {@code metaadamw-paper} ({@code preset=paper}), {@code hypergradient}, or
 * {@code label:key=value&key=value} for any other {@code spark.metaadamw.*} variant (keys without the
 * prefix). Outputs under {@code --out}: {@code sweep.md} (table, robustness and best-of-sweep
 * comparisons, diagnosis of the meta-gradient), {@code sweep.json} (every run), per task
 * {@code <task>-lr.png} (final metric against base lr, one line per optimizer, band = min..max over
 * seeds) and {@code <task>-alpha.png} (α and β per group over rounds, one small panel per group, one
 * line per base lr, seed 0, metaadamw).
 */
public final class LrSweep {
    private LrSweep() {
    }

    static final String DEFAULT_OPTIMIZERS = "adamw;metaadamw;metaadamw-paper;hypergradient;mada";

    record Optimizer(String label, Map<String, String> settings) {
        static Optimizer parse(String spec) {
            String s = spec.trim();
            int colon = s.indexOf(':');
            String label = colon < 0 ? s : s.substring(0, colon);
            Map<String, String> m = new LinkedHashMap<>();
            switch (label) {
                case "adamw" -> m.put("controller", "adamw");
                case "metaadamw" -> m.put("controller", "metaadamw");
                case "metaadamw-paper" -> {
                    m.put("controller", "metaadamw");
                    m.put("preset", "paper");
                }
                case "hypergradient" -> m.put("controller", "hypergradient");
                case "mada" -> m.put("controller", "mada");
                default -> m.put("controller", "metaadamw");
            }
            if (colon >= 0) {
                for (String kv : s.substring(colon + 1).split("&")) {
                    int eq = kv.indexOf('=');
                    if (eq < 0) {
                        throw new IllegalArgumentException("optimizer '" + spec + "': expected key=value, got '" + kv + "'");
                    }
                    m.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
                }
            }
            return new Optimizer(label, m);
        }

        MetaAdamWConfig config(double lr, double wd, int workers) {
            MetaAdamWConfig.Builder b = MetaAdamWConfig.builder();
            settings.forEach((k, v) -> b.setString(k.startsWith("spark.metaadamw.") ? k : "spark.metaadamw." + k, v));
            return b.learningRate(lr).weightDecay(wd).numWorkers(workers).build();
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> opt = Args.parse(argv);
        if (opt.containsKey("help")) {
            System.out.println("usage: QualityBenchmark --sweep [--tasks image,sentiment,forecasting] [--lrs 1e-4,3e-4,1e-3,3e-3,1e-2] "
                    + "[--optimizers '" + DEFAULT_OPTIMIZERS + "'] [--seeds N] [--epochs N] [--scale quick|benchmark|full] "
                    + "[--master M] [--workers N] [--weightDecay X] [--out DIR]");
            return;
        }
        System.setProperty("java.awt.headless", "true");
        if (opt.containsKey("from")) {
            report(opt);
            return;
        }
        List<String> tasks = Arrays.asList(opt.getOrDefault("tasks", "image,sentiment,forecasting").split(","));
        double[] lrs = Arrays.stream(opt.getOrDefault("lrs", "1e-4,3e-4,1e-3,3e-3,1e-2").split(",")).mapToDouble(Double::parseDouble).toArray();
        List<Optimizer> optimizers = Arrays.stream(opt.getOrDefault("optimizers", DEFAULT_OPTIMIZERS).split(";"))
                .map(Optimizer::parse).toList();
        int seeds = Integer.parseInt(opt.getOrDefault("seeds", "3"));
        int epochs = Integer.parseInt(opt.getOrDefault("epochs", "6"));
        int workers = Integer.parseInt(opt.getOrDefault("workers", "2"));
        double wd = Double.parseDouble(opt.getOrDefault("weightDecay", "1e-2"));
        Task.Scale scale = Task.Scale.valueOf(opt.getOrDefault("scale", "benchmark").toUpperCase(Locale.ROOT));
        Path out = Path.of(opt.getOrDefault("out", "reports/sweep"));
        Files.createDirectories(out);
        for (Optimizer o : optimizers) {
            o.config(lrs[0], wd, workers); // refuse a bad variant before any run
        }

        SparkConf conf = QualityBenchmark.sparkConf("metaadamw-lr-sweep", opt);
        List<TaskRunner.Result> all = new ArrayList<>();
        Map<String, String> descriptions = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            for (String name : tasks) {
                QualityBenchmark.Prepared prep = QualityBenchmark.prepare(sc, name, scale, workers, descriptions);
                Task task = prep.task();
                var rdds = prep.rdds();
                TaskRunner.run(sc, task, rdds, new TaskRunner.Spec("warm-up", optimizers.get(0).config(lrs[0], wd, workers),
                        99, 1, 0), line -> { });
                List<TaskRunner.Result> results = new ArrayList<>();
                for (Optimizer o : optimizers) {
                    for (double lr : lrs) {
                        for (int s = 0; s < seeds; s++) {
                            results.add(TaskRunner.run(sc, task, rdds,
                                    new TaskRunner.Spec(o.label(), o.config(lr, wd, workers), s, epochs, 0), System.out::println));
                        }
                    }
                }
                all.addAll(results);
                plots(out, task, results, optimizers, lrs);
                rdds.train().unpersist();
                rdds.valid().unpersist();
                write(out, all, optimizers, lrs, descriptions, scale, (System.nanoTime() - t0) / 1e9);
            }
        }
        System.out.println(Files.readString(out.resolve("sweep.md")));
        System.out.println("reports written to " + out.toAbsolutePath());
    }

    /**
     * {@code --from a/sweep.json,b/sweep.json --out DIR}: one report and the plots from the runs of
     * several sweeps (for example one per task, each with its own epoch budget), without training.
     */
    static void report(Map<String, String> opt) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<TaskRunner.Result> all = new ArrayList<>();
        for (String f : opt.get("from").split(",")) {
            all.addAll(Arrays.asList(json.readValue(Path.of(f.trim()).toFile(), TaskRunner.Result[].class)));
        }
        Path out = Path.of(opt.getOrDefault("out", "reports/sweep"));
        Files.createDirectories(out);
        Task.Scale scale = Task.Scale.valueOf(opt.getOrDefault("scale", "benchmark").toUpperCase(Locale.ROOT));
        List<Optimizer> optimizers = all.stream().map(TaskRunner.Result::label).distinct().map(Optimizer::parse).toList();
        double[] lrs = all.stream().mapToDouble(TaskRunner.Result::learningRate).distinct().sorted().toArray();
        Map<String, String> descriptions = new LinkedHashMap<>();
        for (String t : all.stream().map(TaskRunner.Result::task).distinct().toList()) {
            descriptions.put(t, Task.byName(t).load(scale, 0).description());
            plots(out, Task.byName(t), all.stream().filter(r -> r.task().equals(t)).toList(), optimizers,
                    Arrays.stream(lrs).filter(lr -> all.stream().anyMatch(r -> r.task().equals(t) && r.learningRate() == lr)).toArray());
        }
        write(out, all, optimizers, lrs, descriptions, scale, 0);
        System.out.println(Files.readString(out.resolve("sweep.md")));
    }

    private static boolean isMada(Optimizer o) {
        return "mada".equals(o.settings().get("controller"));
    }

    static double[] tests(List<TaskRunner.Result> rs) {
        return rs.stream().mapToDouble(TaskRunner.Result::test).toArray();
    }

    static List<TaskRunner.Result> select(List<TaskRunner.Result> all, String task, String label, double lr) {
        return all.stream().filter(r -> r.task().equals(task) && r.label().equals(label) && r.learningRate() == lr).toList();
    }

    static void write(Path out, List<TaskRunner.Result> all, List<Optimizer> optimizers, double[] lrs, Map<String, String> descriptions,
                      Task.Scale scale, double seconds) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Test metric of the best validation epoch; data scale %s, Spark local mode, 2 workers%s.%n%n",
                scale.name().toLowerCase(Locale.ROOT), seconds > 0 ? String.format(Locale.ROOT, "; total %.0f s", seconds) : ""));
        Map<String, double[]> summary = new LinkedHashMap<>();
        for (String taskName : descriptions.keySet()) {
            Task task = Task.byName(taskName);
            List<TaskRunner.Result> ofTask = all.stream().filter(r -> r.task().equals(taskName)).toList();
            double[] taskLrs = Arrays.stream(lrs).filter(lr -> ofTask.stream().anyMatch(r -> r.learningRate() == lr)).toArray();
            int taskEpochs = ofTask.stream().mapToInt(r -> r.validation().size()).max().orElse(0);
            long taskSeeds = ofTask.stream().mapToLong(TaskRunner.Result::seed).distinct().count();
            md.append("### ").append(taskName).append(" (test ").append(task.metric()).append(", mean ± std over ").append(taskSeeds)
              .append(" seeds, ").append(taskEpochs).append(" epochs)\n\n| optimizer |");
            for (double lr : taskLrs) {
                md.append(' ').append(QualityBenchmark.fmtLr(lr)).append(" |");
            }
            md.append(" best | worst |\n|---|").append("---|".repeat(taskLrs.length + 2)).append('\n');
            for (Optimizer o : optimizers) {
                md.append("| ").append(o.label()).append(" |");
                double best = Double.NaN, worst = Double.NaN;
                for (double lr : taskLrs) {
                    double[] t = tests(select(all, taskName, o.label(), lr));
                    if (t.length == 0) {
                        md.append(" – |");
                        continue;
                    }
                    double m = QualityBenchmark.mean(t);
                    md.append(String.format(Locale.ROOT, " %.4f ± %.4f |", m, QualityBenchmark.std(t)));
                    if (Double.isNaN(best) || QualityBenchmark.better(task, m, best)) {
                        best = m;
                    }
                    if (Double.isNaN(worst) || QualityBenchmark.better(task, worst, m) || !Double.isFinite(m)) {
                        worst = m;
                    }
                }
                summary.put(taskName + "/" + o.label(), new double[]{best, worst});
                md.append(String.format(Locale.ROOT, " %.4f | %.4f |%n", best, worst));
            }
            double[] ab = summary.get(taskName + "/adamw");
            if (ab != null) {
                for (double lr : taskLrs) {
                    var rs = select(all, taskName, "adamw", lr);
                    if (!rs.isEmpty() && QualityBenchmark.mean(tests(rs)) == ab[0]) {
                        md.append(String.format(Locale.ROOT, "%nAdamW's best base lr here is %s; its best validation epoch is %s of %d "
                                        + "(per seed; the budget is long enough when it is below the last).%n", QualityBenchmark.fmtLr(lr),
                                rs.stream().map(r -> String.valueOf(r.bestEpoch() + 1)).toList(), rs.get(0).validation().size()));
                        break;
                    }
                }
            }
            md.append("\nMean final α (metaadamw-type optimizers and hypergradient, seed mean of the last round's mean over groups):\n\n| optimizer |");
            for (double lr : taskLrs) {
                md.append(' ').append(QualityBenchmark.fmtLr(lr)).append(" |");
            }
            md.append("\n|---|").append("---|".repeat(taskLrs.length)).append('\n');
            for (Optimizer o : optimizers) {
                if (o.label().equals("adamw") || isMada(o)) {
                    continue;
                }
                md.append("| ").append(o.label()).append(" |");
                for (double lr : taskLrs) {
                    var rs = select(all, taskName, o.label(), lr);
                    double a = rs.stream().filter(r -> !r.alphaPerRound().isEmpty())
                            .mapToDouble(r -> QualityBenchmark.mean(r.alphaPerRound().get(r.alphaPerRound().size() - 1))).average().orElse(Double.NaN);
                    md.append(String.format(Locale.ROOT, " %.3f |", a));
                }
                md.append('\n');
            }
            md.append('\n');
            for (Optimizer o : optimizers) {
                if (!isMada(o)) {
                    continue;
                }
                md.append(o.label()).append("'s coefficients after the last round, seed 0 (its multipliers stay 1):\n\n| base lr | coefficients |\n|---|---|\n");
                for (double lr : taskLrs) {
                    select(all, taskName, o.label(), lr).stream().filter(r -> r.seed() == 0).findFirst().ifPresent(r ->
                            md.append("| ").append(QualityBenchmark.fmtLr(lr)).append(" | ").append(r.finalModulation()).append(" |\n"));
                }
                md.append('\n');
            }
            diagnosis(md, all, taskName, optimizers, taskLrs);
        }
        targets(md, summary, descriptions.keySet(), optimizers);
        md.append("\nData:\n");
        descriptions.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        Files.writeString(out.resolve("sweep.md"), md, StandardCharsets.UTF_8);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("sweep.json").toFile(), all);
    }

    /** Per group: each term's HUW-weighted contribution to dL_meta/dα, summed over meta-steps, mean over seeds. */
    static void diagnosis(StringBuilder md, List<TaskRunner.Result> all, String taskName, List<Optimizer> optimizers, double[] lrs) {
        for (Optimizer o : optimizers) {
            if (!o.settings().get("controller").equals("metaadamw")) {
                continue;
            }
            double lr = lrs[lrs.length / 2];
            var rs = select(all, taskName, o.label(), lr);
            if (rs.isEmpty() || rs.get(0).dAlphaSums() == null) {
                continue;
            }
            List<String> groups = rs.get(0).groups();
            md.append(String.format(Locale.ROOT, "Diagnosis, %s at lr %s: Σ over meta-steps of w_i·∂L_i/∂α_g (negative = the term pushes α_g up), mean over seeds\n\n",
                    o.label(), QualityBenchmark.fmtLr(lr)));
            md.append("| group | alignment | loss decrease | gap | total | final α |\n|---|---|---|---|---|---|\n");
            for (int g = 0; g < groups.size(); g++) {
                double[] v = new double[3];
                double a = 0;
                for (var r : rs) {
                    for (int i = 0; i < 3; i++) {
                        v[i] += r.dAlphaSums()[i][g] / rs.size();
                    }
                    a += r.alphaPerRound().get(r.alphaPerRound().size() - 1)[g] / rs.size();
                }
                md.append(String.format(Locale.ROOT, "| %s | %+.3e | %+.3e | %+.3e | %+.3e | %.3f |%n", groups.get(g), v[0], v[1], v[2],
                        v[0] + v[1] + v[2], a));
            }
            md.append(String.format(Locale.ROOT, "%nThe same sums over all groups, at every base lr (%s):%n%n", o.label()));
            md.append("| base lr | alignment | loss decrease | gap | final mean α |\n|---|---|---|---|---|\n");
            for (double l : lrs) {
                var rl = select(all, taskName, o.label(), l);
                if (rl.isEmpty()) {
                    continue;
                }
                double[] v = new double[3];
                double a = 0;
                for (var r : rl) {
                    for (int i = 0; i < 3; i++) {
                        for (int g = 0; g < groups.size(); g++) {
                            v[i] += r.dAlphaSums()[i][g] / rl.size();
                        }
                    }
                    a += QualityBenchmark.mean(r.alphaPerRound().get(r.alphaPerRound().size() - 1)) / rl.size();
                }
                md.append(String.format(Locale.ROOT, "| %s | %+.3e | %+.3e | %+.3e | %.3f |%n", QualityBenchmark.fmtLr(l), v[0], v[1], v[2], a));
            }
            var huw = rs.get(0).huwPerRound();
            if (!huw.isEmpty()) {
                md.append("\nHUW weights (alignment, loss decrease, gap), seed 0: ");
                int n = huw.size();
                for (int idx : new int[]{0, n / 4, n / 2, 3 * n / 4, n - 1}) {
                    double[] w = huw.get(idx);
                    md.append(String.format(Locale.ROOT, "step %d: (%.3g, %.3g, %.3g)  ", idx + 1, w[0], w[1], w[2]));
                }
                md.append('\n');
            }
            var sc = rs.get(0).scalePerRound();
            if (!sc.isEmpty() && sc.stream().anyMatch(x -> x != 0)) {
                md.append(String.format(Locale.ROOT, "Global scale e^ρ, seed 0: round %d: %.3f, round %d: %.3f, last: %.3f%n",
                        sc.size() / 4, Math.exp(sc.get(sc.size() / 4)), sc.size() / 2, Math.exp(sc.get(sc.size() / 2)),
                        Math.exp(sc.get(sc.size() - 1))));
            }
            md.append('\n');
        }
    }

    static void targets(StringBuilder md, Map<String, double[]> summary, Iterable<String> taskNames, List<Optimizer> optimizers) {
        md.append("### Best and worst of the sweep\n\n| task | AdamW best | AdamW worst |");
        List<String> others = optimizers.stream().map(Optimizer::label).filter(l -> !l.equals("adamw")).toList();
        for (String l : others) {
            md.append(' ').append(l).append(" best | ").append(l).append(" worst |");
        }
        md.append("\n|---|---|---|").append("---|---|".repeat(others.size())).append('\n');
        for (String t : taskNames) {
            double[] a = summary.get(t + "/adamw");
            md.append("| ").append(t).append(String.format(Locale.ROOT, " | %.4f | %.4f |", a == null ? Double.NaN : a[0], a == null ? Double.NaN : a[1]));
            for (String l : others) {
                double[] v = summary.getOrDefault(t + "/" + l, new double[]{Double.NaN, Double.NaN});
                md.append(String.format(Locale.ROOT, " %.4f | %.4f |", v[0], v[1]));
            }
            md.append('\n');
        }
        md.append('\n');
    }

    static void plots(Path out, Task task, List<TaskRunner.Result> results, List<Optimizer> optimizers, double[] lrs) throws IOException {
        YIntervalSeriesCollection lines = new YIntervalSeriesCollection();
        for (Optimizer o : optimizers) {
            YIntervalSeries s = new YIntervalSeries(o.label());
            for (double lr : lrs) {
                double[] t = tests(select(results, task.name(), o.label(), lr));
                if (t.length > 0) {
                    s.add(lr, QualityBenchmark.mean(t), Arrays.stream(t).min().orElse(0), Arrays.stream(t).max().orElse(0));
                }
            }
            lines.addSeries(s);
        }
        JFreeChart c = ChartFactory.createXYLineChart(task.name() + ": test " + task.metric() + " against base learning rate (band: seeds' min..max)",
                "base learning rate", task.metric(), lines, PlotOrientation.VERTICAL, true, false, false);
        XYPlot p = c.getXYPlot();
        LogAxis x = new LogAxis("base learning rate");
        x.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(0.5));
        x.setNumberFormatOverride(new java.text.DecimalFormat("0.0E0"));
        p.setDomainAxis(x);
        p.setBackgroundPaint(Color.WHITE);
        p.setDomainGridlinePaint(Color.LIGHT_GRAY);
        p.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((NumberAxis) p.getRangeAxis()).setAutoRangeIncludesZero(false);
        DeviationRenderer r = new DeviationRenderer(true, true);
        for (int i = 0; i < optimizers.size(); i++) {
            Color col = Color.getHSBColor(i / (float) optimizers.size(), 0.8f, 0.8f);
            r.setSeriesPaint(i, col);
            r.setSeriesFillPaint(i, col);
        }
        r.setAlpha(0.2f);
        p.setRenderer(r);
        ChartUtils.saveChartAsPNG(out.resolve(task.name() + "-lr.png").toFile(), c, 900, 560);

        List<TaskRunner.Result> meta = new ArrayList<>();
        for (double lr : lrs) {
            results.stream().filter(rr -> rr.label().equals("metaadamw") && rr.seed() == 0 && rr.learningRate() == lr).findFirst().ifPresent(meta::add);
        }
        if (meta.isEmpty()) {
            return;
        }
        alphaPanels(out.resolve(task.name() + "-alpha.png"), task.name() + ": metaadamw α (solid) and β (thin) per group, seed 0", meta);
    }

    /** One small panel per group: α and β over rounds, one colour per base learning rate, log-scale y. */
    static void alphaPanels(Path file, String title, List<TaskRunner.Result> runs) throws IOException {
        List<String> groups = runs.get(0).groups();
        int G = groups.size(), cols = Math.min(4, G), rows = (G + cols - 1) / cols, w = 330, h = 230;
        BufferedImage img = new BufferedImage(cols * w, rows * h + 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g2 = img.createGraphics();
        g2.setColor(Color.WHITE);
        g2.fillRect(0, 0, img.getWidth(), img.getHeight());
        g2.setColor(Color.BLACK);
        g2.drawString(title + "; colours: base lr " + runs.stream().map(r -> QualityBenchmark.fmtLr(r.learningRate())).toList(), 10, 24);
        for (int g = 0; g < G; g++) {
            XYSeriesCollection data = new XYSeriesCollection();
            for (var r : runs) {
                XYSeries a = new XYSeries("α lr " + QualityBenchmark.fmtLr(r.learningRate()));
                XYSeries b = new XYSeries("β lr " + QualityBenchmark.fmtLr(r.learningRate()));
                for (int i = 0; i < r.alphaPerRound().size(); i++) {
                    a.add(i, r.alphaPerRound().get(i)[g]);
                    b.add(i, r.betaPerRound().get(i)[g]);
                }
                data.addSeries(a);
                data.addSeries(b);
            }
            JFreeChart c = ChartFactory.createXYLineChart(groups.get(g), "round", null, data, PlotOrientation.VERTICAL, false, false, false);
            c.getTitle().setFont(c.getTitle().getFont().deriveFont(11f));
            XYPlot p = c.getXYPlot();
            LogAxis y = new LogAxis(null);
            y.setSmallestValue(0.05);
            y.setNumberFormatOverride(new java.text.DecimalFormat("0.##"));
            p.setRangeAxis(y);
            p.setBackgroundPaint(Color.WHITE);
            p.setDomainGridlinePaint(Color.LIGHT_GRAY);
            p.setRangeGridlinePaint(Color.LIGHT_GRAY);
            var rend = p.getRenderer();
            for (int i = 0; i < runs.size(); i++) {
                Color col = Color.getHSBColor(i / (float) runs.size(), 0.85f, 0.75f);
                rend.setSeriesPaint(2 * i, col);
                rend.setSeriesPaint(2 * i + 1, col);
                rend.setSeriesStroke(2 * i, new java.awt.BasicStroke(2f));
                rend.setSeriesStroke(2 * i + 1, new java.awt.BasicStroke(0.7f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER,
                        1f, new float[]{3f, 3f}, 0f));
            }
            g2.drawImage(c.createBufferedImage(w, h), (g % cols) * w, 40 + (g / cols) * h, null);
        }
        g2.dispose();
        ImageIO.write(img, "png", file.toFile());
    }
}
