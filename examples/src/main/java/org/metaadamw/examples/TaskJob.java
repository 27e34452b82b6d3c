package org.metaadamw.examples;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.examples.tasks.ForecastingTask;
import org.metaadamw.examples.tasks.ImageTask;
import org.metaadamw.examples.tasks.LanguageModelTask;
import org.metaadamw.examples.tasks.SentimentTask;
import org.metaadamw.examples.tasks.Task;
import org.metaadamw.examples.tasks.TranslationTask;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The body of the five example jobs ({@code ForecastJob}, {@code LanguageModelJob},
 * {@code TranslationJob}, {@code ImageJob}, {@code SentimentJob}): trains one task with the chosen
 * controller on Spark, prints progress per epoch and the per-group multipliers at the end.
 */
public final class TaskJob {
    private TaskJob() {
    }

    static final String USAGE = """
            options:
              --master M        Spark master (default: from spark-submit, else local[2])
              --workers N       data-parallel workers (default 2)
              --controller C    metaadamw | adamw | random (default metaadamw)
              --lr X            base learning rate (default 5e-4, the paper's setting)
              --weightDecay X   base weight decay (default 1e-2)
              --epochs N        epoch budget (default 6)
              --patience N      early stopping patience in epochs (default 2; 0 = none)
              --seed N          seed (default 0)
              --quick           small subsets (default: the whole data sets)
              --conf KEY=VALUE  any spark.metaadamw.* setting (repeatable as --conf1, --conf2, ...)
            data (optional, to use your own copies of the standard sets):
              forecasting:      uses the fetched weather data
              language-model:   --corpus DIR      (WikiText layout: train.txt, valid.txt, test.txt)
              translation:      --src F --tgt F   (line-aligned, optionally .gz; Multi30k layout)
              image:            --cifar DIR       (CIFAR-10 binary: data_batch_1.bin, test_batch.bin)
              sentiment:        --labelled F      (label<TAB>text .tsv, or JSON [{"text","class"}])
            """;

    public static void main(String taskName, String[] args) throws Exception {
        Map<String, String> opt = Args.parse(normalize(args));
        if (opt.containsKey("help")) {
            System.out.println("usage: spark-submit --class <job> metaadamw-examples.jar [options]\n" + USAGE);
            return;
        }
        Task task = switch (taskName) {
            case "language-model" -> new LanguageModelTask(opt.containsKey("corpus") ? Path.of(opt.get("corpus")) : null);
            case "translation" -> opt.containsKey("src") ? new TranslationTask(Path.of(opt.get("src")), Path.of(opt.get("tgt")))
                    : new TranslationTask();
            case "image" -> new ImageTask(opt.containsKey("cifar") ? Path.of(opt.get("cifar")) : null);
            case "sentiment" -> new SentimentTask(opt.containsKey("labelled") ? Path.of(opt.get("labelled")) : null);
            default -> new ForecastingTask();
        };
        boolean quick = opt.containsKey("quick");
        int workers = Integer.parseInt(opt.getOrDefault("workers", "2"));
        long seed = Long.parseLong(opt.getOrDefault("seed", "0"));
        Map<String, String> settings = new HashMap<>();
        opt.forEach((k, v) -> {
            if (k.startsWith("conf")) {
                int eq = v.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("--" + k + " expects KEY=VALUE (got '" + v + "')");
                }
                settings.put(v.substring(0, eq), v.substring(eq + 1));
            }
        });
        MetaAdamWConfig cfg = MetaAdamWConfig.fromMap(settings).toBuilder()
                .controller(opt.getOrDefault("controller", "metaadamw"))
                .learningRate(Double.parseDouble(opt.getOrDefault("lr", "5e-4")))
                .weightDecay(Double.parseDouble(opt.getOrDefault("weightDecay", "1e-2")))
                .numWorkers(workers).build();
        SparkConf conf = new SparkConf().setAppName("metaadamw-" + task.name());
        if (opt.containsKey("master") || !conf.contains("spark.master")) {
            conf.setMaster(opt.getOrDefault("master", "local[2]"));
        }
        conf.setIfMissing("spark.ui.enabled", "false");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            Task.Data data = task.load(quick ? Task.Scale.QUICK : Task.Scale.FULL, seed);
            System.out.println(task.name() + ": " + data.description());
            var rdds = TaskRunner.Rdds.of(sc, data, workers);
            var spec = new TaskRunner.Spec(cfg.controller(), cfg, seed, Integer.parseInt(opt.getOrDefault("epochs", quick ? "2" : "6")),
                    Integer.parseInt(opt.getOrDefault("patience", "2")));
            var r = TaskRunner.run(sc, task, data, rdds, spec, System.out::println);
            System.out.printf(Locale.ROOT, "%n%s with %s: test %s %.4f (best epoch %d of %d)%n", task.name(), cfg.controller(),
                    task.metric(), r.test(), r.bestEpoch() + 1, r.validation().size());
            System.out.println("per-group multipliers at the end:");
            double[] a = r.alphaPerRound().isEmpty() ? new double[0] : r.alphaPerRound().get(r.alphaPerRound().size() - 1);
            double[] b = r.betaPerRound().isEmpty() ? new double[0] : r.betaPerRound().get(r.betaPerRound().size() - 1);
            for (int g = 0; g < a.length; g++) {
                System.out.printf(Locale.ROOT, "  %-30s α %.4f  β %.4f%n", r.groups().get(g), a[g], b[g]);
            }
        }
    }

    /** {@code --quick} is a flag: give it a value so that the option parser reads pairs. */
    private static String[] normalize(String[] args) {
        java.util.List<String> out = new java.util.ArrayList<>();
        int confs = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--quick")) {
                out.add("--quick");
                out.add("true");
            } else if (args[i].equals("--conf") && i + 1 < args.length) {
                out.add("--conf" + (confs++));
                out.add(args[++i]);
            } else {
                out.add(args[i]);
            }
        }
        return out.toArray(new String[0]);
    }
}
