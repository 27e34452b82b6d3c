package org.metaadamw.examples;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.metaadamw.config.ConfigEntry;
import org.metaadamw.config.MetaAdamWConf;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.examples.tasks.ForecastingTask;
import org.metaadamw.examples.tasks.ImageTask;
import org.metaadamw.examples.tasks.LanguageModelTask;
import org.metaadamw.examples.tasks.PreparedData;
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
              --controller C    metaadamw | adamw | hypergradient | random, or the name of a
                                ControllerProvider on the class path (default metaadamw)
              --lr X            base learning rate (default 5e-4, the paper's setting)
              --weightDecay X   base weight decay (default 1e-2)
              --epochs N        epoch budget (default 6)
              --patience N      early stopping patience in epochs (default 2; 0 = none)
              --seed N          seed of the model and the optimizer (default 0); the same seed, the same
                                initial model (the data splits do not depend on it)
              --quick           small subsets (default: the whole data sets)
              --checkpoint DIR  write checkpoints to DIR (any Hadoop path: file:, hdfs:, ...): the
                                trainer's every checkpoint.interval rounds (--conf, default 0) and at
                                every epoch end, and the job's own state after every evaluation
              --resume          continue from the newest checkpoint in DIR (same options otherwise);
                                gives the same final parameters as an uninterrupted run
              --conf KEY=VALUE  any spark.metaadamw.* setting (repeatable as --conf1, --conf2, ...)
              --data DIR        the prepared minibatches (Parquet, any Hadoop path): read by the executors
                                when DIR holds them, else prepared there first, once, from the raw data
                                on the driver (default: $METAADAMW_DATA/prepared/<task>-<key>, the key
                                naming the task, --quick, --seed and the data options below with their
                                files' sizes and times; a DIR prepared from other options is refused)
              --prepare         prepare the minibatches again even if DIR holds them (after changing a
                                task's loading code)
            data (optional: your own copies of the standard sets, in their standard form; every
            split a job makes itself comes after a shuffle with a fixed seed, the same for every --seed,
            except the chronological ones; a classification split lacking a class is warned about):
              forecasting:      --csv F [--target COL]
                                ETT layout: a 'date' column (else the first one) and numeric columns;
                                predicts COL (default the last column, ETT's OT; 'all' = every column)
                                from 14 rows of every column. ETTh*/ETTm* files: ETT's 12/4/4-month
                                split; other files 70/10/20 in time order. Default: the fetched weather
                                data, all 8 series predicted
              language-model:   --corpus DIR      WikiText layout: train.txt, valid.txt, test.txt (or
                                wiki.train.tokens, ...), its own splits used as they are
              translation:      --src F --tgt F   line-aligned, optionally .gz (Multi30k train.de, train.en)
                                [--valid-src F --valid-tgt F] [--test-src F --test-tgt F]  the official
                                splits (Multi30k val.*, test_2016_flickr.*); without them 10 % of the
                                training pairs each. Pairs over 10 tokens are dropped from every split
              image:            --cifar DIR       CIFAR-10 binary: data_batch_1.bin .. data_batch_5.bin
                                (one sixth held out for validation) and test_batch.bin
              sentiment:        --labelled F      label<TAB>text .tsv (a header such as SST-2's
                                'sentence<TAB>label' names the columns), or JSON [{"text","class"}]
                                [--valid F] [--test F]  the official splits in the same formats (SST-2
                                dev.tsv; GLUE's test.tsv is unlabelled and refused); without them 15 %
                                of the labelled data each
            """;

    /**
     * The job's configuration, by the project's one precedence rule: job option ({@code --lr},
     * {@code --controller}, {@code --workers}, {@code --weightDecay}, {@code --checkpoint}) &gt; {@code --conf KEY=VALUE} of the
     * job &gt; the Spark configuration ({@code spark-submit --conf}, properties file) &gt; the job's defaults
     * (lr 5e-4, weight decay 1e-2, 2 workers, metaadamw) &gt; the library's defaults.
     */
    static MetaAdamWConfig resolveConfig(Map<String, String> opt, SparkConf sparkConf) {
        Map<String, String> m = new HashMap<>();
        m.put(MetaAdamWConf.CONTROLLER.key(), "metaadamw");
        m.put(MetaAdamWConf.LEARNING_RATE.key(), "5e-4");
        m.put(MetaAdamWConf.WEIGHT_DECAY.key(), "1e-2");
        m.put(MetaAdamWConf.NUM_WORKERS.key(), "2");
        for (scala.Tuple2<String, String> kv : sparkConf.getAll()) {
            MetaAdamWConf.checkPrefix(kv._1());
            if (kv._1().startsWith(MetaAdamWConf.PREFIX)) {
                m.put(kv._1(), kv._2());
            }
        }
        opt.forEach((k, v) -> {
            if (k.startsWith("conf")) {
                int eq = v.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("--" + k + " expects KEY=VALUE (got '" + v + "')");
                }
                m.put(v.substring(0, eq), v.substring(eq + 1));
            }
        });
        Map<String, ConfigEntry<?>> options = Map.of("lr", MetaAdamWConf.LEARNING_RATE, "controller", MetaAdamWConf.CONTROLLER,
                "workers", MetaAdamWConf.NUM_WORKERS, "weightDecay", MetaAdamWConf.WEIGHT_DECAY,
                "checkpoint", MetaAdamWConf.CHECKPOINT_DIR);
        options.forEach((o, e) -> {
            if (opt.containsKey(o)) {
                try {
                    e.parse(opt.get(o));
                } catch (IllegalArgumentException bad) {
                    throw new IllegalArgumentException("--" + o + ": " + bad.getMessage(), bad);
                }
                m.put(e.key(), opt.get(o));
            }
        });
        return MetaAdamWConfig.fromMap(m);
    }

    /** The options --help documents. */
    static java.util.Set<String> knownOptions() {
        java.util.Set<String> known = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("--([A-Za-z][\\w-]*)").matcher(USAGE);
        while (m.find()) {
            known.add(m.group(1));
        }
        return known;
    }

    /** Refuses an option --help does not document, naming the closest one. */
    static void checkOptions(Map<String, String> opt) {
        Args.requireKnown(opt, knownOptions(), k -> k.matches("conf\\d*"));
    }


    static int intOption(Map<String, String> opt, String name, int def, int min) {
        String v = opt.get(name);
        if (v == null) {
            return def;
        }
        try {
            int x = Integer.parseInt(v.trim());
            if (x >= min) {
                return x;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("--" + name + " must be an integer >= " + min + " (got '" + v + "')");
    }

    static long longOption(Map<String, String> opt, String name, long def) {
        String v = opt.get(name);
        try {
            return v == null ? def : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer (got '" + v + "')");
        }
    }

    public static void main(String taskName, String[] args) throws Exception {
        Map<String, String> opt = Args.parse(normalize(args));
        if (opt.containsKey("help")) {
            System.out.println("usage: spark-submit --class <job> metaadamw-examples.jar [options]\n" + USAGE);
            return;
        }
        checkOptions(opt);
        Task task = task(taskName, opt);
        boolean quick = opt.containsKey("quick");
        long seed = longOption(opt, "seed", 0);
        int epochs = intOption(opt, "epochs", quick ? 2 : 6, 1);
        int patience = intOption(opt, "patience", 2, 0);
        SparkConf conf = new SparkConf().setAppName("metaadamw-" + task.name());
        MetaAdamWConfig cfg = resolveConfig(opt, conf);
        boolean resume = opt.containsKey("resume");
        if (resume && cfg.checkpointDir().isEmpty()) {
            throw new IllegalArgumentException("--resume needs --checkpoint DIR");
        }
        if (opt.containsKey("master") || !conf.contains("spark.master")) {
            conf.setMaster(opt.getOrDefault("master", "local[2]"));
        }
        conf.setIfMissing("spark.ui.enabled", "false");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            var rdds = prepared(sc, task, quick ? Task.Scale.QUICK : Task.Scale.FULL, seed, opt);
            var spec = new TaskRunner.Spec(cfg.controller(), cfg, seed, epochs, patience, resume);
            var r = TaskRunner.run(sc, task, rdds, spec, System.out::println);
            System.out.printf(Locale.ROOT, "%n%s with %s: test %s %.4f (best epoch %d of %d)%n", task.name(), cfg.controller(),
                    task.metric(), r.test(), r.bestEpoch() + 1, r.validation().size());
            System.out.println("final parameters sha256=" + r.paramsSha256());
            System.out.println("per-group multipliers at the end:");
            double[] a = r.alphaPerRound().isEmpty() ? new double[0] : r.alphaPerRound().get(r.alphaPerRound().size() - 1);
            double[] b = r.betaPerRound().isEmpty() ? new double[0] : r.betaPerRound().get(r.betaPerRound().size() - 1);
            for (int g = 0; g < a.length; g++) {
                System.out.printf(Locale.ROOT, "  %-30s α %.4f  β %.4f%n", r.groups().get(g), a[g], b[g]);
            }
        }
    }

    /** The options that decide a task's data (with --quick and --seed). */
    static final java.util.List<String> DATA_OPTIONS = java.util.List.of("csv", "target", "corpus", "src", "tgt", "valid-src",
            "valid-tgt", "test-src", "test-tgt", "cifar", "labelled", "valid", "test");

    /**
     * The task's data for training: prepared minibatches in {@code --data DIR} (or the default
     * directory of these data options), prepared first when DIR holds none, read by the executors.
     */
    static TaskRunner.Rdds prepared(JavaSparkContext sc, Task task, Task.Scale scale, long seed, Map<String, String> opt)
            throws java.io.IOException {
        String key = dataKey(task.name(), scale, seed, opt);
        String dir = opt.containsKey("data") ? opt.get("data")
                : org.metaadamw.examples.io.DataPaths.root().resolve("prepared").resolve(task.name() + "-" + key).toUri().toString();
        SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
        PreparedData.Info info = opt.containsKey("prepare") ? null : PreparedData.readInfo(dir, sc.hadoopConfiguration());
        if (info != null && !info.key().equals(key)) {
            throw new IllegalArgumentException(dir + "/prepared.json: these minibatches were prepared from other data options "
                    + "(key " + info.key() + ", this run's " + key + "): give another --data DIR, or --prepare to replace them");
        }
        if (info == null) {
            System.out.println(task.name() + ": preparing the minibatches once, on the driver, into " + dir);
            info = PreparedData.write(spark, task.load(scale, seed), key, dir);
        }
        System.out.println(task.name() + ": " + info.description());
        System.out.println(task.name() + ": prepared minibatches in " + dir + " (" + info.counts()[0] + " train, " + info.counts()[1]
                + " valid, " + info.counts()[2] + " test), read by the executors");
        return TaskRunner.Rdds.read(spark, dir, info);
    }

    /** Names the task, scale, seed and data options, with the size and time of each local file or folder they name. */
    static String dataKey(String task, Task.Scale scale, long seed, Map<String, String> opt) {
        StringBuilder sb = new StringBuilder(task).append('\0').append(scale).append('\0').append(seed)
                .append('\0').append(PreparedData.FORMAT_VERSION);
        for (String o : DATA_OPTIONS) {
            if (opt.containsKey(o)) {
                sb.append('\0').append(o).append('=').append(opt.get(o));
                java.io.File f = new java.io.File(opt.get(o));
                if (f.exists()) {
                    sb.append(':').append(f.length()).append(':').append(f.lastModified());
                }
            }
        }
        if (DATA_OPTIONS.stream().noneMatch(opt::containsKey)) {
            sb.append("\0fetched=").append(org.metaadamw.examples.io.DataPaths.root().toAbsolutePath());
        }
        return JobState.sha256(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 16);
    }

    /** The task with the data options of {@code opt} (see {@link #USAGE}). */
    static Task task(String taskName, Map<String, String> opt) {
        return switch (taskName) {
            case "language-model" -> new LanguageModelTask(path(opt, "corpus"));
            case "translation" -> new TranslationTask(files(opt, "src", "tgt"), files(opt, "valid-src", "valid-tgt"),
                    files(opt, "test-src", "test-tgt"));
            case "image" -> new ImageTask(path(opt, "cifar"));
            case "sentiment" -> new SentimentTask(path(opt, "labelled"), path(opt, "valid"), path(opt, "test"));
            default -> new ForecastingTask(path(opt, "csv"), opt.get("target"));
        };
    }

    private static Path path(Map<String, String> opt, String key) {
        return opt.containsKey(key) ? Path.of(opt.get(key)) : null;
    }

    /** Both files of a parallel corpus, or null when neither option is given. */
    private static TranslationTask.Files files(Map<String, String> opt, String src, String tgt) {
        if (!opt.containsKey(src) && !opt.containsKey(tgt)) {
            return null;
        }
        if (!opt.containsKey(src) || !opt.containsKey(tgt)) {
            throw new IllegalArgumentException("--" + src + " and --" + tgt + " go together (see --help)");
        }
        return new TranslationTask.Files(Path.of(opt.get(src)), Path.of(opt.get(tgt)));
    }

    /**
     * {@code --quick} and {@code --resume} are flags: give them their value here, so that a word after
     * one is refused rather than taken as its value; repeated {@code --conf} become conf0, conf1, ...
     */
    private static String[] normalize(String[] args) {
        java.util.List<String> out = new java.util.ArrayList<>();
        int confs = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--quick") || args[i].equals("--resume") || args[i].equals("--prepare")) {
                out.add(args[i]);
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
