package org.metaadamw.meta;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.metaadamw.config.MetaAdamWConf;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.stats.RoundSummary;
import org.metaadamw.update.L3rsParams;
import org.metaadamw.update.Modulation;
import org.metaadamw.update.UpdateRule;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code l3rs}: the workers run L3RS ({@link org.metaadamw.update.L3rs}; docs/l3rs.md) with a fixed,
 * meta-trained φ read from {@code spark.metaadamw.l3rs.params} (a JSON file written by
 * {@link L3rsParams#toJson}, on any Hadoop file system) when the controller is made. The driver step
 * does nothing: the multipliers stay neutral, no validation pass and no statistics pass is asked
 * for. Its checkpointed state is φ's digest, so a run is not resumed with another φ.
 *
 * <p>Driver-side, one thread; serializable.
 */
public final class L3rsController implements ModulationController {
    private static final long serialVersionUID = 1L;
    private final MetaAdamWConfig cfg;
    private final L3rsParams params;
    private final UpdateRule rule;
    private int groups;

    /**
     * Reads φ from {@code cfg}'s {@code l3rs.params}.
     *
     * @throws IllegalArgumentException naming the key and the file when it is unset, unreadable or not an L3RS parameter file
     */
    public L3rsController(MetaAdamWConfig cfg) {
        this(cfg, read(cfg.l3rsParams()));
    }

    /** With φ given directly ({@code l3rs.params} is not read). */
    public L3rsController(MetaAdamWConfig cfg, L3rsParams params) {
        this.cfg = cfg;
        this.params = params;
        this.rule = UpdateRule.l3rs(params);
    }

    /** φ from a file of any Hadoop file system (a plain path is a local file). */
    static L3rsParams read(String path) {
        String key = MetaAdamWConf.L3RS_PARAMS.key();
        if (path.isEmpty()) {
            throw new IllegalArgumentException(key + " must name the meta-trained L3RS parameter file (JSON, from "
                    + "L3rsMetaTrainer: result.params().toJson()) when " + MetaAdamWConf.CONTROLLER.key() + " = l3rs");
        }
        String text;
        try {
            Path p = new Path(path);
            try (FSDataInputStream in = p.getFileSystem(new Configuration()).open(p)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " = " + path + ": cannot read the file: " + e.getMessage(), e);
        }
        try {
            return L3rsParams.fromJson(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " = " + path + ": not a usable L3RS parameter file: " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return "l3rs";
    }

    /** φ (immutable). */
    public L3rsParams params() {
        return params;
    }

    @Override
    public UpdateRule updateRule() {
        return rule;
    }

    /** Refuses a network whose groups φ was not trained for (count, and names when the file has them). */
    @Override
    public Modulation initial(ParamGroups g) {
        if (params.groups() != g.count() || (!params.groupNames().isEmpty() && !params.groupNames().equals(g.names()))) {
            throw new IllegalArgumentException(MetaAdamWConf.L3RS_PARAMS.key() + ": φ was meta-trained for " + params.groups()
                    + " parameter groups " + params.groupNames() + ", this network has " + g.count() + " " + g.names()
                    + " (same network and " + MetaAdamWConf.GROUPING.key() + " as in meta-training)");
        }
        this.groups = g.count();
        return Modulation.neutral(groups);
    }

    @Override
    public boolean usesStatistics() {
        return false;
    }

    @Override
    public boolean usesStartGradient() {
        return false;
    }

    @Override
    public Modulation next(RoundSummary summary, long round, long totalRounds) {
        return Modulation.neutral(groups);
    }

    @Override
    public Modulation rolledBack(long round) {
        return Modulation.neutral(groups);
    }

    /** {"params": SHA-256 of φ}. */
    @Override
    public String saveState(long round) {
        return "{\"params\":\"" + params.digest() + "\"}";
    }

    @Override
    public void restoreState(String state) {
        String want = saveState(0);
        if (!want.equals(state)) {
            throw new IllegalArgumentException("the checkpoint was written with another L3RS φ (" + state + "; " + MetaAdamWConf.L3RS_PARAMS.key()
                    + " now gives " + want + ")");
        }
    }

    @Override
    public Map<String, Double> metrics() {
        return Map.of("l3rs.parameters", (double) params.size());
    }

    @Override
    public ModulationController copy() {
        return new L3rsController(cfg, params);
    }
}
