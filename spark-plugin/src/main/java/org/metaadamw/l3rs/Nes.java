package org.metaadamw.l3rs;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.api.Model;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.update.LearnedParams;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * The NES loop both meta-trainers share ({@link L3rsMetaTrainer}, {@link LstmMetaTrainer}; docs/l3rs.md,
 * "Meta-training"): antithetic pairs around φ_k, one candidate per Spark task ({@link #run}) or one after
 * the other in this JVM ({@link #runLocal}), centred-rank or raw fitness, a plain NES step summed in
 * candidate order on the driver. The candidates' inner loop is {@link Population}'s.
 *
 * <p>Driver-side; not thread-safe.
 *
 * @param <P> the rule's φ
 */
final class Nes<P extends LearnedParams> {
    private static final Logger LOG = LoggerFactory.getLogger(Nes.class);

    /**
     * The settings of the loop and of a candidate's run (validated by the trainers' own settings).
     *
     * @param divergedScore the score of a diverged run and the largest counted
     */
    record Settings(int iterations, int pairs, double sigma, double learningRate, int steps, boolean rankShaping, long seed,
                    double divergedScore) implements Serializable {
        int population() {
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
            m.put("nes.divergedScore", String.valueOf(divergedScore));
            return m;
        }
    }

    /** Called on the driver after each iteration: k, φ_k and the N scores in candidate order. */
    interface Listener<P> {
        void iteration(int k, P phi, double[] scores);
    }

    private final Model network;
    private final MetaAdamWConfig cfg;
    private final Settings settings;
    private final String name;

    /** @param name the rule's name in log lines ("L3RS", "LSTM") */
    Nes(Model network, MetaAdamWConfig cfg, Settings settings, String name) {
        this.network = network;
        this.cfg = cfg;
        this.settings = settings;
        this.name = name;
    }

    Population population(List<DataSet> train, List<DataSet> validation) {
        return new Population(network, cfg, settings, train, validation);
    }

    /** Meta-trains from {@code start} on Spark (the population broadcast once), one candidate per task; returns φ_M. */
    P run(JavaSparkContext sc, List<DataSet> train, List<DataSet> validation, P start, L3rsMetaTrainer.CandidateHook hook,
          Map<String, String> provenance, Listener<P> listener) {
        Broadcast<Population> bp = sc.broadcast(population(train, validation));
        try {
            int n = settings.population();
            List<Integer> indices = IntStream.range(0, n).boxed().toList();
            return loop(start, (phi, k) -> {
                List<Double> s = sc.parallelize(indices, n).map(i -> {
                    if (hook != null) {
                        TaskContext tc = TaskContext.get();
                        hook.beforeCandidate(k, i, tc == null ? 0 : tc.attemptNumber());
                    }
                    return bp.value().score(phi, k, i);
                }).collect();
                return s.stream().mapToDouble(Double::doubleValue).toArray();
            }, provenance, listener);
        } finally {
            bp.destroy();
        }
    }

    /** The same meta-training with the candidates evaluated one after the other in this JVM. */
    P runLocal(List<DataSet> train, List<DataSet> validation, P start, L3rsMetaTrainer.CandidateHook hook, Map<String, String> provenance,
               Listener<P> listener) {
        Population pop = population(train, validation);
        return loop(start, (phi, k) -> {
            double[] s = new double[settings.population()];
            for (int i = 0; i < s.length; i++) {
                if (hook != null) {
                    hook.beforeCandidate(k, i, 0);
                }
                s[i] = pop.score(phi, k, i);
            }
            return s;
        }, provenance, listener);
    }

    private interface Evaluator<P> {
        double[] scores(P phi, int iteration);
    }

    @SuppressWarnings("unchecked")
    private P loop(P start, Evaluator<P> eval, Map<String, String> provenance, Listener<P> listener) {
        P phi = start;
        int n = settings.population();
        double last = Double.NaN;
        for (int k = 0; k < settings.iterations(); k++) {
            double[] s = eval.scores(phi, k);
            if (s.length != n) {
                throw new IllegalStateException("iteration " + k + ": " + s.length + " scores for " + n + " candidates");
            }
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
            P before = phi;
            phi = (P) phi.withPhi(p, Map.of());
            last = mean(s);
            LOG.info(String.format(Locale.ROOT, "%s NES iteration %d: mean candidate score %.5f, best %.5f", name, k, last, best(s)));
            listener.iteration(k, before, s);
        }
        Map<String, String> prov = new TreeMap<>(settings.describe());
        prov.putAll(provenance);
        prov.put("learningRate", String.valueOf(cfg.learningRate()));
        prov.put("weightDecay", String.valueOf(cfg.weightDecay()));
        prov.put("grouping", cfg.groupingName());
        prov.put("averagingFrequency", String.valueOf(cfg.averagingFrequency()));
        prov.put("lastMeanScore", String.valueOf(last));
        return (P) phi.withPhi(phi.phi(), prov);
    }

    static double mean(double[] s) {
        return Arrays.stream(s).average().orElse(Double.NaN);
    }

    static double best(double[] s) {
        return Arrays.stream(s).min().orElse(Double.NaN);
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
