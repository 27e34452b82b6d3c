package org.metaadamw.grouping;

import java.util.Locale;

/** How parameter tensors are mapped to groups (algorithm.md section 2). */
public enum GroupingStrategy {
    /** Key = (layer kind, depth third, is-bias); the paper's grouping and the default. */
    FINE,
    /** One group per layer and parameter kind (weights vs bias). */
    LAYER,
    /** Everything in one group: AdamW with a learned global scale. */
    SINGLE;

    /** The strategy the configuration's {@code grouping} names. */
    public static GroupingStrategy of(org.metaadamw.config.MetaAdamWConfig cfg) {
        return fromName(cfg.groupingName());
    }

    public static GroupingStrategy fromName(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("grouping must be one of fine, layer, single (got '" + name + "')");
        }
    }
}
