package org.metaadamw.meta;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * The metrics of {@link MetaAdamWController}: a fixed set of keys, global ones and per group the
 * multipliers and meta-gradient diagnostics, each present once it has been set. The values live in a
 * primitive array so that a meta-step records them without allocating (no key strings, no boxing);
 * {@link #toMap()} builds the map that callers see.
 *
 * <p>Mutable; driver-only, single-threaded.
 */
final class MetricTable implements Serializable {
    private static final long serialVersionUID = 1L;

    // global keys
    static final int SCALE = 0, META_STEPS = 1, NON_FINITE_GROUPS = 2, META_GRAD_SCALE = 3;
    /** {@code meta.<term>}, one per meta-loss term in {@link MetaObjective} order. */
    static final int META_TERM = 4;
    /** {@code huw.weight.<term>}, one per term. */
    static final int HUW_WEIGHT = META_TERM + MetaObjective.TERMS;
    /** {@code scaleStep}: the step size of ρ's cosine rule. */
    static final int SCALE_STEP = HUW_WEIGHT + MetaObjective.TERMS;
    private static final int GLOBALS = SCALE_STEP + 1;
    // per-group keys
    static final int ALPHA = 0, BETA = 1, META_GRAD_ALPHA = 2, META_GRAD_BETA = 3;
    /** {@code dAlpha.<term>.<g>}, one per term. */
    static final int D_ALPHA = 4;
    private static final int PER_GROUP = D_ALPHA + MetaObjective.TERMS;

    private final int groups;
    private final String[] keys;
    private final double[] values;
    private final boolean[] present;

    MetricTable(int groups) {
        this.groups = groups;
        String[] terms = MetaAdamWController.TERM_NAMES;
        keys = new String[GLOBALS + groups * PER_GROUP];
        keys[SCALE] = "scale";
        keys[META_STEPS] = "meta.steps";
        keys[NON_FINITE_GROUPS] = "nonFiniteGroups";
        keys[META_GRAD_SCALE] = "metaGrad.scale";
        keys[SCALE_STEP] = "scaleStep";
        for (int i = 0; i < MetaObjective.TERMS; i++) {
            keys[META_TERM + i] = "meta." + terms[i];
            keys[HUW_WEIGHT + i] = "huw.weight." + terms[i];
        }
        for (int g = 0; g < groups; g++) {
            int base = GLOBALS + g * PER_GROUP;
            keys[base + ALPHA] = "alpha." + g;
            keys[base + BETA] = "beta." + g;
            keys[base + META_GRAD_ALPHA] = "metaGrad.alpha." + g;
            keys[base + META_GRAD_BETA] = "metaGrad.beta." + g;
            for (int i = 0; i < MetaObjective.TERMS; i++) {
                keys[base + D_ALPHA + i] = "dAlpha." + terms[i] + "." + g;
            }
        }
        values = new double[keys.length];
        present = new boolean[keys.length];
    }

    int groups() {
        return groups;
    }

    /** Sets global metric {@code key} (one of the global constants). */
    void set(int key, double value) {
        values[key] = value;
        present[key] = true;
    }

    /** Sets per-group metric {@code key} (one of the per-group constants) of group {@code g}. */
    void set(int key, int g, double value) {
        set(GLOBALS + g * PER_GROUP + key, value);
    }

    /** The metrics set so far, as a new immutable map. */
    Map<String, Double> toMap() {
        Map<String, Double> m = new HashMap<>();
        for (int i = 0; i < keys.length; i++) {
            if (present[i]) {
                m.put(keys[i], values[i]);
            }
        }
        return Map.copyOf(m);
    }
}
