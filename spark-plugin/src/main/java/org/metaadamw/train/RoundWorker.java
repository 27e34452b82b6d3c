package org.metaadamw.train;

import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.stats.StatisticsExtractor;
import org.metaadamw.update.AdamWState;
import org.metaadamw.update.GroupAdamW;
import org.metaadamw.update.HypergradientSum;
import org.metaadamw.update.L3rs;
import org.metaadamw.update.L3rsState;
import org.metaadamw.update.Lstm;
import org.metaadamw.update.LstmState;
import org.metaadamw.update.Mada;
import org.metaadamw.update.MadaCoefficients;
import org.metaadamw.update.MadaState;
import org.metaadamw.update.Modulation;
import org.metaadamw.update.UpdateRule;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.util.List;
import java.util.SplittableRandom;

/**
 * One worker's part of a round (algorithm.md section 5 step 2), shared by the single-JVM trainer
 * and the Spark executors so that both run the same algorithm:
 * <ol>
 *   <li>on a meta round, gv0 = ∇L_val(θ_r) on the validation minibatch;</li>
 *   <li>K local AdamW steps with the round's modulation, keeping the last gradient gtK and loss L_tr;</li>
 *   <li>on a meta round, gv1 = ∇L_val(θ_end) on the same minibatch;</li>
 *   <li>per-group features and meta-signals.</li>
 * </ol>
 * With {@code meta.signal=training} a meta round makes no validation pass: the signals take the
 * gradient of the last local step, at θ_(K−1) on a minibatch the round had not used yet, in place
 * of gv1, sloped along θ_(K−1) − θ_r, and the first and last training losses in place of the
 * validation losses.
 * The result is a pure function of (θ_r, Adam state, modulation, data, round seed): ND4J's random
 * generator (dropout, ...) is seeded from the round seed first, so a retried task returns the same
 * result.
 *
 * <p>A controller whose update rule is MADA's ({@link UpdateRule.Kind#MADA}) has its rounds run by
 * {@link #runMada} instead: K local MADA steps and the summed one-step hypergradients of its
 * coefficients, a pure function of (θ_r, MADA state, coefficients, data, round seed) in the same way.
 * One whose update rule is L3RS's ({@link UpdateRule.Kind#L3RS}) has them run by {@link #runL3rs}: K
 * local L3RS steps with the rule's fixed φ, a pure function of (θ_r, L3RS state, φ, t/T, data, round seed).
 * One whose update rule is the coordinatewise LSTM's ({@link UpdateRule.Kind#LSTM}) has them run by
 * {@link #runLstm}: K local LSTM steps, a pure function of (θ_r, LSTM state, φ, data, round seed).
 *
 * <p>Not thread-safe: one instance per network copy.
 */
public final class RoundWorker {
    private final NetModel net;
    private final ParamGroups groups;
    private final GroupAdamW optimizer;
    private final StatisticsExtractor extractor;
    private final MetaAdamWConfig cfg;
    /** MADA's optimizer, made when a MADA round first comes ({@link #runMada}), with the Lion betas it was made with. */
    private Mada mada;
    private double madaLionBeta1 = Double.NaN, madaLionBeta2 = Double.NaN;
    /** L3RS's optimizer, made when an L3RS round first comes ({@link #runL3rs}). */
    private L3rs l3rs;
    /** The LSTM rule, made when an LSTM round first comes ({@link #runLstm}). */
    private Lstm lstm;

    public RoundWorker(NetModel net, ParamGroups groups, MetaAdamWConfig cfg) {
        this.cfg = cfg;
        this.net = net;
        this.groups = groups;
        this.optimizer = new GroupAdamW(cfg, groups, net.params().dataType());
        this.extractor = new StatisticsExtractor(groups, org.metaadamw.stats.FeatureSet.Version.of(cfg));
    }

    public ParamGroups groups() {
        return groups;
    }

    /**
     * Runs one round. {@code thetaStart} and {@code state} are not modified.
     *
     * @param validation the validation minibatch, or null for a round without validation passes
     * @param timeFraction t/T of this round, in [0, 1]
     * @param trace      μ·e, the driver's decayed trace of earlier applied steps, or null (read only on a
     *                   meta round)
     * @param statistics whether the controller reads the per-group statistics; without them only the
     *                   training loss is reported ({@link StatisticsExtractor#lossesOnly})
     * @param startGradient whether the controller reads gv0, the validation gradient at θ_r; without it the
     *                   first validation pass is a forward pass for L_val(θ_r) only
     * @param trainingSignals whether this round's meta-signals come from the local steps ({@code meta.signal=training},
     *                   {@link RoundCoordinator#trainingSignalRound()}); {@code validation} is then not read
     */
    public WorkerResult run(INDArray thetaStart, AdamWState state, Modulation modulation, List<? extends DataSet> batches,
                            DataSet validation, double timeFraction, long roundSeed, INDArray trace, boolean statistics,
                            boolean startGradient, boolean trainingSignals) {
        INDArray params = startRound(thetaStart, batches, roundSeed);
        AdamWState st = state.copy();
        optimizer.setModulation(modulation);

        boolean fromTraining = trainingSignals && statistics;
        if (fromTraining) {
            validation = null;   // never read: the signals come from the local steps
        } else if (validation != null) {
            validation = validationRows(validation, cfg.metaValidationFraction(), roundSeed);
        }
        INDArray gv0 = null, gv1 = null, thetaSignal = null;
        double lv0 = Double.NaN, lv1 = Double.NaN;
        if (validation != null && startGradient) {
            lv0 = net.computeGradient(validation);
            gv0 = preprocessed(validation);
        } else if (validation != null) {
            lv0 = net.loss(validation);
        }
        INDArray gtK = null;
        double lossTrain = Double.NaN;
        int K = batches.size();
        for (int i = 0; i < K; i++) {
            DataSet b = batches.get(i);
            lossTrain = net.computeGradient(b);
            INDArray g = net.gradient();
            optimizer.preprocess(g, b.getFeatures().size(0));
            if (fromTraining && i == 0) {
                lv0 = lossTrain;   // L(θ_r) on the round's first minibatch
            }
            if (statistics && i == K - 1) {
                gtK = g.dup();
                if (fromTraining) {
                    // the last step's gradient at θ_(K−1), on a minibatch no earlier step of the round used
                    thetaSignal = params.dup();
                    gv1 = gtK;
                    lv1 = lossTrain;
                }
            }
            optimizer.step(params, g, st);
        }
        INDArray thetaEnd = params.dup();
        if (validation != null) {
            lv1 = net.computeGradient(validation);
            gv1 = preprocessed(validation);
        }
        // the signals' step ends where their gradient was taken: θ_end for validation, θ_(K−1) for training signals
        var stats = !statistics ? extractor.lossesOnly(lossTrain)
                : extractor.extract(new StatisticsExtractor.Inputs(thetaStart, thetaEnd, gtK, st.m(), st.v(), gv0, gv1,
                optimizer.decayCoefficients(fromTraining ? K - 1 : K), optimizer.decayBiases(), timeFraction, lv0, lv1, lossTrain, trace,
                thetaSignal));
        boolean finite = isFinite(thetaEnd) && isFinite(st.m()) && isFinite(st.v());
        return new WorkerResult(thetaEnd, st, stats, batches.size(), finite);
    }

    /**
     * Runs one round of MADA ({@link UpdateRule.Kind#MADA}): K local steps with {@code rule}'s
     * coefficients, from {@code thetaStart} and {@code state} (neither is modified). Before each step
     * after the first, the step's gradient g_(i) = ∇L(θ_(i−1)) is paired with the tangents the
     * previous step recorded ({@link Mada#hypergradient}) and added to the round's hypergradient sum:
     * K − 1 signals, no extra gradient pass. No validation or statistics pass is made; the statistics
     * hold the last training loss only.
     */
    public WorkerResult runMada(INDArray thetaStart, MadaState state, UpdateRule rule, List<? extends DataSet> batches,
                                long roundSeed) {
        if (!rule.isMada()) {
            throw new IllegalArgumentException("runMada needs a MADA update rule (got " + rule.kind() + ")");
        }
        INDArray params = startRound(thetaStart, batches, roundSeed);
        MadaState st = state.copy();
        Mada mada = mada(rule);
        mada.setCoefficients(rule.coefficients());
        double[][] sum = new double[groups.count()][MadaCoefficients.COUNT];
        long signals = 0;
        double lossTrain = Double.NaN;
        int K = batches.size();
        for (int i = 0; i < K; i++) {
            DataSet b = batches.get(i);
            lossTrain = net.computeGradient(b);
            INDArray g = net.gradient();
            mada.preprocess(g, b.getFeatures().size(0));
            if (i > 0) {
                double[][] h = mada.hypergradient(g);
                for (int gr = 0; gr < sum.length; gr++) {
                    for (int k = 0; k < MadaCoefficients.COUNT; k++) {
                        sum[gr][k] += h[gr][k];
                    }
                }
                signals++;
            }
            mada.step(params, g, st, i < K - 1);   // the last step's tangents would have no next gradient in this round
        }
        INDArray thetaEnd = params.dup();
        boolean finite = isFinite(thetaEnd) && st.isFinite();
        return new WorkerResult(thetaEnd, null, extractor.lossesOnly(lossTrain), K, finite, st,
                signals == 0 ? HypergradientSum.EMPTY : new HypergradientSum(sum, signals));
    }

    /**
     * Runs one round of L3RS ({@link UpdateRule.Kind#L3RS}): K local steps with {@code rule}'s φ, from
     * {@code thetaStart} and {@code state} (neither is modified), the MLP fed the round's t/T. No
     * validation or statistics pass is made; the statistics hold the last training loss only.
     *
     * @param timeFraction t/T of this round, in [0, 1]
     */
    public WorkerResult runL3rs(INDArray thetaStart, L3rsState state, UpdateRule rule, List<? extends DataSet> batches,
                                double timeFraction, long roundSeed) {
        if (!rule.isL3rs()) {
            throw new IllegalArgumentException("runL3rs needs an L3RS update rule (got " + rule.kind() + ")");
        }
        INDArray params = startRound(thetaStart, batches, roundSeed);
        L3rsState st = state.copy();
        if (l3rs == null) {
            l3rs = new L3rs(cfg, groups, params.dataType(), rule.l3rs());
        } else {
            l3rs.setParams(rule.l3rs());
        }
        double lossTrain = Double.NaN;
        for (DataSet b : batches) {
            lossTrain = net.computeGradient(b);
            INDArray g = net.gradient();
            l3rs.preprocess(g, b.getFeatures().size(0));
            l3rs.step(params, g, st, timeFraction);
        }
        INDArray thetaEnd = params.dup();
        boolean finite = isFinite(thetaEnd) && st.isFinite();
        return new WorkerResult(thetaEnd, null, extractor.lossesOnly(lossTrain), batches.size(), finite, null, HypergradientSum.EMPTY, st);
    }

    /**
     * Runs one round of the coordinatewise LSTM ({@link UpdateRule.Kind#LSTM}): K local steps with {@code rule}'s
     * φ, from {@code thetaStart} and {@code state} (neither is modified). No validation or statistics pass is
     * made; the statistics hold the last training loss only.
     */
    public WorkerResult runLstm(INDArray thetaStart, LstmState state, UpdateRule rule, List<? extends DataSet> batches, long roundSeed) {
        if (!rule.isLstm()) {
            throw new IllegalArgumentException("runLstm needs an LSTM update rule (got " + rule.kind() + ")");
        }
        INDArray params = startRound(thetaStart, batches, roundSeed);
        LstmState st = state.copy();
        if (lstm == null) {
            lstm = new Lstm(cfg, groups, params.dataType(), rule.lstm());
        } else {
            lstm.setParams(rule.lstm());
        }
        double lossTrain = Double.NaN;
        for (DataSet b : batches) {
            lossTrain = net.computeGradient(b);
            INDArray g = net.gradient();
            lstm.preprocess(g, b.getFeatures().size(0));
            lstm.step(params, g, st);
        }
        INDArray thetaEnd = params.dup();
        boolean finite = isFinite(thetaEnd) && st.isFinite();
        return new WorkerResult(thetaEnd, null, extractor.lossesOnly(lossTrain), batches.size(), finite, null, HypergradientSum.EMPTY, null, st);
    }

    /** The MLP outputs [g][μ_Adam, μ_SGD, s] of this worker's last L3RS step, or null before one. */
    public double[][] lastL3rsOutputs() {
        return l3rs == null ? null : l3rs.lastOutputs();
    }

    /**
     * The start every kind of round shares: at least one minibatch, θ_r written into the network's
     * parameters (returned, the live view), and the round's seed in ND4J's generator (dropout, ...).
     */
    private INDArray startRound(INDArray thetaStart, List<? extends DataSet> batches, long roundSeed) {
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("a round needs at least one training minibatch");
        }
        INDArray params = net.params();
        params.assign(thetaStart);
        Nd4j.getRandom().setSeed(nativeSeed(roundSeed));
        return params;
    }

    /** This worker's MADA optimizer, made on first use (and again if the Lion betas change). */
    private Mada mada(UpdateRule rule) {
        if (mada == null || madaLionBeta1 != rule.lionBeta1() || madaLionBeta2 != rule.lionBeta2()) {
            mada = new Mada(cfg, groups, net.params().dataType(), rule.lionBeta1(), rule.lionBeta2());
            madaLionBeta1 = rule.lionBeta1();
            madaLionBeta2 = rule.lionBeta2();
        }
        return mada;
    }

    /**
     * The rows of {@code validation} a meta round's validation passes use ({@code meta.validationFraction}): all of
     * them at fraction 1, else ⌈fraction · B⌉ consecutive rows (at least one) at an offset drawn from the round seed,
     * so that a retried task takes the same rows and the rows of a minibatch take turns over the rounds. Masks are
     * cut alike. {@code validation} is not modified.
     */
    static DataSet validationRows(DataSet validation, double fraction, long roundSeed) {
        long rows = validation.getFeatures().size(0);
        long m = Math.max(1, (long) Math.ceil(fraction * rows - 1e-9));   // 1e-9: 0.3 · 10 is 3, not 4
        if (m >= rows) {
            return validation;
        }
        long offset = new SplittableRandom(roundSeed ^ 0x5DEECE66DL).nextLong(rows - m + 1);
        // not DataSet.getRange: its views of rank-3 arrays read back empty rows through get(point(i)) (ND4J 1.0.0-M2.1)
        return new org.nd4j.linalg.dataset.DataSet(rowsOf(validation.getFeatures(), offset, m),
                rowsOf(validation.getLabels(), offset, m), rowsOf(validation.getFeaturesMaskArray(), offset, m),
                rowsOf(validation.getLabelsMaskArray(), offset, m));
    }

    private static INDArray rowsOf(INDArray a, long offset, long m) {
        if (a == null) {
            return null;
        }
        INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
        idx[0] = NDArrayIndex.interval(offset, offset + m);
        for (int d = 1; d < idx.length; d++) {
            idx[d] = NDArrayIndex.all();
        }
        return a.get(idx).dup();
    }

    private INDArray preprocessed(DataSet ds) {
        INDArray g = net.gradient();
        optimizer.preprocess(g, ds.getFeatures().size(0));
        return g.dup();
    }

    /**
     * The seed handed to ND4J's native generator, which replaces a seed of 0 by the clock (libnd4j
     * {@code RandomGenerator::setStates}): 0 becomes a fixed odd constant, every other seed stays.
     * Round 0 of {@code spark.metaadamw.seed=0} has round seed 0, so without this a network with
     * dropout would not repeat at seed 0.
     */
    static long nativeSeed(long seed) {
        return seed != 0 ? seed : 0x9E3779B97F4A7C15L;
    }

    static boolean isFinite(INDArray a) {
        return !BooleanIndexing.or(a, Conditions.notFinite());
    }
}
