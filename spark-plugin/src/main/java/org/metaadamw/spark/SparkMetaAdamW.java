package org.metaadamw.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.api.Model;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.meta.Controllers;
import org.metaadamw.meta.ModulationController;
import org.metaadamw.train.NetModel;
import org.metaadamw.train.RoundCoordinator;
import org.metaadamw.train.RoundRecord;
import org.metaadamw.update.AdamWState;
import org.metaadamw.update.L3rsState;
import org.metaadamw.update.LstmState;
import org.metaadamw.update.MadaState;
import org.metaadamw.update.Modulation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.util.List;
import java.util.function.Consumer;

/**
 * Data-parallel MetaAdamW training of a DL4J {@code MultiLayerNetwork} or {@code ComputationGraph}
 * on Spark (algorithm.md section 5). Each round: one broadcast of θ_r, the Adam state and the
 * modulation; every partition runs K local AdamW steps and computes its per-group statistics; one
 * tree aggregation returns the summed parameters, Adam state and statistics; the driver averages,
 * runs the controller's meta-step and broadcasts the next modulation. Round broadcasts are
 * destroyed once the round is aggregated.
 *
 * <p><b>Switching from DL4J:</b> replace
 * {@code new SparkDl4jMultiLayer(sc, net, trainingMaster).fit(rdd)} (or {@code SparkComputationGraph})
 * by {@code new SparkMetaAdamW(sc, net, config).fit(rdd)}; the RDD is the same {@code JavaRDD<DataSet>}
 * of minibatches. We chose a small API of our own over a DL4J {@code TrainingMaster} because the
 * round needs a driver step between aggregation and the next broadcast that the TrainingMaster
 * contract has no place for, and DL4J's Spark module is frozen at 1.0.0-M2.
 *
 * <p>Determinism: partition p receives the p-th contiguous block of the RDD's elements (in RDD
 * order) and round r uses each partition's minibatches [rK, (r+1)K). Results depend on the data,
 * the seeds and {@code spark.metaadamw.numWorkers}, not on cores or executors; with one worker the
 * parameters equal those of {@link org.metaadamw.train.LocalMetaAdamWTrainer}.
 *
 * <p>Driver-side object; not thread-safe. The network passed in is updated in place.
 */
public final class SparkMetaAdamW implements org.metaadamw.train.MetaAdamWTrainer<JavaRDD<DataSet>> {
    private static final Logger LOG = LoggerFactory.getLogger(SparkMetaAdamW.class);

    private final JavaSparkContext sc;
    private final Model network;
    private final MetaAdamWConfig cfg;
    private final NetModel net;
    private final ParamGroups groups;
    private final RoundCoordinator coordinator;
    private final AdamWState state;
    /** The MADA state when the controller's workers run MADA ({@link RoundCoordinator#updateRule()}), else null. */
    private final MadaState mada;
    /** The L3RS state when the controller's workers run L3RS, else null. */
    private final L3rsState l3rs;
    /** The LSTM state when the controller's workers run the coordinatewise LSTM, else null. */
    private final LstmState lstm;
    private final int workers;
    private long validationCursor;
    private final org.metaadamw.train.TrainerCheckpoints checkpoints;
    private final DriverMetrics metrics;
    private Consumer<RoundRecord> listener = r -> { };
    private long lastStatisticsBytes;
    private RoundTiming lastTiming;
    // the block partitioning of the last input RDDs, reused when fit is called again with the same RDDs
    // (the DL4J idiom of one fit call per epoch); measured ≈ 0.4 s per call for 188 minibatches in local[2]
    /** The inputs of the last fit and their cached layouts (reused while the same RDDs come back). */
    private JavaRDD<DataSet> lastTrainInput, lastValInput;
    private ChunkedData trainData, valData;
    private int lastHoldout;

    /**
     * @param cfg explicit settings; every key it does not set comes from the SparkContext's
     *            {@code spark.metaadamw.*} configuration, then from the defaults (explicit &gt; {@code --conf} &gt; default)
     */
    public SparkMetaAdamW(JavaSparkContext sc, Model network, MetaAdamWConfig cfg) {
        this(sc, network, resolve(sc, cfg), null);
    }

    /**
     * Trains with {@code controller} (which must have been made from {@code cfg}), or with the one
     * {@code cfg} names when it is null; {@code cfg} is used as given.
     */
    public SparkMetaAdamW(JavaSparkContext sc, Model network, MetaAdamWConfig cfg, ModulationController controller) {
        this.sc = sc;
        this.network = network;
        this.cfg = cfg;
        if (controller == null) {
            controller = Controllers.create(cfg);
        }
        this.net = new NetModel(network);
        this.groups = ParamGroups.of(network, org.metaadamw.grouping.GroupingStrategy.of(cfg));
        this.coordinator = new RoundCoordinator(cfg, groups, controller);
        this.state = AdamWState.zeros(net.params());
        this.mada = coordinator.updateRule().isMada() ? MadaState.zeros(net.params()) : null;
        this.l3rs = coordinator.updateRule().isL3rs() ? L3rsState.zeros(net.params()) : null;
        this.lstm = coordinator.updateRule().isLstm() ? LstmState.zeros(net.params(), coordinator.updateRule().lstm().hidden()) : null;
        this.workers = cfg.numWorkers() > 0 ? cfg.numWorkers() : sc.defaultParallelism();
        this.checkpoints = new org.metaadamw.train.TrainerCheckpoints(cfg, sc::hadoopConfiguration);
        this.metrics = new DriverMetrics();
        MetaAdamWDriverPlugin.report(sc.sc(), metrics);
        metrics.start(groups, controller.name(), net.params().length() * net.params().dataType().width());
        LOG.info("MetaAdamW on Spark ({}, {} workers, K={}), {} parameters\n{}", controller.name(), workers,
                cfg.averagingFrequency(), groups.numParams(), groups.describe());
    }

    /**
     * Refuses, before any work, a round whose results cannot reach the driver: every round's tree
     * aggregation delivers a few partial sums of θ, m and v (three parameter vectors each) to the
     * driver, and Spark aborts a job whose results exceed {@code spark.driver.maxResultSize} (1g by
     * default: about 55 M float parameters with one result, fewer with several).
     */
    private void checkResultSize() {
        long limit = sc.getConf().getSizeAsBytes("spark.driver.maxResultSize", "1g");
        // θ and the optimizer state: m, v (AdamW), m, v, n, v̄, g_(t−1), ℓ (MADA), m, v, b (L3RS), 4H per parameter (LSTM)
        int vectors = mada != null ? 7 : l3rs != null ? 4 : lstm != null ? 1 + lstm.width() : 3;
        long one = vectors * net.params().length() * net.params().dataType().width();
        long results = driverResults(workers), need = results * one;
        if (limit > 0 && need > limit) {
            throw new IllegalStateException(String.format(java.util.Locale.ROOT,
                    "each round sends %d result(s) of %.0f MB (θ and the optimizer state of %d parameters) to the driver: %.0f MB, more than "
                            + "spark.driver.maxResultSize=%s; set spark.driver.maxResultSize to at least %dm (or 0 for no limit), "
                            + "and give the driver the memory for it", results, one / 1e6, net.params().length(), need / 1e6,
                    sc.getConf().get("spark.driver.maxResultSize", "1g"), (need >> 20) + 1));
        }
    }

    /** Up to this many workers, the driver sums their results itself; beyond, groups of about √W are summed on executors first. */
    static final int DIRECT_RESULTS = 8;

    /** How many results {@link #aggregate} hands to the driver for {@code workers} partitions. */
    static long driverResults(int workers) {
        return workers <= DIRECT_RESULTS ? workers : ceilDiv(workers, groupSize(workers));
    }

    private static int groupSize(int workers) {
        return (int) Math.ceil(Math.sqrt(workers));
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * The sum of the workers' results in partition order, whatever order the tasks finish in:
     * floating-point addition is not associative, and a sum in arrival order (Spark's fold and
     * treeAggregate) would make runs with three or more workers differ in their last bits. Up to
     * {@link #DIRECT_RESULTS} workers the driver collects the results (in partition order) and sums
     * them; beyond, each group of about √W consecutive partitions is summed in order on an executor
     * and the driver sums the group sums in order.
     */
    static PartitionResult aggregate(JavaRDD<PartitionResult> results, int workers) {
        PartitionResult total = PartitionResult.EMPTY;
        if (workers <= DIRECT_RESULTS) {
            for (PartitionResult r : results.collect()) {
                total = total.merge(r);
            }
            return total;
        }
        int size = groupSize(workers), groups = ceilDiv(workers, size);
        List<Tuple2<Integer, PartitionResult>> sums = results
                .mapPartitionsWithIndex((p, it) -> {
                    List<Tuple2<Integer, Tuple2<Integer, PartitionResult>>> out = new java.util.ArrayList<>();
                    it.forEachRemaining(r -> out.add(new Tuple2<>(p / size, new Tuple2<>(p, r))));
                    return out.iterator();
                }, true)
                .mapToPair(t -> t)
                .groupByKey(groups)
                .mapValues(members -> {
                    List<Tuple2<Integer, PartitionResult>> l = new java.util.ArrayList<>();
                    members.forEach(l::add);
                    l.sort(java.util.Comparator.comparingInt(Tuple2::_1));
                    PartitionResult s = PartitionResult.EMPTY;
                    for (Tuple2<Integer, PartitionResult> m : l) {
                        s = s.merge(m._2());
                    }
                    return s;
                })
                .collect();
        List<Tuple2<Integer, PartitionResult>> ordered = new java.util.ArrayList<>(sums);
        ordered.sort(java.util.Comparator.comparingInt(Tuple2::_1));
        for (Tuple2<Integer, PartitionResult> s : ordered) {
            total = total.merge(s._2());
        }
        return total;
    }

    /** {@code cfg} on top of the SparkContext's {@code spark.metaadamw.*} settings. */
    public static MetaAdamWConfig resolve(JavaSparkContext sc, MetaAdamWConfig cfg) {
        java.util.Map<String, String> conf = new java.util.LinkedHashMap<>();
        for (Tuple2<String, String> kv : sc.getConf().getAll()) {
            conf.put(kv._1(), kv._2());   // other keys are ignored, a misspelt spark.metaadamw. prefix is refused
        }
        return cfg.withDefaultsFrom(conf);
    }

    /** Called on the driver after every round. */
    @Override
    public SparkMetaAdamW onRound(Consumer<RoundRecord> listener) {
        this.listener = listener;
        return this;
    }

    /** One epoch over {@code train}, holding out validation minibatches from each partition. */
    public Model fit(JavaRDD<DataSet> train) {
        return fit(train, null, 1);
    }

    /**
     * Trains for {@code epochs} passes.
     *
     * @param train      minibatches
     * @param validation validation minibatches (co-partitioned with the training data), or null to
     *                   hold out 1 in {@code spark.metaadamw.validationHoldout} minibatches of each partition
     * @return the trained network (the instance given to the constructor)
     *
     * <p>The data is partitioned and cached once; later calls with the same RDD objects (one call per
     * epoch, as with DL4J) reuse it. {@link #releaseData()} unpersists it.
     */
    @Override
    public Model fit(JavaRDD<DataSet> train, JavaRDD<DataSet> validation, int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1 (got " + epochs + ")");
        }
        checkResultSize();
        validation = readValidation(validation);
        int h = holdout(validation);
        prepare(train, validation, h);
        if (h > 0) {
            checkHoldout(trainData.blockSizes(), h);
        }
        long roundsPerEpoch = roundsPerEpoch(trainData);
        if (roundsPerEpoch == 0) {
            throw new IllegalArgumentException("the training RDD is empty");
        }
        Broadcast<JobSetup> setup = sc.broadcast(JobSetup.of(network, cfg, validation != null, h, trainData,
                valData));
        try {
            long totalRounds = epochs * roundsPerEpoch;
            // a resumed run continues the fit call it was checkpointed in; otherwise this call starts now
            for (long i = coordinator.beginFit(totalRounds); i < totalRounds; i++) {
                int epoch = (int) (i / roundsPerEpoch), r = (int) (i % roundsPerEpoch);
                runRound(setup, epoch, r, totalRounds);
                if (checkpoints.enabled() && r == roundsPerEpoch - 1 || checkpoints.intervalDue(coordinator.round())) {
                    checkpoint();
                }
            }
        } finally {
            setup.destroy();
        }
        coordinator.requireProgress();
        return network;
    }

    /**
     * How many rounds one epoch of {@code train} takes with this trainer (its workers, averaging
     * frequency and, without validation data, the held-out minibatches): what {@link #fit} runs per
     * epoch, for choosing {@code checkpoint.interval} or {@code meta.interval}, or for finding the epoch
     * a resumed run stands in ({@code history().size() / roundsPerEpoch}). Partitions and caches the data
     * as {@link #fit} does, which then reuses it.
     *
     * @param validation as for {@link #fit}: the validation minibatches, or null
     */
    public long roundsPerEpoch(JavaRDD<DataSet> train, JavaRDD<DataSet> validation) {
        validation = readValidation(validation);
        prepare(train, validation, holdout(validation));
        return roundsPerEpoch(trainData);
    }

    /**
     * Lays out and caches the inputs ({@link ChunkedData}) unless they are those of the previous
     * call: the training minibatches (without the held-out ones when {@code h > 0}), and the
     * validation minibatches (the given ones, or the held-out ones).
     */
    private void prepare(JavaRDD<DataSet> train, JavaRDD<DataSet> validation, int h) {
        if (trainData != null && train == lastTrainInput && validation == lastValInput && h == lastHoldout) {
            return;   // the same inputs as the previous call: their layouts are cached
        }
        releaseLayouts();
        int K = cfg.averagingFrequency();
        if (validation == null && h > 0) {
            ChunkedData[] parts = ChunkedData.split(train, workers, h, K, storage(), orderSeed());   // one shuffle for both
            trainData = parts[0];
            valData = parts[1];
        } else {
            trainData = ChunkedData.of(train, workers, K, storage(), orderSeed());
            valData = validation == null ? null : ChunkedData.of(validation, workers, 1, storage());
        }
        lastTrainInput = train;
        lastValInput = validation;
        lastHoldout = h;
    }

    /** The seed of the training minibatches' order ({@code spark.metaadamw.shuffle}), or null for input order. */
    private Long orderSeed() {
        return cfg.shuffle() ? cfg.seed() : null;
    }

    private void releaseLayouts() {
        release(trainData);
        release(valData);
        trainData = valData = null;
    }

    /** Whether the log already said that the validation RDD is not read (said once per trainer). */
    private boolean toldValidationUnread;

    /** {@code validation}, or null when the controller makes no validation passes (it is then neither cached nor read). */
    private JavaRDD<DataSet> readValidation(JavaRDD<DataSet> validation) {
        if (validation != null && !coordinator.controller().usesValidation()) {
            if (!toldValidationUnread) {
                toldValidationUnread = true;
                LOG.info("controller {} makes no validation passes{}: the validation RDD is not read", coordinator.controller().name(),
                        cfg.trainingSignals() ? " (" + org.metaadamw.config.MetaAdamWConf.META_SIGNAL.key() + "=training)" : "");
            }
            return null;
        }
        return validation;
    }

    /** 1 in how many minibatches of a partition is held out for validation (0: none). */
    private int holdout(JavaRDD<DataSet> validation) {
        return validation == null && coordinator.controller().usesValidation() ? cfg.validationHoldout() : 0;
    }

    /** Rounds of the worker with the most training minibatches: their count over the averaging frequency, rounded up. */
    private long roundsPerEpoch(ChunkedData data) {
        int K = cfg.averagingFrequency();
        long rounds = 0;
        for (long n : data.counts()) {
            rounds = Math.max(rounds, (n + K - 1) / K);
        }
        return rounds;
    }

    /** Writes a checkpoint of the current state to {@code spark.metaadamw.checkpoint.dir}. */
    public void checkpoint() {
        checkpoints.write(network, state, mada, l3rs, lstm, coordinator, validationCursor, groups.names(),
                java.util.Map.of("spark", sc.version(), "trainer", "spark"));
    }

    /**
     * Continues from the newest checkpoint in {@code spark.metaadamw.checkpoint.dir}: parameters, Adam
     * state, the controller's state, the round and the data cursors. The next {@link #fit} call runs
     * what was left of the fit call that was checkpointed (call it with the same data and epochs).
     * Call before the first fit, on a trainer built like the one that wrote the checkpoint.
     *
     * @return false when the directory holds no checkpoint (training starts from the beginning)
     * @throws java.io.UncheckedIOException naming the file and the reason when a checkpoint is unusable
     */
    public boolean resume() {
        var c = checkpoints.restore(network, net.params(), state, mada, l3rs, lstm, coordinator, groups.names());
        if (c == null) {
            return false;
        }
        validationCursor = c.validationCursor();
        return true;
    }

    /** A partition with fewer than h minibatches holds none out: say so, and refuse a run with no validation at all. */
    private void checkHoldout(long[] sizes, int h) {
        int none = 0;
        for (long n : sizes) {
            none += n < h ? 1 : 0;
        }
        String fix = "lower " + org.metaadamw.config.MetaAdamWConf.VALIDATION_HOLDOUT.key() + " (now " + h
                + "), use smaller minibatches or fewer workers, or pass validation data";
        if (none == sizes.length) {
            throw new IllegalArgumentException("no partition holds out a validation minibatch (each has fewer than " + h
                    + " minibatches: " + java.util.Arrays.toString(sizes) + "), so the " + coordinator.controller().name()
                    + " controller would get no signal and train as plain AdamW; " + fix);
        }
        if (none > 0) {
            LOG.warn("{} of {} partitions have fewer than {} minibatches and hold out no validation minibatch; the meta-signals come from the others ({})",
                    none, sizes.length, h, fix);
        }
    }

    /** Unpersists the cached block partitioning of the training and validation data. */
    public void releaseData() {
        releaseLayouts();
        lastTrainInput = lastValInput = null;
    }

    private static void release(ChunkedData data) {
        if (data != null) {
            data.release();
        }
    }

    /**
     * Where a round's time went, measured on the driver, in seconds.
     *
     * @param broadcastSeconds creating the round's broadcast: serializing θ, m and v (and the modulation)
     * @param jobSeconds       the Spark job: the tasks (fetching the broadcast, the K local steps, the
     *                         statistics) and the tree aggregation of their results
     * @param driverSeconds    the driver step after the job: averaging, the NaN/Inf check, the
     *                         controller (MetaAdamW's meta-step), history and metrics
     */
    public record RoundTiming(double broadcastSeconds, double jobSeconds, double driverSeconds) {
    }

    /** The timing of the last round run, or null before the first. */
    public RoundTiming lastRoundTiming() {
        return lastTiming;
    }

    private void runRound(Broadcast<JobSetup> setup, int epoch, int roundInEpoch, long totalRounds) {
        long t0 = System.nanoTime();
        // meta.signal=training: a meta round without validation passes, its signals from the local steps
        boolean validate = coordinator.validationRound(), fromTraining = coordinator.trainingSignalRound();
        double tFrac = Math.min(1.0, (double) coordinator.round() / Math.max(1, totalRounds));
        // θ, m and v go into the broadcast as they are, not copied: nothing writes them until the round's
        // aggregate is in and the broadcast destroyed, and workers only read them (local mode hands the
        // executors these very objects)
        Broadcast<RoundBroadcast> rb = sc.broadcast(mada != null
                ? RoundBroadcast.mada(net.params(), mada, coordinator.updateRule(), coordinator.modulation(), coordinator.round(), roundInEpoch,
                        tFrac, coordinator.roundSeed())
                : l3rs != null ? RoundBroadcast.l3rs(net.params(), l3rs, coordinator.updateRule(), coordinator.modulation(), coordinator.round(),
                        roundInEpoch, tFrac, coordinator.roundSeed())
                : lstm != null ? RoundBroadcast.lstm(net.params(), lstm, coordinator.updateRule(), coordinator.modulation(), coordinator.round(),
                        roundInEpoch, tFrac, coordinator.roundSeed())
                : new RoundBroadcast(net.params(), state.m(), state.v(),
                state.step(), coordinator.modulation(), coordinator.round(), roundInEpoch,
                validate ? validationCursor : -1, tFrac, coordinator.roundSeed(), validate || fromTraining ? coordinator.trace() : null,
                coordinator.usesStatistics(), coordinator.usesStartGradient(), fromTraining));
        long t1 = System.nanoTime();
        PartitionResult total;
        try {
            PartitionTrainer trainer = new PartitionTrainer(setup, rb);
            // each worker's tasks read one chunk of its training data, and one of its validation data if validating
            int[] trainChunk = new int[workers];
            java.util.Arrays.fill(trainChunk, trainData.chunkOf((long) roundInEpoch * cfg.averagingFrequency()));
            JavaRDD<DataSet> parted = trainData.select(trainChunk);
            JavaRDD<PartitionResult> results;
            if (validate && valData != null) {
                long[] held = valData.counts();
                int[] valChunk = new int[workers];
                for (int w = 0; w < workers; w++) {
                    valChunk[w] = held[w] == 0 ? 0 : valData.chunkOf(validationCursor % held[w]);
                }
                results = parted.zipPartitions(valData.select(valChunk),
                        (a, b) -> trainer.train(org.apache.spark.TaskContext.getPartitionId(), a, b));
            } else {
                results = parted.mapPartitionsWithIndex((p, it) -> trainer.train(p, it, null), true);
            }
            total = aggregate(results, workers);
        } finally {
            rb.destroy();
        }
        long t2 = System.nanoTime();
        if (validate) {
            validationCursor++;
        }
        if (total.workers() == 0) {
            return;
        }
        double inv = 1.0 / total.workers();
        if (mada != null) {
            coordinator.finishMadaRound(net.params(), mada, total.params().muli(inv), total.mada().times(inv), total.hypergradients(),
                    total.stats(), total.finite(), epoch, total.steps(), totalRounds, (System.nanoTime() - t0) / 1e9);
        } else if (l3rs != null) {
            L3rsState avg = new L3rsState(total.m().muli(inv), total.v().muli(inv), total.momentum().muli(inv), total.step());
            coordinator.finishL3rsRound(net.params(), l3rs, total.params().muli(inv), avg, total.stats(), total.finite(), epoch, total.steps(),
                    totalRounds, (System.nanoTime() - t0) / 1e9);
        } else if (lstm != null) {
            LstmState avg = new LstmState(total.m().muli(inv), lstm.width(), total.step());
            coordinator.finishLstmRound(net.params(), lstm, total.params().muli(inv), avg, total.stats(), total.finite(), epoch, total.steps(),
                    totalRounds, (System.nanoTime() - t0) / 1e9);
        } else {
            AdamWState avgState = new AdamWState(total.m().muli(inv), total.v().muli(inv), total.step());
            coordinator.finishRound(net.params(), state, total.params().muli(inv), avgState, total.stats(), total.finite(),
                    epoch, total.steps(), totalRounds, (System.nanoTime() - t0) / 1e9);
        }
        lastStatisticsBytes = total.statisticsBytes();
        RoundRecord rec = coordinator.history().get(coordinator.history().size() - 1);
        metrics.update(rec, coordinator.modulation(), lastStatisticsBytes, total.workers());
        lastTiming = new RoundTiming((t1 - t0) / 1e9, (t2 - t1) / 1e9, (System.nanoTime() - t2) / 1e9);
        listener.accept(rec);
    }

    private StorageLevel storage() {
        return StorageLevel.fromString(cfg.storageLevel());
    }

    @Override
    public Model network() {
        return network;
    }

    @Override
    public ParamGroups groups() {
        return groups;
    }

    @Override
    public Modulation modulation() {
        return coordinator.modulation();
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

    /** A copy of the AdamW state; when the workers run MADA or L3RS, their Adam moments m, v and their step count. */
    @Override
    public AdamWState adamState() {
        return mada != null ? new AdamWState(mada.m(), mada.v(), mada.step())
                : l3rs != null ? new AdamWState(l3rs.m(), l3rs.v(), l3rs.step()) : state.copy();
    }

    @Override
    public List<RoundRecord> history() {
        return coordinator.history();
    }

    /** A copy of the LSTM state when the workers run the coordinatewise LSTM, else null. */
    public LstmState lstmState() {
        return lstm == null ? null : lstm.copy();
    }

    public int workers() {
        return workers;
    }

    /** Bytes of statistics the last round's aggregation carried (all workers together). */
    public long lastStatisticsBytes() {
        return lastStatisticsBytes;
    }

    /**
     * This trainer's latest round figures (read-only; the same object the driver plugin's gauges read
     * while this is the last trainer started on its SparkContext).
     */
    public DriverMetrics metrics() {
        return metrics;
    }
}
