package org.metaadamw.l3rs;

import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.api.Model;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.update.L3rsParams;
import org.nd4j.linalg.dataset.DataSet;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Meta-trains L3RS's φ ({@link L3rsParams}; Kristiansen et al. 2025, Figure 1 right) by natural
 * evolution strategies with antithetic sampling, the population evaluated on Spark, one candidate per
 * task (docs/l3rs.md). Iteration k, with N = 2P candidates:
 * <pre>
 *   ε_1 .. ε_P ~ N(0, I)  from (seed, k, i)          candidates φ_k + σ ε_i and φ_k − σ ε_i
 *   F±_i = validation loss after a short L3RS training run of the target network from φ_k ± σ ε_i
 *   φ_(k+1) = φ_k − lr · Σ_i (u(F+_i) − u(F−_i)) ε_i / (N σ)
 * </pre>
 * where u is the centred rank of a score among the N (in [−0.5, 0.5]; {@link Settings#rankShaping}) or
 * the score itself. Each candidate's run starts the network from its given parameters and takes
 * {@link Settings#steps} L3RS steps on the training minibatches (in order, cycled), in rounds of K =
 * {@code averagingFrequency} with the round's t/T, through the worker code of a training run of the
 * {@code l3rs} controller ({@code RoundWorker.runL3rs}, one worker; the round seeds and the data order are
 * the meta-trainer's own); its score is the mean validation loss in inference mode.
 *
 * <p>Determinism: a candidate's score is a pure function of (φ_k, k, candidate index, seed) and the
 * data, so a failed and retried task, or a speculative copy, gives the same score bit for bit; the NES
 * step sums in candidate order on the driver. {@link #runLocal} evaluates the same candidates in this
 * JVM and returns the same φ bit for bit.
 *
 * <p>Usage:
 * <pre>{@code
 * var meta = new L3rsMetaTrainer(net, cfg, L3rsMetaTrainer.Settings.defaults().withIterations(30));
 * L3rsMetaTrainer.Result r = meta.run(sc, trainMinibatches, validationMinibatches);
 * Files.writeString(Path.of("phi.json"), r.params().toJson());   // then spark.metaadamw.controller=l3rs,
 *                                                                 // spark.metaadamw.l3rs.params=phi.json
 * }</pre>
 * The network must be initialised; it is not changed (each candidate trains its own copy). The
 * configuration supplies η, β1, β2, ε, λ, the grouping and K, as for training: use the same ones for
 * the run that uses φ.
 *
 * <p>Driver-side; not thread-safe. Costs N short training runs per iteration.
 */
public final class L3rsMetaTrainer {
    /**
     * NES and inner-loop settings.
     *
     * @param iterations      meta-iterations M, &gt;= 1
     * @param pairs           antithetic pairs P per iteration (population N = 2P, one Spark task each), &gt;= 1
     * @param sigma           σ, the standard deviation of the perturbations, &gt; 0
     * @param learningRate    the NES step size lr, &gt; 0
     * @param steps           L3RS steps of each candidate's training run, &gt;= 1
     * @param rankShaping     centred-rank fitness shaping (robust to outliers and diverged runs) instead of raw scores
     * @param seed            seed of φ0, of the perturbations and of the candidates' round seeds
     * @param hidden          H, hidden units of φ's MLP, &gt;= 1
     * @param embedding       E, the per-group embedding dimension, &gt;= 0
     * @param momentum        μ of the SGD direction, in [0, 1)
     * @param sgdLearningRate η_SGD of the SGD direction, &gt; 0
     * @param initStd         standard deviation of φ0's weights and embeddings, &gt;= 0
     * @param divergedScore   the score of a candidate whose run gives NaN/Inf, and the largest score counted, &gt; 0
     */
    public record Settings(int iterations, int pairs, double sigma, double learningRate, int steps, boolean rankShaping, long seed,
                           int hidden, int embedding, double momentum, double sgdLearningRate, double initStd, double divergedScore)
            implements Serializable {
        public Settings {
            check(iterations >= 1, "iterations", iterations, ">= 1");
            check(pairs >= 1, "pairs", pairs, ">= 1");
            check(sigma > 0 && Double.isFinite(sigma), "sigma", sigma, "> 0");
            check(learningRate > 0 && Double.isFinite(learningRate), "learningRate", learningRate, "> 0");
            check(steps >= 1, "steps", steps, ">= 1");
            check(hidden >= 1, "hidden", hidden, ">= 1");
            check(embedding >= 0, "embedding", embedding, ">= 0");
            check(momentum >= 0 && momentum < 1, "momentum", momentum, "in [0, 1)");
            check(sgdLearningRate > 0 && Double.isFinite(sgdLearningRate), "sgdLearningRate", sgdLearningRate, "> 0");
            check(initStd >= 0 && Double.isFinite(initStd), "initStd", initStd, ">= 0");
            check(divergedScore > 0 && Double.isFinite(divergedScore), "divergedScore", divergedScore, "> 0");
        }

        private static void check(boolean ok, String name, Object value, String range) {
            if (!ok) {
                throw new IllegalArgumentException("L3RS meta-training: " + name + " must be " + range + " (got " + value + ")");
            }
        }

        /** 20 iterations of 4 pairs, σ = 0.1, lr = 0.05, 30 steps, rank shaping, seed 1, H = 8, E = 4, μ = 0.9, η_SGD = 0.05, init std 0.1, diverged 100. */
        public static Settings defaults() {
            return new Settings(20, 4, 0.1, 0.05, 30, true, 1, 8, 4, 0.9, 0.05, 0.1, 100);
        }

        public Settings withIterations(int v) {
            return new Settings(v, pairs, sigma, learningRate, steps, rankShaping, seed, hidden, embedding, momentum, sgdLearningRate, initStd, divergedScore);
        }

        public Settings withPairs(int v) {
            return new Settings(iterations, v, sigma, learningRate, steps, rankShaping, seed, hidden, embedding, momentum, sgdLearningRate, initStd, divergedScore);
        }

        public Settings withSigma(double v) {
            return new Settings(iterations, pairs, v, learningRate, steps, rankShaping, seed, hidden, embedding, momentum, sgdLearningRate, initStd, divergedScore);
        }

        public Settings withLearningRate(double v) {
            return new Settings(iterations, pairs, sigma, v, steps, rankShaping, seed, hidden, embedding, momentum, sgdLearningRate, initStd, divergedScore);
        }

        public Settings withSteps(int v) {
            return new Settings(iterations, pairs, sigma, learningRate, v, rankShaping, seed, hidden, embedding, momentum, sgdLearningRate, initStd, divergedScore);
        }

        public Settings withRankShaping(boolean v) {
            return new Settings(iterations, pairs, sigma, learningRate, steps, v, seed, hidden, embedding, momentum, sgdLearningRate, initStd, divergedScore);
        }

        public Settings withSeed(long v) {
            return new Settings(iterations, pairs, sigma, learningRate, steps, rankShaping, v, hidden, embedding, momentum, sgdLearningRate, initStd, divergedScore);
        }

        /** The SGD direction's μ and η_SGD. */
        public Settings withSgd(double mom, double lr) {
            return new Settings(iterations, pairs, sigma, learningRate, steps, rankShaping, seed, hidden, embedding, mom, lr, initStd, divergedScore);
        }

        /** N = 2P, the population size. */
        public int population() {
            return 2 * pairs;
        }

        /** The loop's and the candidates' part. */
        Nes.Settings nes() {
            return new Nes.Settings(iterations, pairs, sigma, learningRate, steps, rankShaping, seed, divergedScore);
        }
    }

    /**
     * One meta-iteration.
     *
     * @param iteration k, from 0
     * @param phi       φ_k, around which the population was drawn
     * @param scores    the N candidates' scores, in candidate order (2i: φ_k + σε_i, 2i + 1: φ_k − σε_i)
     */
    public record Iteration(int iteration, L3rsParams phi, double[] scores) {
        public Iteration {
            scores = scores.clone();
        }

        /** A copy of the scores. */
        @Override
        public double[] scores() {
            return scores.clone();
        }

        /** The mean candidate score. */
        public double mean() {
            return Nes.mean(scores);
        }

        public double best() {
            return Nes.best(scores);
        }
    }

    /** The meta-trained φ (φ_M, after the last step) and every iteration. */
    public record Result(L3rsParams params, List<Iteration> history) {
    }

    /**
     * Called on the executor at the start of every candidate's task, with Spark's attempt number
     * (0 for the first attempt; 0 in {@link #runLocal}). For logging or fault injection; it must be
     * serializable, and what it throws fails the task (Spark retries it up to {@code spark.task.maxFailures}).
     */
    @FunctionalInterface
    public interface CandidateHook extends Serializable {
        void beforeCandidate(int iteration, int candidate, int attempt);
    }

    private final Model network;
    private final MetaAdamWConfig cfg;
    private final Settings settings;
    private final ParamGroups groups;
    private CandidateHook hook;
    private Consumer<Iteration> listener = it -> { };

    /**
     * @param network  the target network, initialised: every candidate starts from its parameters (not changed)
     * @param cfg      η, β1, β2, ε, λ, decayBiases, grouping and K of the candidates' runs
     * @param settings NES and inner-loop settings
     */
    public L3rsMetaTrainer(Model network, MetaAdamWConfig cfg, Settings settings) {
        this.network = network;
        this.cfg = cfg;
        this.settings = settings;
        this.groups = ParamGroups.of(network, GroupingStrategy.of(cfg));
    }

    /** Sets the hook run before each candidate (null: none). */
    public L3rsMetaTrainer onCandidate(CandidateHook h) {
        this.hook = h;
        return this;
    }

    /** Called on the driver after each iteration's scores are in. */
    public L3rsMetaTrainer onIteration(Consumer<Iteration> l) {
        this.listener = l;
        return this;
    }

    /** φ0: the MLP's weights and the embeddings from N(0, initStd²) with the seed, biases 0. */
    public L3rsParams initialParams() {
        return L3rsParams.initial(settings.hidden(), settings.embedding(), groups.names(), settings.momentum(), settings.sgdLearningRate(),
                settings.initStd(), settings.seed());
    }

    /** Meta-trains from {@link #initialParams} with the population on Spark, one candidate per task. */
    public Result run(JavaSparkContext sc, List<DataSet> train, List<DataSet> validation) {
        return run(sc, train, validation, initialParams());
    }

    /** Meta-trains from {@code start} with the population on Spark (the data broadcast once), one candidate per task. */
    public Result run(JavaSparkContext sc, List<DataSet> train, List<DataSet> validation, L3rsParams start) {
        check(start);
        List<Iteration> history = new ArrayList<>();
        L3rsParams phi = nes().run(sc, train, validation, start, hook, provenance(), record(history));
        return new Result(phi, List.copyOf(history));
    }

    /** The same meta-training with the population evaluated one candidate after the other in this JVM. */
    public Result runLocal(List<DataSet> train, List<DataSet> validation) {
        return runLocal(train, validation, initialParams());
    }

    public Result runLocal(List<DataSet> train, List<DataSet> validation, L3rsParams start) {
        check(start);
        List<Iteration> history = new ArrayList<>();
        L3rsParams phi = nes().runLocal(train, validation, start, hook, provenance(), record(history));
        return new Result(phi, List.copyOf(history));
    }

    /** Candidate {@code candidate}'s score in iteration {@code iteration} around {@code phi}, in this JVM (what a task computes). */
    public double candidateScore(List<DataSet> train, List<DataSet> validation, L3rsParams phi, int iteration, int candidate) {
        check(phi);
        return nes().population(train, validation).score(phi, iteration, candidate);
    }

    /** The meta-objective of {@code phi} itself (no perturbation), with the round seeds of (seed, iteration −1). */
    public double evaluate(List<DataSet> train, List<DataSet> validation, L3rsParams phi) {
        check(phi);
        return nes().population(train, validation).run(phi, Population.mix(settings.seed(), -1));
    }

    private Nes<L3rsParams> nes() {
        return new Nes<>(network, cfg, settings.nes(), "L3RS");
    }

    private Map<String, String> provenance() {
        return Map.of("nes.initStd", String.valueOf(settings.initStd()));
    }

    private Nes.Listener<L3rsParams> record(List<Iteration> history) {
        return (k, phi, scores) -> {
            Iteration it = new Iteration(k, phi, scores);
            history.add(it);
            listener.accept(it);
        };
    }

    private void check(L3rsParams start) {
        if (start.groups() != groups.count()) {
            throw new IllegalArgumentException("φ for " + start.groups() + " groups, the network has " + groups.count());
        }
    }
}
