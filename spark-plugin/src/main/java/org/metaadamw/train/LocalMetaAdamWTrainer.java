package org.metaadamw.train;

import org.deeplearning4j.nn.api.Model;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.meta.Controllers;
import org.metaadamw.meta.ModulationController;
import org.metaadamw.update.AdamWState;
import org.metaadamw.update.L3rsState;
import org.metaadamw.update.LstmState;
import org.metaadamw.update.MadaState;
import org.metaadamw.update.Modulation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Trains a DL4J network with MetaAdamW in one JVM: the round structure of algorithm.md section 5
 * with a single worker. The Spark trainer distributes exactly this loop (same {@link RoundWorker},
 * same {@link RoundCoordinator}); with one partition both give the same parameters.
 *
 * <p>Usage:
 * <pre>{@code
 * var trainer = new LocalMetaAdamWTrainer(net, MetaAdamWConfig.builder().learningRate(1e-3).build());
 * trainer.fit(trainIterator, validationIterator, 10);
 * }</pre>
 * DL4J's own updater and regularization settings of the network are not used (the network must
 * not configure regularization; see {@link org.metaadamw.grouping.NetworkParams}).
 *
 * <p>Not thread-safe.
 */
public final class LocalMetaAdamWTrainer implements MetaAdamWTrainer<DataSetIterator> {
    private static final Logger LOG = LoggerFactory.getLogger(LocalMetaAdamWTrainer.class);

    private final MetaAdamWConfig cfg;
    private final NetModel net;
    private final ParamGroups groups;
    private final RoundWorker worker;
    private final RoundCoordinator coordinator;
    private final AdamWState state;
    /** The MADA state when the controller's workers run MADA ({@link RoundCoordinator#updateRule()}), else null. */
    private final MadaState mada;
    /** The L3RS state when the controller's workers run L3RS, else null. */
    private final L3rsState l3rs;
    /** The LSTM state when the controller's workers run the coordinatewise LSTM, else null. */
    private final LstmState lstm;
    private Consumer<RoundRecord> listener = r -> { };
    /** Validation minibatches drawn so far (from the held-out list or the validation iterator). */
    private long validationCursor;
    private final TrainerCheckpoints checkpoints;
    /** Draws from a validation iterator to replay after {@link #resume()}. */
    private long pendingValidationDraws;

    public LocalMetaAdamWTrainer(Model network, MetaAdamWConfig cfg) {
        this(network, cfg, Controllers.create(cfg));
    }

    public LocalMetaAdamWTrainer(Model network, MetaAdamWConfig cfg, ModulationController controller) {
        this.cfg = cfg;
        this.net = new NetModel(network);
        this.groups = ParamGroups.of(network, org.metaadamw.grouping.GroupingStrategy.of(cfg));
        this.worker = new RoundWorker(net, groups, cfg);
        this.coordinator = new RoundCoordinator(cfg, groups, controller);
        this.state = AdamWState.zeros(net.params());
        this.mada = coordinator.updateRule().isMada() ? MadaState.zeros(net.params()) : null;
        this.l3rs = coordinator.updateRule().isL3rs() ? L3rsState.zeros(net.params()) : null;
        this.lstm = coordinator.updateRule().isLstm() ? LstmState.zeros(net.params(), coordinator.updateRule().lstm().hidden()) : null;
        this.checkpoints = new TrainerCheckpoints(cfg, () -> new org.apache.hadoop.conf.Configuration()); // Hadoop loaded only when checkpointing
        LOG.info("MetaAdamW ({}), {} parameters\n{}", controller.name(), groups.numParams(), groups.describe());
    }

    /** Called after every round (on the training thread). */
    @Override
    public LocalMetaAdamWTrainer onRound(Consumer<RoundRecord> listener) {
        this.listener = listener;
        return this;
    }

    @Override
    public ParamGroups groups() {
        return groups;
    }

    @Override
    public String controllerName() {
        return coordinator.controller().name();
    }

    @Override
    public java.util.Map<String, Double> controllerMetrics() {
        return coordinator.controllerMetrics();
    }

    @Override
    public org.metaadamw.meta.MetaState metaState() {
        return coordinator.metaState();
    }

    @Override
    public MetaAdamWConfig config() {
        return cfg;
    }

    @Override
    public Model network() {
        return net.network();
    }

    @Override
    public Modulation modulation() {
        return coordinator.modulation();
    }

    /** A copy of the AdamW state; when the workers run MADA or L3RS, their Adam moments m, v and their step count. */
    @Override
    public AdamWState adamState() {
        return mada != null ? new AdamWState(mada.m(), mada.v(), mada.step())
                : l3rs != null ? new AdamWState(l3rs.m(), l3rs.v(), l3rs.step()) : state.copy();
    }

    /** A copy of the L3RS state (Adam's m, v and the SGD momentum b) when the workers run L3RS, else null. */
    public L3rsState l3rsState() {
        return l3rs == null ? null : l3rs.copy();
    }

    /** A copy of the LSTM state (hidden and cell states per coordinate) when the workers run the coordinatewise LSTM, else null. */
    public LstmState lstmState() {
        return lstm == null ? null : lstm.copy();
    }

    @Override
    public List<RoundRecord> history() {
        return coordinator.history();
    }

    /**
     * Trains for {@code epochs} passes over {@code train}: in the seeded order of {@link MinibatchOrder}
     * ({@code spark.metaadamw.shuffle}, the default; the training minibatches of one epoch are then kept in
     * memory), or in the iterator's order.
     *
     * @param validation validation minibatches, cycled one per meta round; null to hold out 1 in
     *                   {@code spark.metaadamw.validationHoldout} training minibatches instead (only when the
     *                   controller uses validation at all)
     */
    @Override
    public Model fit(DataSetIterator train, DataSetIterator validation, int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1 (got " + epochs + ")");
        }
        int K = cfg.averagingFrequency();
        int holdout = validation == null && coordinator.controller().usesValidation() ? cfg.validationHoldout() : 0;
        // first pass: count the batches and collect every held-out batch, so that each meta round,
        // the first and the last included, can use the whole held-out set (as a Spark partition does)
        long batchesPerEpoch = 0;
        List<DataSet> heldOut = new ArrayList<>();
        List<DataSet> kept = cfg.shuffle() ? new ArrayList<>() : null;   // the training minibatches, to reorder
        train.reset();
        while (train.hasNext()) {
            DataSet b = train.next();
            if (Holdout.isHeldOut(batchesPerEpoch++, holdout)) {
                heldOut.add(b);
            } else if (kept != null) {
                kept.add(b);
            }
        }
        if (batchesPerEpoch == 0) {
            throw new IllegalArgumentException("the training iterator is empty");
        }
        List<DataSet> ordered = kept == null ? null : ordered(kept);
        long totalRounds = epochs * ((batchesPerEpoch - heldOut.size() + K - 1) / K);
        // a resumed run continues the fit call it was checkpointed in: its first rounds are done
        long done = coordinator.beginFit(totalRounds), index = 0;
        if (validation != null) {
            for (; pendingValidationDraws > 0; pendingValidationDraws--) {
                draw(validation);
            }
        }
        for (int epoch = 0; epoch < epochs; epoch++) {
            var batches = ordered != null ? ordered.iterator() : trainingBatches(train, holdout);
            boolean ran = false;
            List<DataSet> round = new ArrayList<>(K);
            while (batches.hasNext()) {
                round.add(batches.next());
                if (round.size() == K) {
                    ran |= roundAt(index++, done, round, validation, heldOut, epoch, totalRounds);
                    round = new ArrayList<>(K);
                }
            }
            if (!round.isEmpty()) {
                ran |= roundAt(index++, done, round, validation, heldOut, epoch, totalRounds);
            }
            if (ran && checkpoints.enabled()) {
                checkpoint();   // epoch end
            }
        }
        coordinator.requireProgress();
        return net.network();
    }

    /** {@code batches} in the order of {@link MinibatchOrder} for worker 0 (what a Spark run with one worker trains in). */
    private List<DataSet> ordered(List<DataSet> batches) {
        int n = batches.size();
        DataSet[] out = new DataSet[n];
        for (int j = 0; j < n; j++) {
            out[(int) MinibatchOrder.position(j, n, cfg.seed(), 0)] = batches.get(j);
        }
        return java.util.Arrays.asList(out);
    }

    /** One epoch of {@code train}'s minibatches in input order, without the held-out ones. */
    private static java.util.Iterator<DataSet> trainingBatches(DataSetIterator train, int holdout) {
        train.reset();
        return new java.util.Iterator<>() {
            private long batch;
            private DataSet next = advance();

            private DataSet advance() {
                while (train.hasNext()) {
                    DataSet b = train.next();
                    if (!Holdout.isHeldOut(batch++, holdout)) {
                        return b;
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public DataSet next() {
                if (next == null) {
                    throw new java.util.NoSuchElementException();
                }
                DataSet b = next;
                next = advance();
                return b;
            }
        };
    }

    /** Runs the {@code i}-th round of this fit call unless a resumed checkpoint already holds it. */
    private boolean roundAt(long i, long done, List<DataSet> round, DataSetIterator validation, List<DataSet> heldOut, int epoch,
                            long totalRounds) {
        if (i < done) {
            return false;
        }
        runRound(round, nextValidation(validation, heldOut), epoch, totalRounds);
        if (checkpoints.intervalDue(coordinator.round())) {
            checkpoint();
        }
        return true;
    }

    private static DataSet draw(DataSetIterator validation) {
        if (!validation.hasNext()) {
            validation.reset();
        }
        return validation.next();
    }

    /** Writes a checkpoint of the current state to {@code spark.metaadamw.checkpoint.dir} (any Hadoop path). */
    public void checkpoint() {
        checkpoints.write(net.network(), state, mada, l3rs, lstm, coordinator, validationCursor, groups.names(), java.util.Map.of("trainer", "single-JVM"));
    }

    /**
     * Continues from the newest checkpoint in {@code spark.metaadamw.checkpoint.dir} (see
     * {@code SparkMetaAdamW.resume()}): the next {@link #fit} call, with the same data and epochs, runs
     * what was left of the checkpointed one.
     *
     * @return false when the directory holds no checkpoint
     */
    public boolean resume() {
        var c = checkpoints.restore(net.network(), net.params(), state, mada, l3rs, lstm, coordinator, groups.names());
        if (c == null) {
            return false;
        }
        validationCursor = c.validationCursor();
        pendingValidationDraws = validationCursor;
        return true;
    }

    /** The validation minibatch of the next round, or null when the round makes no validation passes. */
    private DataSet nextValidation(DataSetIterator validation, List<DataSet> heldOut) {
        if (!coordinator.validationRound()) {
            return null;
        }
        if (validation != null) {
            validationCursor++;
            return draw(validation);
        }
        return heldOut.isEmpty() ? null : heldOut.get((int) (validationCursor++ % heldOut.size()));
    }

    private void runRound(List<DataSet> batches, DataSet val, int epoch, long totalRounds) {
        long t0 = System.nanoTime();
        INDArray theta = net.params().dup();
        double tFrac = Math.min(1.0, (double) coordinator.round() / Math.max(1, totalRounds));
        // a meta round: validation passes on val, or (meta.signal=training) signals from the local steps
        boolean fromTraining = coordinator.trainingSignalRound();
        if (mada != null) {
            runMadaRound(batches, epoch, totalRounds, t0, theta);
            return;
        }
        if (l3rs != null) {
            WorkerResult r = worker.runL3rs(theta, l3rs, coordinator.updateRule(), batches, tFrac, coordinator.roundSeed());
            finishLearnedRound(theta, () -> coordinator.finishL3rsRound(net.params(), l3rs, r.params(), r.l3rs(), r.stats(), r.finite(), epoch,
                    r.steps(), totalRounds, (System.nanoTime() - t0) / 1e9));
            return;
        }
        if (lstm != null) {
            WorkerResult r = worker.runLstm(theta, lstm, coordinator.updateRule(), batches, coordinator.roundSeed());
            finishLearnedRound(theta, () -> coordinator.finishLstmRound(net.params(), lstm, r.params(), r.lstm(), r.stats(), r.finite(), epoch,
                    r.steps(), totalRounds, (System.nanoTime() - t0) / 1e9));
            return;
        }
        WorkerResult r = worker.run(theta, state, coordinator.modulation(), batches, val, tFrac, coordinator.roundSeed(),
                val != null || fromTraining ? coordinator.trace() : null, coordinator.usesStatistics(), coordinator.usesStartGradient(),
                fromTraining);
        // the worker trained the driver's own network in place: give the coordinator θ_r, so that it
        // sees the applied step θ_end − θ_r (step trace, averaged-step measurement) as on Spark
        net.params().assign(theta);
        boolean applied = false;
        try {
            applied = coordinator.finishRound(net.params(), state, r.params(), r.state(), r.stats(), r.finite(), epoch,
                    r.steps(), totalRounds, (System.nanoTime() - t0) / 1e9);
        } finally {
            if (!applied) {
                net.params().assign(theta); // roll back, also when training stops with an exception
            }
        }
        listener.accept(coordinator.history().get(coordinator.history().size() - 1));
    }

    /**
     * The end of a round of L3RS or LSTM workers, which trained the driver's network in place: θ_r back into
     * it, then {@code finish} (the coordinator's), rolled back to θ_r unless it applies the round.
     */
    private void finishLearnedRound(INDArray theta, java.util.function.BooleanSupplier finish) {
        net.params().assign(theta);
        boolean applied = false;
        try {
            applied = finish.getAsBoolean();
        } finally {
            if (!applied) {
                net.params().assign(theta);
            }
        }
        listener.accept(coordinator.history().get(coordinator.history().size() - 1));
    }

    /** A round of MADA workers: the same structure with the MADA state and the hypergradient sum. */
    private void runMadaRound(List<DataSet> batches, int epoch, long totalRounds, long t0, INDArray theta) {
        WorkerResult r = worker.runMada(theta, mada, coordinator.updateRule(), batches, coordinator.roundSeed());
        net.params().assign(theta);
        boolean applied = false;
        try {
            applied = coordinator.finishMadaRound(net.params(), mada, r.params(), r.mada(), r.hypergradients(), r.stats(), r.finite(),
                    epoch, r.steps(), totalRounds, (System.nanoTime() - t0) / 1e9);
        } finally {
            if (!applied) {
                net.params().assign(theta);
            }
        }
        listener.accept(coordinator.history().get(coordinator.history().size() - 1));
    }
}
