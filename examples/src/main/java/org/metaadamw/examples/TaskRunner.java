package org.metaadamw.examples;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.metaadamw.train.NetModel;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.examples.tasks.Metric;
import org.metaadamw.examples.tasks.PreparedData;
import org.metaadamw.examples.tasks.Task;
import org.metaadamw.spark.SparkMetaAdamW;
import org.metaadamw.train.RoundRecord;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Trains one task with one optimizer configuration on Spark: epochs of {@link SparkMetaAdamW}, the
 * validation metric after each epoch, early stopping, and the test metric of the best epoch's
 * parameters.
 */
public final class TaskRunner {
    private TaskRunner() {
    }

    /**
     * @param label    name of the configuration in reports
     * @param config   MetaAdamW configuration (controller, learning rate, ...)
     * @param epochs   epoch budget
     * @param patience stop after this many epochs without a better validation metric (0: never)
     * @param resume   continue from the newest checkpoint in {@code config}'s {@code checkpoint.dir} (a
     *                 run with that directory set writes the trainer's checkpoints and the job's own
     *                 state there: validation per epoch and the best epoch's parameters)
     */
    public record Spec(String label, MetaAdamWConfig config, long seed, int epochs, int patience, boolean resume) {
        public Spec(String label, MetaAdamWConfig config, long seed, int epochs, int patience) {
            this(label, config, seed, epochs, patience, false);
        }
    }

    /**
     * Everything a run produced.
     *
     * @param scalePerRound  the metaadamw controller's global log step scale ρ after each round (empty for others)
     * @param dAlphaSums     per meta-loss term (alignment, loss decrease, gap) and group: the HUW-weighted
     *                       contribution w_i·∂L_i/∂α_g summed over all meta-steps (all zero for other controllers)
     * @param huwPerRound    HUW weights (alignment, loss decrease, gap) after each meta-step
     * @param paramsSha256   SHA-256 of the returned (best epoch's) parameters, to compare runs exactly
     */
    public record Result(String task, String label, long seed, double learningRate, String metric, List<Double> validation,
                         List<Double> trainLoss, List<Double> epochSeconds, int bestEpoch, double test, List<String> groups,
                         List<double[]> alphaPerRound, List<double[]> betaPerRound, String finalModulation,
                         List<Double> scalePerRound, double[][] dAlphaSums, List<double[]> huwPerRound,
                         String paramsSha256) {
        public double bestValidation() {
            return validation.get(bestEpoch);
        }

        /** The same run under another label. */
        public Result relabel(String newLabel) {
            return new Result(task, newLabel, seed, learningRate, metric, validation, trainLoss, epochSeconds, bestEpoch, test,
                    groups, alphaPerRound, betaPerRound, finalModulation, scalePerRound, dAlphaSums, huwPerRound, paramsSha256);
        }
    }

    /**
     * One task's data as a run uses it: the training and validation minibatches in Spark, the values
     * the model is built from, and where the metric is computed.
     *
     * @param info the task's {@link Task.Data#info()} values
     */
    public record Rdds(JavaRDD<DataSet> train, JavaRDD<DataSet> valid, int[] info, Evaluation evaluation) {
        /**
         * Minibatches loaded on the driver and parallelized; the metric computed on the driver's lists.
         * For benchmarks in local mode that run many configurations on the same data.
         */
        public static Rdds of(JavaSparkContext sc, Task.Data d, int workers) {
            return new Rdds(sc.parallelize(d.train(), workers).cache(), sc.parallelize(d.valid(), workers).cache(), d.info(),
                    new Evaluation(d.valid(), d.test(), null, null));
        }

        /**
         * Prepared minibatches ({@link PreparedData}) read by the executors; the metric computed there,
         * one score per minibatch, and added on the driver in minibatch order: the same metric, to the
         * last bit, as {@link #of} on the same minibatches.
         */
        public static Rdds read(SparkSession spark, String dir, PreparedData.Info prepared) {
            JavaRDD<DataSet> valid = PreparedData.read(spark, dir, "valid").cache();
            return new Rdds(PreparedData.read(spark, dir, "train"), valid, prepared.info(),
                    new Evaluation(null, null, valid, PreparedData.read(spark, dir, "test")));
        }
    }

    /** Validation and test minibatches: lists on the driver, or RDDs evaluated on the executors (exactly one pair is set). */
    public record Evaluation(List<DataSet> validList, List<DataSet> testList, JavaRDD<DataSet> validRdd, JavaRDD<DataSet> testRdd) {
        double valid(JavaSparkContext sc, Task task, Model model) {
            return validList != null ? task.evaluate(model, validList) : evaluate(sc, task.evaluation(), model, validRdd);
        }

        double test(JavaSparkContext sc, Task task, Model model) {
            return testList != null ? task.evaluate(model, testList) : evaluate(sc, task.evaluation(), model, testRdd);
        }
    }

    /**
     * {@code metric} of {@code model} on {@code batches}, computed on the executors: the network is
     * broadcast once, each task scores its minibatches, and the driver adds the (sum, count) scores in
     * the RDD's order.
     */
    static double evaluate(JavaSparkContext sc, Metric metric, Model model, JavaRDD<DataSet> batches) {
        boolean graph = model instanceof ComputationGraph;
        byte[] zip;
        try {
            zip = NetModel.zip(model);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot serialize the model for the evaluation", e);
        }
        Broadcast<byte[]> bc = sc.broadcast(zip);
        try {
            List<double[]> scores = batches.mapPartitionsWithIndex((p, it) -> {
                List<double[]> out = new ArrayList<>();
                if (!it.hasNext()) {
                    return out.iterator();
                }
                Model m = NetModel.unzip(bc.value(), graph);
                for (long i = 0; it.hasNext(); i++) {
                    double[] s = metric.score(m, it.next());
                    out.add(new double[]{p, i, s[0], s[1]});
                }
                return out.iterator();
            }, true).collect();
            List<double[]> ordered = new ArrayList<>(scores);
            ordered.sort(java.util.Comparator.<double[]>comparingDouble(x -> x[0]).thenComparingDouble(x -> x[1]));
            double sum = 0, count = 0;
            for (double[] s : ordered) {
                sum += s[2];
                count += s[3];
            }
            return metric.finish(sum, count);
        } finally {
            bc.destroy();
        }
    }

    /**
     * Trains, evaluates every epoch and tests the best one. With {@code checkpoint.dir} set, the
     * trainer checkpoints there (every {@code checkpoint.interval} rounds and at epoch ends) and so does
     * this job after every evaluation; {@code spec.resume()} continues from them, and a resumed run
     * returns the same result as an uninterrupted one (the seconds of the epoch it resumed in count
     * only the part after the resume).
     */
    public static Result run(JavaSparkContext sc, Task task, Rdds rdds, Spec spec, Consumer<String> progress) {
        return run(sc, task, rdds, spec, progress, r -> { });
    }

    /** As {@link #run(JavaSparkContext, Task, Rdds, Spec, Consumer)}, calling {@code onRound} on the driver after every round. */
    static Result run(JavaSparkContext sc, Task task, Rdds rdds, Spec spec, Consumer<String> progress,
                      Consumer<RoundRecord> onRound) {
        Model model = task.model(rdds.info(), spec.seed());
        SparkMetaAdamW trainer = new SparkMetaAdamW(sc, model, spec.config().toBuilder().seed(spec.seed()).build());
        trainer.onRound(onRound);
        List<Double> val = new ArrayList<>(), secs = new ArrayList<>();
        INDArray best = null;
        int bestEpoch = -1;
        long P = trainer.roundsPerEpoch(rdds.train(), rdds.valid());
        String dir = trainer.config().checkpointDir();
        JobState job = null;
        if (!dir.isEmpty()) {
            try {
                job = new JobState(dir, sc.hadoopConfiguration(), task.name() + " " + spec.label() + " seed " + spec.seed());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("checkpoint directory " + dir + ": " + e.getMessage(), e);
            }
        }
        if (spec.resume()) {
            if (job == null) {
                throw new IllegalArgumentException("resuming needs a checkpoint directory (--checkpoint DIR or "
                        + org.metaadamw.config.MetaAdamWConf.CHECKPOINT_DIR.key() + ")");
            }
            trainer.resume();
            try {
                JobState.Epochs done = job.readLatest();
                long rounds = trainer.history().size(), evaluated = done == null ? 0 : done.validation().size();
                if (done != null && done.roundsPerEpoch() != P || rounds < evaluated * P || rounds > (evaluated + 1) * P) {
                    throw new IllegalStateException("checkpoint directory " + dir + ": the trainer's checkpoint is at round "
                            + rounds + " but the job's state records " + evaluated + " evaluated epochs of "
                            + (done == null ? P : done.roundsPerEpoch()) + " rounds (this run has " + P
                            + "); they are not of the same run");
                }
                if (done != null) {
                    val.addAll(done.validation());
                    secs.addAll(done.seconds());
                    bestEpoch = done.bestEpoch();
                    best = job.bestParams(done, model.params().length());
                }
                progress.accept(String.format(Locale.ROOT, "%-14s %-22s resumed at round %d (%s, %d evaluated)", task.name(),
                        spec.label(), rounds, rounds / P >= spec.epochs() ? "every epoch trained" : "in epoch " + (rounds / P + 1),
                        evaluated));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot resume: " + e.getMessage(), e);
            }
        }
        long t0 = System.nanoTime();
        int first = val.size();
        for (int e = first; e < spec.epochs(); e++) {
            if (spec.patience() > 0 && e > 0 && e - 1 - bestEpoch >= spec.patience()) {
                break;  // a resumed run that had already stopped early
            }
            long te = System.nanoTime();
            if (trainer.history().size() < (e + 1) * P) {  // else a resumed checkpoint already holds this epoch
                trainer.fit(rdds.train(), rdds.valid(), 1);
            }
            secs.add((System.nanoTime() - te) / 1e9);
            double v = rdds.evaluation().valid(sc, task, model);
            val.add(v);
            boolean better = bestEpoch < 0 || (task.higherIsBetter() ? v > val.get(bestEpoch) : v < val.get(bestEpoch));
            if (better) {
                bestEpoch = e;
                best = model.params().dup();
            }
            if (job != null) {
                try {
                    job.write(new JobState.Epochs(P, val, secs, bestEpoch), better ? best : null);
                } catch (java.io.IOException x) {
                    throw new java.io.UncheckedIOException("cannot write the job state to " + dir + ": " + x.getMessage(), x);
                }
            }
            double elapsed = (System.nanoTime() - t0) / 1e9;
            progress.accept(String.format(Locale.ROOT, "%-14s %-22s seed %d epoch %d/%d  train loss %.4f  valid %s %.4f  elapsed %.0fs  ETA %.0fs",
                    task.name(), spec.label(), spec.seed(), e + 1, spec.epochs(), epochLoss(trainer.history(), e, P), task.metric(), v,
                    elapsed, elapsed / (e + 1 - first) * (spec.epochs() - e - 1)));
            if (spec.patience() > 0 && e - bestEpoch >= spec.patience()) {
                progress.accept(String.format(Locale.ROOT, "%-14s %-22s early stop: no better validation %s for %d epochs",
                        task.name(), spec.label(), task.metric(), spec.patience()));
                break;
            }
        }
        model.params().assign(best);
        double test = rdds.evaluation().test(sc, task, model);
        trainer.releaseData();
        // what the controller did, from the trainer's history (a resumed trainer has the whole of it)
        List<Double> loss = new ArrayList<>();
        for (int e = 0; e < val.size(); e++) {
            loss.add(epochLoss(trainer.history(), e, P));
        }
        List<double[]> alphas = new ArrayList<>(), betas = new ArrayList<>(), huw = new ArrayList<>();
        List<Double> scale = new ArrayList<>();
        int G = trainer.groups().count();
        double[][] dAlpha = new double[3][G];
        String[] terms = org.metaadamw.meta.MetaAdamWController.TERM_NAMES;
        double lastMetaSteps = 0;
        for (RoundRecord r : trainer.history()) {
            alphas.add(r.alpha());
            betas.add(r.beta());
            var m = r.metrics();
            if (m.containsKey("scale")) {
                scale.add(m.get("scale"));
            }
            double steps = m.getOrDefault("meta.steps", 0.0);
            if (steps > lastMetaSteps) {   // a meta-step was taken in this round
                lastMetaSteps = steps;
                huw.add(new double[]{m.get("huw.weight.alignment"), m.get("huw.weight.lossDecrease"), m.get("huw.weight.gap")});
                for (int i = 0; i < 3; i++) {
                    for (int g = 0; g < G; g++) {
                        dAlpha[i][g] += m.getOrDefault("dAlpha." + terms[i] + "." + g, 0.0);
                    }
                }
            }
        }
        return new Result(task.name(), spec.label(), spec.seed(), spec.config().learningRate(), task.metric(), val, loss, secs,
                bestEpoch, test, trainer.groups().names(), alphas, betas, finalState(trainer), scale, dAlpha, huw,
                sha256(model.params()));
    }

    /**
     * What the controller ended with: the modulation, or for {@code mada} (whose multipliers stay 1) its
     * coefficients, as {@code mada.<coefficient>[.<group>]=value} pairs in key order.
     */
    private static String finalState(SparkMetaAdamW trainer) {
        var history = trainer.history();
        var m = history.isEmpty() ? java.util.Map.<String, Double>of() : history.get(history.size() - 1).metrics();
        if (!m.containsKey("mada.signals")) {
            return trainer.modulation().toString();
        }
        StringBuilder b = new StringBuilder("MADA");
        new java.util.TreeMap<>(m).forEach((k, v) -> {
            if (k.startsWith("mada.") && !k.equals("mada.signals") && !k.equals("mada.skippedNonFinite")) {
                b.append(' ').append(k.substring(5)).append('=').append(String.format(Locale.ROOT, "%.4g", v));
            }
        });
        return b.toString();
    }

    /** Mean finite training loss of the rounds of epoch {@code e} (NaN when all were rolled back). */
    private static double epochLoss(List<RoundRecord> history, int e, long roundsPerEpoch) {
        double l = 0;
        int n = 0;
        for (long i = e * roundsPerEpoch; i < Math.min(history.size(), (e + 1) * roundsPerEpoch); i++) {
            double x = history.get((int) i).lossTrain();
            if (Double.isFinite(x)) {
                l += x;
                n++;
            }
        }
        return n == 0 ? Double.NaN : l / n;
    }

    /** SHA-256 of the parameters' bytes. */
    static String sha256(INDArray params) {
        return JobState.sha256(params.dup().data().asBytes());
    }
}
