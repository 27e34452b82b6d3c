package org.metaadamw.l3rs;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.train.NetModel;
import org.metaadamw.train.RoundWorker;
import org.metaadamw.train.WorkerResult;
import org.metaadamw.update.L3rsState;
import org.metaadamw.update.LearnedParams;
import org.metaadamw.update.LstmState;
import org.metaadamw.update.UpdateRule;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One NES population's inner loop (docs/l3rs.md, "Meta-training"): everything a candidate's short
 * training run needs, shipped to the executors once (a broadcast), and the pure function
 * {@link #score} that runs one candidate. A candidate's score depends only on (φ of the iteration,
 * iteration, candidate index, seed) and the data here: its noise, its round seeds and its data order
 * are derived from those, the network starts from the same zip every time, and the run is the
 * trainers' own {@link RoundWorker#runL3rs} (or {@link RoundWorker#runLstm}, by φ's rule) with one
 * worker. So a retried or speculative task returns the same score, bit for bit.
 *
 * <p>Immutable and serializable; {@link #score} may run on several threads at once (each call builds
 * its own network).
 */
final class Population implements Serializable {
    private static final long serialVersionUID = 1L;

    private final byte[] networkZip;
    private final boolean graph;
    private final MetaAdamWConfig cfg;
    private final Nes.Settings settings;
    private final List<DataSet> train, validation;

    Population(Model network, MetaAdamWConfig cfg, Nes.Settings settings, List<DataSet> train, List<DataSet> validation) {
        if (train.isEmpty() || validation.isEmpty()) {
            throw new IllegalArgumentException("NES meta-training needs training and validation minibatches (got " + train.size()
                    + " and " + validation.size() + ")");
        }
        try {
            this.networkZip = NetModel.zip(network);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialize the network: " + e.getMessage(), e);
        }
        this.graph = network instanceof ComputationGraph;
        this.cfg = cfg;
        this.settings = settings;
        this.train = List.copyOf(train);
        this.validation = List.copyOf(validation);
    }

    /** splitmix64's finalizer over the words: the seed of one (iteration, pair[, round]) stream. */
    static long mix(long... words) {
        long h = 0x9E3779B97F4A7C15L;
        for (long w : words) {
            h ^= w;
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
            h *= 0x94D049BB133111EBL;
            h ^= h >>> 29;
        }
        return h;
    }

    /** ε of antithetic pair {@code pair} in {@code iteration}: N(0, 1)^size from {@code java.util.Random} (the same on every JVM). */
    static double[] noise(long seed, int iteration, int pair, int size) {
        Random r = new Random(mix(seed, iteration, pair));
        double[] e = new double[size];
        for (int i = 0; i < size; i++) {
            e[i] = r.nextGaussian();
        }
        return e;
    }

    /** Candidate {@code candidate} of {@code iteration}: φ + σε (even index) or φ − σε (odd), ε of pair candidate/2. */
    LearnedParams candidate(LearnedParams phi, int iteration, int candidate) {
        double[] e = noise(settings.seed(), iteration, candidate / 2, phi.size());
        double[] p = phi.phi();
        double sign = candidate % 2 == 0 ? 1.0 : -1.0;
        for (int i = 0; i < p.length; i++) {
            p[i] += sign * settings.sigma() * e[i];
        }
        return phi.withPhi(p, Map.of());
    }

    /** The score of candidate {@code candidate} of {@code iteration} around {@code phi}. */
    double score(LearnedParams phi, int iteration, int candidate) {
        return run(candidate(phi, iteration, candidate), mix(settings.seed(), iteration, candidate / 2));
    }

    /**
     * The meta-objective of one φ: {@code settings.steps()} steps of φ's rule from the network's starting
     * parameters, in rounds of K = {@code averagingFrequency} steps with the round's t/T, over the training
     * minibatches in order (cycled), then the mean validation loss (inference mode, weighted by
     * examples). A non-finite or larger loss counts as {@code settings.divergedScore()}.
     *
     * @param streamSeed the seed of the run's round seeds (the same for both candidates of a pair)
     */
    double run(LearnedParams phi, long streamSeed) {
        Model net;
        try {
            net = NetModel.unzip(networkZip, graph);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the network back: " + e.getMessage(), e);
        }
        NetModel model = new NetModel(net);
        ParamGroups groups = ParamGroups.of(net, GroupingStrategy.of(cfg));
        RoundWorker worker = new RoundWorker(model, groups, cfg);
        UpdateRule rule = phi.rule();
        int k = cfg.averagingFrequency(), steps = settings.steps();
        int rounds = (steps + k - 1) / k;
        INDArray theta = model.params().dup();
        L3rsState state = rule.isL3rs() ? L3rsState.zeros(theta) : null;
        LstmState lstm = rule.isLstm() ? LstmState.zeros(theta, rule.lstm().hidden()) : null;
        int cursor = 0;
        for (int r = 0; r < rounds; r++) {
            List<DataSet> batches = new ArrayList<>(k);
            for (int i = 0; i < k && r * k + i < steps; i++) {
                batches.add(train.get(cursor++ % train.size()));
            }
            WorkerResult res = lstm != null ? worker.runLstm(theta, lstm, rule, batches, mix(streamSeed, r))
                    : worker.runL3rs(theta, state, rule, batches, (double) r / rounds, mix(streamSeed, r));
            if (!res.finite()) {
                return settings.divergedScore();
            }
            theta = res.params();
            state = res.l3rs();
            lstm = res.lstm();
        }
        model.params().assign(theta);
        double sum = 0;
        long n = 0;
        for (DataSet v : validation) {
            long rows = v.getFeatures().size(0);
            sum += model.loss(v, false) * rows;
            n += rows;
        }
        double loss = sum / n;
        return Double.isFinite(loss) ? Math.min(loss, settings.divergedScore()) : settings.divergedScore();
    }
}
