package org.metaadamw.l3rs;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.api.Model;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.update.L3rsParams;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.IntStream;

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
    private static final Logger LOG = LoggerFactory.getLogger(L3rsMetaTrainer.class);

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

        Map<String, String> describe() {
            Map<String, String> m = new TreeMap<>();
            m.put("nes.iterations", String.valueOf(iterations));
            m.put("nes.pairs", String.valueOf(pairs));
            m.put("nes.sigma", String.valueOf(sigma));
            m.put("nes.learningRate", String.valueOf(learningRate));
            m.put("nes.steps", String.valueOf(steps));
            m.put("nes.rankShaping", String.valueOf(rankShaping));
            m.put("nes.seed", String.valueOf(seed));
            m.put("nes.initStd", String.valueOf(initStd));
            m.put("nes.divergedScore", String.valueOf(divergedScore));
            return m;
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
            return Arrays.stream(scores).average().orElse(Double.NaN);
        }

        public double best() {
            return Arrays.stream(scores).min().orElse(Double.NaN);
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
        Population pop = population(train, validation, start);
        Broadcast<Population> bp = sc.broadcast(pop);
        try {
            CandidateHook h = hook;
            int n = settings.population();
            List<Integer> indices = IntStream.range(0, n).boxed().toList();
            return loop(start, (phi, k) -> {
                List<Double> s = sc.parallelize(indices, n).map(i -> {
                    if (h != null) {
                        TaskContext tc = TaskContext.get();
                        h.beforeCandidate(k, i, tc == null ? 0 : tc.attemptNumber());
                    }
                    return bp.value().score(phi, k, i);
                }).collect();
                return s.stream().mapToDouble(Double::doubleValue).toArray();
            });
        } finally {
            bp.destroy();
        }
    }

    /** The same meta-training with the population evaluated one candidate after the other in this JVM. */
    public Result runLocal(List<DataSet> train, List<DataSet> validation) {
        return runLocal(train, validation, initialParams());
    }

    public Result runLocal(List<DataSet> train, List<DataSet> validation, L3rsParams start) {
        Population pop = population(train, validation, start);
        return loop(start, (phi, k) -> {
            double[] s = new double[settings.population()];
            for (int i = 0; i < s.length; i++) {
                if (hook != null) {
                    hook.beforeCandidate(k, i, 0);
                }
                s[i] = pop.score(phi, k, i);
            }
            return s;
        });
    }

    /** Candidate {@code candidate}'s score in iteration {@code iteration} around {@code phi}, in this JVM (what a task computes). */
    public double candidateScore(List<DataSet> train, List<DataSet> validation, L3rsParams phi, int iteration, int candidate) {
        return population(train, validation, phi).score(phi, iteration, candidate);
    }

    /** The meta-objective of {@code phi} itself (no perturbation), with the round seeds of (seed, iteration −1). */
    public double evaluate(List<DataSet> train, List<DataSet> validation, L3rsParams phi) {
        return population(train, validation, phi).run(phi, Population.mix(settings.seed(), -1));
    }

    private Population population(List<DataSet> train, List<DataSet> validation, L3rsParams start) {
        if (start.groups() != groups.count()) {
            throw new IllegalArgumentException("φ for " + start.groups() + " groups, the network has " + groups.count());
        }
        return new Population(network, cfg, settings, train, validation);
    }

    private interface Evaluator {
        double[] scores(L3rsParams phi, int iteration);
    }

    private Result loop(L3rsParams start, Evaluator eval) {
        L3rsParams phi = start;
        List<Iteration> history = new ArrayList<>();
        int n = settings.population();
        for (int k = 0; k < settings.iterations(); k++) {
            double[] s = eval.scores(phi, k);
            if (s.length != n) {
                throw new IllegalStateException("iteration " + k + ": " + s.length + " scores for " + n + " candidates");
            }
            Iteration it = new Iteration(k, phi, s);
            history.add(it);
            double[] u = settings.rankShaping() ? centredRanks(s) : s;
            double[] p = phi.phi(), grad = new double[p.length];
            for (int i = 0; i < settings.pairs(); i++) {
                double[] e = Population.noise(settings.seed(), k, i, p.length);
                double w = u[2 * i] - u[2 * i + 1];
                for (int j = 0; j < p.length; j++) {
                    grad[j] += w * e[j];
                }
            }
            for (int j = 0; j < p.length; j++) {
                p[j] -= settings.learningRate() * grad[j] / (n * settings.sigma());
            }
            phi = phi.withPhi(p, Map.of());
            LOG.info(String.format(Locale.ROOT, "L3RS NES iteration %d: mean candidate score %.5f, best %.5f", k, it.mean(), it.best()));
            listener.accept(it);
        }
        Map<String, String> prov = new TreeMap<>(settings.describe());
        prov.put("learningRate", String.valueOf(cfg.learningRate()));
        prov.put("weightDecay", String.valueOf(cfg.weightDecay()));
        prov.put("grouping", cfg.groupingName());
        prov.put("averagingFrequency", String.valueOf(cfg.averagingFrequency()));
        prov.put("lastMeanScore", String.valueOf(history.get(history.size() - 1).mean()));
        return new Result(phi.withPhi(phi.phi(), prov), List.copyOf(history));
    }

    /** Centred ranks: the smallest score −0.5, the largest +0.5, equal scores ordered by index (deterministic). */
    static double[] centredRanks(double[] s) {
        Integer[] order = IntStream.range(0, s.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> s[i]).thenComparingInt(i -> i));
        double[] u = new double[s.length];
        for (int r = 0; r < order.length; r++) {
            u[order[r]] = s.length == 1 ? 0.0 : (double) r / (s.length - 1) - 0.5;
        }
        return u;
    }
}
