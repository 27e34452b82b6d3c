package org.metaadamw.train;

import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.api.Model;
import org.metaadamw.config.MetaAdamWConf;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.update.AdamWState;
import org.metaadamw.update.L3rsState;
import org.metaadamw.update.LstmState;
import org.metaadamw.update.MadaState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What both trainers do to write and restore a checkpoint ({@code spark.metaadamw.checkpoint.*}),
 * around {@link CheckpointStore}. Driver-side; not thread-safe.
 */
public final class TrainerCheckpoints {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerCheckpoints.class);
    private final MetaAdamWConfig cfg;
    private final java.util.function.Supplier<Configuration> hadoop;

    /**
     * @param hadoop the Hadoop configuration of the file system (the SparkContext's, or a default one),
     *               asked for only when a checkpoint is written or read
     */
    public TrainerCheckpoints(MetaAdamWConfig cfg, java.util.function.Supplier<Configuration> hadoop) {
        this.cfg = cfg;
        this.hadoop = hadoop;
    }

    /** Whether {@code spark.metaadamw.checkpoint.dir} is set. */
    public boolean enabled() {
        return !cfg.checkpointDir().isEmpty();
    }

    /** Whether {@code checkpoint.interval} asks for a checkpoint now that {@code round} rounds are done. */
    public boolean intervalDue(long round) {
        int every = cfg.checkpointInterval();
        return enabled() && every > 0 && round % every == 0;
    }

    private CheckpointStore store() {
        if (!enabled()) {
            throw new IllegalStateException(MetaAdamWConf.CHECKPOINT_DIR.key() + " is not set");
        }
        try {
            return new CheckpointStore(cfg.checkpointDir(), hadoop.get(), cfg.checkpointKeep());
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint directory " + cfg.checkpointDir() + ": " + e.getMessage(), e);
        }
    }

    /** Writes a checkpoint; {@code provenance} adds to the resolved configuration and the versions. */
    public void write(Model network, AdamWState adam, RoundCoordinator coordinator, long validationCursor,
                      List<String> groupNames, Map<String, String> provenance) {
        write(network, adam, null, coordinator, validationCursor, groupNames, provenance);
    }

    /**
     * Writes a checkpoint of a run whose workers run AdamW ({@code mada} null) or MADA ({@code mada} the
     * driver's MADA state; {@code adam} is then not read).
     */
    public void write(Model network, AdamWState adam, MadaState mada, RoundCoordinator coordinator, long validationCursor,
                      List<String> groupNames, Map<String, String> provenance) {
        write(network, adam, mada, null, coordinator, validationCursor, groupNames, provenance);
    }

    /**
     * Writes a checkpoint of a run whose workers run AdamW ({@code mada} and {@code l3rs} null), MADA ({@code mada}
     * the driver's MADA state) or L3RS ({@code l3rs} the driver's L3RS state); {@code adam} is read for AdamW only.
     */
    public void write(Model network, AdamWState adam, MadaState mada, L3rsState l3rs, RoundCoordinator coordinator,
                      long validationCursor, List<String> groupNames, Map<String, String> provenance) {
        write(network, adam, mada, l3rs, null, coordinator, validationCursor, groupNames, provenance);
    }

    /** As the other {@code write}, with the LSTM state when the workers run the coordinatewise LSTM ({@code lstm} non-null). */
    public void write(Model network, AdamWState adam, MadaState mada, L3rsState l3rs, LstmState lstm, RoundCoordinator coordinator,
                      long validationCursor, List<String> groupNames, Map<String, String> provenance) {
        Map<String, String> p = new TreeMap<>(cfg.toStringMap());
        p.put("library", String.valueOf(TrainerCheckpoints.class.getPackage().getImplementationVersion()));
        p.put("dl4j", String.valueOf(Model.class.getPackage().getImplementationVersion()));
        p.put("controller", coordinator.controller().name());
        p.putAll(provenance);
        try {
            var content = mada != null
                    ? CheckpointStore.Content.mada(network, mada, coordinator.snapshot(), validationCursor, groupNames, p)
                    : l3rs != null ? CheckpointStore.Content.l3rs(network, l3rs, coordinator.snapshot(), validationCursor, groupNames, p)
                    : lstm != null ? CheckpointStore.Content.lstm(network, lstm, coordinator.snapshot(), validationCursor, groupNames, p)
                    : new CheckpointStore.Content(network, adam, coordinator.snapshot(), validationCursor, groupNames, p);
            var path = store().write(content);
            LOG.info("checkpoint of round {} written to {}", coordinator.round(), path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a checkpoint to " + cfg.checkpointDir() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Restores the newest checkpoint into the parameters, the Adam state and the coordinator.
     *
     * @param params the trainer's live parameter vector
     * @return the checkpoint read, or null when there is none (nothing changed)
     */
    public CheckpointStore.Loaded restore(Model network, org.nd4j.linalg.api.ndarray.INDArray params, AdamWState adam,
                                          RoundCoordinator coordinator, List<String> groupNames) {
        return restore(network, params, adam, null, coordinator, groupNames);
    }

    /**
     * Restores the newest checkpoint into the parameters, the optimizer state and the coordinator: the Adam
     * state when {@code mada} is null, else the MADA state (the checkpoint must then hold one, and not otherwise).
     *
     * @param params the trainer's live parameter vector
     * @return the checkpoint read, or null when there is none (nothing changed)
     */
    public CheckpointStore.Loaded restore(Model network, org.nd4j.linalg.api.ndarray.INDArray params, AdamWState adam, MadaState mada,
                                          RoundCoordinator coordinator, List<String> groupNames) {
        return restore(network, params, adam, mada, null, coordinator, groupNames);
    }

    /**
     * As {@link #restore(Model, org.nd4j.linalg.api.ndarray.INDArray, AdamWState, MadaState, RoundCoordinator, List)}, with the
     * L3RS state when the workers run L3RS ({@code l3rs} non-null: the checkpoint must then hold one, and not otherwise).
     */
    public CheckpointStore.Loaded restore(Model network, org.nd4j.linalg.api.ndarray.INDArray params, AdamWState adam, MadaState mada,
                                          L3rsState l3rs, RoundCoordinator coordinator, List<String> groupNames) {
        return restore(network, params, adam, mada, l3rs, null, coordinator, groupNames);
    }

    /** As the other {@code restore}, with the LSTM state when the workers run the coordinatewise LSTM ({@code lstm} non-null). */
    public CheckpointStore.Loaded restore(Model network, org.nd4j.linalg.api.ndarray.INDArray params, AdamWState adam, MadaState mada,
                                          L3rsState l3rs, LstmState lstm, RoundCoordinator coordinator, List<String> groupNames) {
        if (coordinator.round() != 0) {
            throw new IllegalStateException("resume() must be called before the first round (this trainer is at round "
                    + coordinator.round() + ")");
        }
        CheckpointStore.Loaded c;
        try {
            c = store().readLatest(network, groupNames);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resume: " + e.getMessage(), e);
        }
        if (c == null) {
            LOG.info("no checkpoint in {}: training starts from round 0", cfg.checkpointDir());
            return null;
        }
        String saved = c.mada() != null ? "MADA" : c.l3rs() != null ? "L3RS" : c.lstm() != null ? "LSTM" : "AdamW";
        String mine = mada != null ? "MADA" : l3rs != null ? "L3RS" : lstm != null ? "LSTM" : "AdamW";
        if (!saved.equals(mine)) {
            throw new UncheckedIOException(new IOException(c.path() + ": a checkpoint of workers running "
                    + saved + ", this trainer's controller " + coordinator.controller().name() + " runs "
                    + mine + " (another " + MetaAdamWConf.CONTROLLER.key() + ")"));
        }
        params.assign(c.params());
        if (mada != null) {
            mada.assign(c.mada());
        } else if (l3rs != null) {
            l3rs.assign(c.l3rs());
        } else if (lstm != null) {
            if (c.lstm().width() != lstm.width()) {
                throw new UncheckedIOException(new IOException(c.path() + ": an LSTM state of " + c.lstm().width() / 4
                        + " hidden units per layer, this trainer's φ has " + lstm.width() / 4));
            }
            lstm.assign(c.lstm());
        } else {
            adam.assign(c.adam());
        }
        coordinator.restore(c.coordinator());
        LOG.info("resumed from {} at round {}", c.path(), coordinator.round());
        return c;
    }
}
