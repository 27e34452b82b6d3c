package org.metaadamw.examples;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.api.Model;
import org.metaadamw.config.MetaAdamWConfig;
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
     */
    public record Spec(String label, MetaAdamWConfig config, long seed, int epochs, int patience) {
    }

    /**
     * Everything a run produced.
     *
     * @param scalePerRound  the metaadamw controller's global log step scale ρ after each round (empty for others)
     * @param dAlphaSums     per meta-loss term (alignment, loss decrease, gap) and group: the HUW-weighted
     *                       contribution w_i·∂L_i/∂α_g summed over all meta-steps (all zero for other controllers)
     * @param huwPerRound    HUW weights (alignment, loss decrease, gap) after each meta-step
     */
    public record Result(String task, String label, long seed, double learningRate, String metric, List<Double> validation,
                         List<Double> trainLoss, List<Double> epochSeconds, int bestEpoch, double test, List<String> groups,
                         List<double[]> alphaPerRound, List<double[]> betaPerRound, String finalModulation,
                         List<Double> scalePerRound, double[][] dAlphaSums, List<double[]> huwPerRound) {
        public double bestValidation() {
            return validation.get(bestEpoch);
        }

        /** The same run under another label. */
        public Result relabel(String newLabel) {
            return new Result(task, newLabel, seed, learningRate, metric, validation, trainLoss, epochSeconds, bestEpoch, test,
                    groups, alphaPerRound, betaPerRound, finalModulation, scalePerRound, dAlphaSums, huwPerRound);
        }
    }

    /** Shared RDDs of one task's data. */
    public record Rdds(JavaRDD<DataSet> train, JavaRDD<DataSet> valid) {
        public static Rdds of(JavaSparkContext sc, Task.Data d, int workers) {
            return new Rdds(sc.parallelize(d.train(), workers).cache(), sc.parallelize(d.valid(), workers).cache());
        }
    }

    public static Result run(JavaSparkContext sc, Task task, Task.Data data, Rdds rdds, Spec spec, Consumer<String> progress) {
        Model model = task.model(data, spec.seed());
        SparkMetaAdamW trainer = new SparkMetaAdamW(sc, model, spec.config().toBuilder().seed(spec.seed()).build());
        List<Double> val = new ArrayList<>(), loss = new ArrayList<>(), secs = new ArrayList<>();
        List<double[]> alphas = new ArrayList<>(), betas = new ArrayList<>(), huw = new ArrayList<>();
        List<Double> scale = new ArrayList<>();
        int G = trainer.groups().count();
        double[][] dAlpha = new double[3][G];
        String[] terms = org.metaadamw.meta.MetaAdamWController.TERM_NAMES;
        double lastMetaSteps = 0;
        INDArray best = null;
        int bestEpoch = -1;
        long t0 = System.nanoTime();
        for (int e = 0; e < spec.epochs(); e++) {
            long te = System.nanoTime();
            int before = trainer.history().size();
            trainer.fit(rdds.train(), rdds.valid(), 1);
            secs.add((System.nanoTime() - te) / 1e9);
            double l = 0;
            int n = 0;
            for (RoundRecord r : trainer.history().subList(before, trainer.history().size())) {
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
                if (Double.isFinite(r.lossTrain())) {
                    l += r.lossTrain();
                    n++;
                }
            }
            loss.add(n == 0 ? Double.NaN : l / n);
            double v = task.evaluate(model, data.valid());
            val.add(v);
            boolean better = bestEpoch < 0 || (task.higherIsBetter() ? v > val.get(bestEpoch) : v < val.get(bestEpoch));
            if (better) {
                bestEpoch = e;
                best = model.params().dup();
            }
            double elapsed = (System.nanoTime() - t0) / 1e9;
            progress.accept(String.format(Locale.ROOT, "%-14s %-22s seed %d epoch %d/%d  train loss %.4f  valid %s %.4f  elapsed %.0fs  ETA %.0fs",
                    task.name(), spec.label(), spec.seed(), e + 1, spec.epochs(), loss.get(e), task.metric(), v, elapsed,
                    elapsed / (e + 1) * (spec.epochs() - e - 1)));
            if (spec.patience() > 0 && e - bestEpoch >= spec.patience()) {
                progress.accept(String.format(Locale.ROOT, "%-14s %-22s early stop: no better validation %s for %d epochs",
                        task.name(), spec.label(), task.metric(), spec.patience()));
                break;
            }
        }
        model.params().assign(best);
        double test = task.evaluate(model, data.test());
        trainer.releaseData();
        return new Result(task.name(), spec.label(), spec.seed(), spec.config().learningRate(), task.metric(), val, loss, secs,
                bestEpoch, test, trainer.groups().names(), alphas, betas, trainer.modulation().toString(), scale, dAlpha, huw);
    }
}
