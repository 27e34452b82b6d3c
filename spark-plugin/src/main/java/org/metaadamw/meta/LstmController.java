package org.metaadamw.meta;

import org.metaadamw.config.MetaAdamWConf;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.update.LstmParams;
import org.metaadamw.update.UpdateRule;

import java.util.Map;

/**
 * {@code lstm}: the workers run the coordinatewise two-layer LSTM optimizer ({@link org.metaadamw.update.Lstm};
 * Andrychowicz et al. 2016; docs/lstm.md) with a fixed, meta-trained φ read from
 * {@code spark.metaadamw.lstm.params} (a JSON file written by {@link LstmParams#toJson}, on any Hadoop file
 * system) when the controller is made. The driver step does nothing: the multipliers stay neutral, no
 * validation pass and no statistics pass is asked for. Its checkpointed state is φ's digest, so a run is
 * not resumed with another φ. φ is shared by every coordinate, so any network can use it.
 *
 * <p>Driver-side, one thread; serializable.
 */
public final class LstmController extends FixedRuleController {
    private static final long serialVersionUID = 1L;
    private final LstmParams params;

    /**
     * Reads φ from {@code cfg}'s {@code lstm.params}.
     *
     * @throws IllegalArgumentException naming the key and the file when it is unset, unreadable or not an LSTM parameter file
     */
    public LstmController(MetaAdamWConfig cfg) {
        this(read(MetaAdamWConf.LSTM_PARAMS, cfg.lstmParams(), "lstm", "LSTM", LstmParams::fromJson));
    }

    /** With φ given directly ({@code lstm.params} is not read). */
    public LstmController(LstmParams params) {
        super(UpdateRule.lstm(params), params.digest(), MetaAdamWConf.LSTM_PARAMS, "LSTM");
        this.params = params;
    }

    @Override
    public String name() {
        return "lstm";
    }

    /** φ (immutable). */
    public LstmParams params() {
        return params;
    }

    @Override
    public Map<String, Double> metrics() {
        return Map.of("lstm.parameters", (double) params.size());
    }

    @Override
    public ModulationController copy() {
        return new LstmController(params);
    }
}
