package org.metaadamw.l3rs;

import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.api.Model;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.update.LstmParams;
import org.nd4j.linalg.dataset.DataSet;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Meta-trains the coordinatewise LSTM optimizer's φ ({@link LstmParams}; Andrychowicz et al. 2016;
 * docs/lstm.md) by the same NES as {@link L3rsMetaTrainer} (antithetic pairs, one candidate per Spark task,
 * fitness = validation loss after a short training run with the candidate φ through the trainers' worker
 * code, {@code RoundWorker.runLstm}; deterministic under task retry). The paper meta-trains by
 * backpropagation through truncated unrolls; this library has no differentiable inner loop, so NES
 * replaces it (docs/lstm.md says what that costs).
 *
 * <p>Usage:
 * <pre>{@code
 * var meta = new LstmMetaTrainer(net, cfg, LstmMetaTrainer.Settings.defaults().withIterations(10));
 * LstmMetaTrainer.Result r = meta.run(sc, trainMinibatches, validationMinibatches);
 * Files.writeString(Path.of("lstm.json"), r.params().toJson());   // then spark.metaadamw.controller=lstm,
 *                                                                  // spark.metaadamw.lstm.params=lstm.json
 * }</pre>
 * The network must be initialised; it is not changed. The configuration supplies η, λ, decayBiases, the
 * grouping and K, as for training.
 *
 * <p>Driver-side; not thread-safe. Costs N short training runs per iteration.
 */
public final class LstmMetaTrainer {

    /**
     * NES and inner-loop settings.
     *
     * @param iterations    meta-iterations M, &gt;= 1
     * @param pairs         antithetic pairs P per iteration (N = 2P candidates, one Spark task each), &gt;= 1
     * @param sigma         σ of the perturbations, &gt; 0
     * @param learningRate  the NES step size, &gt; 0
     * @param steps         LSTM steps of each candidate's run, &gt;= 1
     * @param rankShaping   centred-rank fitness shaping instead of raw scores
     * @param seed          seed of φ0's noise, of the perturbations and of the candidates' round seeds
     * @param hidden        H, units per LSTM layer, &gt;= 1 (the paper's 20)
     * @param p             the preprocessing exponent, &gt; 0 (the paper's 10)
     * @param outputScale   s, the LSTM output's scale before η, &gt; 0
     * @param initStd       the N(0, initStd²) noise on φ0's weights (the signum-like start, {@link LstmParams#initial}), &gt;= 0
     * @param divergedScore the score of a diverged run and the largest counted, &gt; 0
     */
    public record Settings(int iterations, int pairs, double sigma, double learningRate, int steps, boolean rankShaping, long seed,
                           int hidden, double p, double outputScale, double initStd, double divergedScore) implements Serializable {
        public Settings {
            check(iterations >= 1, "iterations", iterations, ">= 1");
            check(pairs >= 1, "pairs", pairs, ">= 1");
            check(sigma > 0 && Double.isFinite(sigma), "sigma", sigma, "> 0");
            check(learningRate > 0 && Double.isFinite(learningRate), "learningRate", learningRate, "> 0");
            check(steps >= 1, "steps", steps, ">= 1");
            check(hidden >= 1, "hidden", hidden, ">= 1");
            check(p > 0 && Double.isFinite(p), "p", p, "> 0");
            check(outputScale > 0 && Double.isFinite(outputScale), "outputScale", outputScale, "> 0");
            check(initStd >= 0 && Double.isFinite(initStd), "initStd", initStd, ">= 0");
            check(divergedScore > 0 && Double.isFinite(divergedScore), "divergedScore", divergedScore, "> 0");
        }

        private static void check(boolean ok, String name, Object value, String range) {
            if (!ok) {
                throw new IllegalArgumentException("LSTM meta-training: " + name + " must be " + range + " (got " + value + ")");
            }
        }

        /** 10 iterations of 4 pairs, σ = 0.02, lr = 0.002, 30 steps, rank shaping, seed 1, H = 20, p = 10, s = 1, init std 0.01, diverged 100. */
        public static Settings defaults() {
            return new Settings(10, 4, 0.02, 0.002, 30, true, 1, LstmParams.PAPER_HIDDEN, LstmParams.PAPER_P, 1.0, 0.01, 100);
        }

        public Settings withIterations(int v) {
            return new Settings(v, pairs, sigma, learningRate, steps, rankShaping, seed, hidden, p, outputScale, initStd, divergedScore);
        }

        public Settings withPairs(int v) {
            return new Settings(iterations, v, sigma, learningRate, steps, rankShaping, seed, hidden, p, outputScale, initStd, divergedScore);
        }

        public Settings withSigma(double v) {
            return new Settings(iterations, pairs, v, learningRate, steps, rankShaping, seed, hidden, p, outputScale, initStd, divergedScore);
        }

        public Settings withLearningRate(double v) {
            return new Settings(iterations, pairs, sigma, v, steps, rankShaping, seed, hidden, p, outputScale, initStd, divergedScore);
        }

        public Settings withSteps(int v) {
            return new Settings(iterations, pairs, sigma, learningRate, v, rankShaping, seed, hidden, p, outputScale, initStd, divergedScore);
        }

        public Settings withSeed(long v) {
            return new Settings(iterations, pairs, sigma, learningRate, steps, rankShaping, v, hidden, p, outputScale, initStd, divergedScore);
        }

        /** H, units per layer. */
        public Settings withHidden(int v) {
            return new Settings(iterations, pairs, sigma, learningRate, steps, rankShaping, seed, v, p, outputScale, initStd, divergedScore);
        }

        Nes.Settings nes() {
            return new Nes.Settings(iterations, pairs, sigma, learningRate, steps, rankShaping, seed, divergedScore);
        }
    }

    /**
     * One meta-iteration.
     *
     * @param phi    φ_k, around which the population was drawn
     * @param scores the N candidates' scores in candidate order (2i: φ_k + σε_i, 2i + 1: φ_k − σε_i)
     */
    public record Iteration(int iteration, LstmParams phi, double[] scores) {
        public Iteration {
            scores = scores.clone();
        }

        @Override
        public double[] scores() {
            return scores.clone();
        }

        public double mean() {
            return Nes.mean(scores);
        }

        public double best() {
            return Nes.best(scores);
        }
    }

    /** φ_M (after the last step) and every iteration. */
    public record Result(LstmParams params, List<Iteration> history) {
    }

    private final Model network;
    private final MetaAdamWConfig cfg;
    private final Settings settings;
    private L3rsMetaTrainer.CandidateHook hook;
    private Consumer<Iteration> listener = it -> { };

    /**
     * @param network  the target network, initialised: every candidate starts from its parameters (not changed)
     * @param cfg      η, λ, decayBiases, grouping and K of the candidates' runs
     * @param settings NES and inner-loop settings
     */
    public LstmMetaTrainer(Model network, MetaAdamWConfig cfg, Settings settings) {
        this.network = network;
        this.cfg = cfg;
        this.settings = settings;
    }

    /** Sets the hook run before each candidate on the executor (null: none); see {@link L3rsMetaTrainer.CandidateHook}. */
    public LstmMetaTrainer onCandidate(L3rsMetaTrainer.CandidateHook h) {
        this.hook = h;
        return this;
    }

    /** Called on the driver after each iteration's scores are in. */
    public LstmMetaTrainer onIteration(Consumer<Iteration> l) {
        this.listener = l;
        return this;
    }

    /** φ0: the signum-like LSTM ({@link LstmParams#initial}) with the settings' noise and seed. */
    public LstmParams initialParams() {
        return LstmParams.initial(settings.hidden(), settings.p(), settings.outputScale(), settings.initStd(), settings.seed());
    }

    public Result run(JavaSparkContext sc, List<DataSet> train, List<DataSet> validation) {
        return run(sc, train, validation, initialParams());
    }

    /** Meta-trains from {@code start} with the population on Spark (the data broadcast once), one candidate per task. */
    public Result run(JavaSparkContext sc, List<DataSet> train, List<DataSet> validation, LstmParams start) {
        List<Iteration> history = new ArrayList<>();
        LstmParams phi = nes().run(sc, train, validation, start, hook, provenance(), record(history));
        return new Result(phi, List.copyOf(history));
    }

    public Result runLocal(List<DataSet> train, List<DataSet> validation) {
        return runLocal(train, validation, initialParams());
    }

    /** The same meta-training with the population evaluated one candidate after the other in this JVM. */
    public Result runLocal(List<DataSet> train, List<DataSet> validation, LstmParams start) {
        List<Iteration> history = new ArrayList<>();
        LstmParams phi = nes().runLocal(train, validation, start, hook, provenance(), record(history));
        return new Result(phi, List.copyOf(history));
    }

    /** Candidate {@code candidate}'s score in iteration {@code iteration} around {@code phi}, in this JVM (what a task computes). */
    public double candidateScore(List<DataSet> train, List<DataSet> validation, LstmParams phi, int iteration, int candidate) {
        return nes().population(train, validation).score(phi, iteration, candidate);
    }

    /** The meta-objective of {@code phi} itself (no perturbation), with the round seeds of (seed, iteration −1). */
    public double evaluate(List<DataSet> train, List<DataSet> validation, LstmParams phi) {
        return nes().population(train, validation).run(phi, Population.mix(settings.seed(), -1));
    }

    private Nes<LstmParams> nes() {
        return new Nes<>(network, cfg, settings.nes(), "LSTM");
    }

    private Map<String, String> provenance() {
        return Map.of("nes.initStd", String.valueOf(settings.initStd()), "lstm.hidden", String.valueOf(settings.hidden()));
    }

    private Nes.Listener<LstmParams> record(List<Iteration> history) {
        return (k, phi, scores) -> {
            Iteration it = new Iteration(k, phi, scores);
            history.add(it);
            listener.accept(it);
        };
    }
}
