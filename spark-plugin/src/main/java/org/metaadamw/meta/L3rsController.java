package org.metaadamw.meta;

import org.metaadamw.config.MetaAdamWConf;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.update.L3rsParams;
import org.metaadamw.update.Modulation;
import org.metaadamw.update.UpdateRule;

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
public final class L3rsController extends FixedRuleController {
    private static final long serialVersionUID = 1L;
    private final MetaAdamWConfig cfg;
    private final L3rsParams params;

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
        super(UpdateRule.l3rs(params), params.digest(), MetaAdamWConf.L3RS_PARAMS, "L3RS");
        this.cfg = cfg;
        this.params = params;
    }

    /** φ from a file of any Hadoop file system (a plain path is a local file). */
    static L3rsParams read(String path) {
        return read(MetaAdamWConf.L3RS_PARAMS, path, "l3rs", "L3RS", L3rsParams::fromJson);
    }

    @Override
    public String name() {
        return "l3rs";
    }

    /** φ (immutable). */
    public L3rsParams params() {
        return params;
    }

    /** Refuses a network whose groups φ was not trained for (count, and names when the file has them). */
    @Override
    public Modulation initial(ParamGroups g) {
        if (params.groups() != g.count() || (!params.groupNames().isEmpty() && !params.groupNames().equals(g.names()))) {
            throw new IllegalArgumentException(MetaAdamWConf.L3RS_PARAMS.key() + ": φ was meta-trained for " + params.groups()
                    + " parameter groups " + params.groupNames() + ", this network has " + g.count() + " " + g.names()
                    + " (same network and " + MetaAdamWConf.GROUPING.key() + " as in meta-training)");
        }
        return super.initial(g);
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
