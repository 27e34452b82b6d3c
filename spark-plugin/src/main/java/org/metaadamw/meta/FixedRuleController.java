package org.metaadamw.meta;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.metaadamw.config.ConfigEntry;
import org.metaadamw.config.MetaAdamWConf;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.stats.RoundSummary;
import org.metaadamw.update.Modulation;
import org.metaadamw.update.UpdateRule;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * What the controllers of a learned update rule with a fixed, meta-trained φ share ({@code l3rs},
 * {@code lstm}): the workers run the rule, the driver step does nothing (neutral multipliers, no
 * validation pass, no statistics pass), and the checkpointed state is φ's digest, so a run is not
 * resumed with another φ; φ is read from a parameter file on any Hadoop file system.
 *
 * <p>Driver-side, one thread; serializable.
 */
abstract class FixedRuleController implements ModulationController {
    private static final long serialVersionUID = 1L;
    private final UpdateRule rule;
    private final String digest;
    private final ConfigEntry<String> key;
    private final String what;
    private int groups;

    /**
     * @param digest φ's digest (the checkpointed state)
     * @param key    the configuration key φ's file comes from (named in errors)
     * @param what   the rule's display name ("L3RS", "LSTM")
     */
    FixedRuleController(UpdateRule rule, String digest, ConfigEntry<String> key, String what) {
        this.rule = rule;
        this.digest = digest;
        this.key = key;
        this.what = what;
    }

    /**
     * φ from the file at {@code path} (a plain path is a local file), parsed by {@code parse}.
     *
     * @throws IllegalArgumentException naming {@code key}, the path and the reason when it is empty, unreadable or unusable
     */
    static <P> P read(ConfigEntry<String> key, String path, String controller, String what, Function<String, P> parse) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException(key.key() + " must name the meta-trained " + what + " parameter file (JSON, from "
                    + "its meta-trainer: result.params().toJson()) when " + MetaAdamWConf.CONTROLLER.key() + " = " + controller);
        }
        String text;
        try {
            Path p = new Path(path);
            try (FSDataInputStream in = p.getFileSystem(new Configuration()).open(p)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(key.key() + " = " + path + ": cannot read the file: " + e.getMessage(), e);
        }
        try {
            return parse.apply(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key.key() + " = " + path + ": not a usable " + what + " parameter file: " + e.getMessage(), e);
        }
    }

    @Override
    public UpdateRule updateRule() {
        return rule;
    }

    @Override
    public Modulation initial(ParamGroups g) {
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
        return "{\"params\":\"" + digest + "\"}";
    }

    @Override
    public void restoreState(String state) {
        String want = saveState(0);
        if (!want.equals(state)) {
            throw new IllegalArgumentException("the checkpoint was written with another " + what + " φ (" + state + "; " + key.key()
                    + " now gives " + want + ")");
        }
    }
}
