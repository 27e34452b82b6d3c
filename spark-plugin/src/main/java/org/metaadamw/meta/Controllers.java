package org.metaadamw.meta;

import org.metaadamw.config.MetaAdamWConfig;

/** Creates the controller named by {@code spark.metaadamw.controller}. */
public final class Controllers {
    private Controllers() {
    }

    public static ModulationController create(MetaAdamWConfig cfg) {
        return switch (cfg.controller()) {
            case "adamw" -> new AdamWController();
            case "metaadamw" -> new MetaAdamWController(cfg);
            case "hypergradient" -> new HypergradientController(cfg);
            case "random" -> new FrozenRandomController(cfg);
            default -> throw new IllegalArgumentException("spark.metaadamw.controller must be one of metaadamw, adamw, hypergradient, random (got '"
                    + cfg.controller() + "')");
        };
    }
}
