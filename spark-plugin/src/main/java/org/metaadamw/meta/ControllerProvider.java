package org.metaadamw.meta;

import org.metaadamw.config.MetaAdamWConfig;

/**
 * A driver controller that {@code spark.metaadamw.controller} can name. The built-in ones
 * (metaadamw, adamw, hypergradient, random, mada, l3rs, lstm) are providers too. Another jar adds one without touching
 * this library: implement this interface (public class, public no-argument constructor) and list the
 * class in {@code META-INF/services/org.metaadamw.meta.ControllerProvider}. {@link Controllers} finds
 * it on the driver's class path (the thread's context class loader, so a jar given to spark-submit
 * {@code --jars} counts).
 *
 * <p>A controller works with the statistics and an update rule the workers already know
 * ({@link org.metaadamw.update.UpdateRule}: AdamW with per-group multipliers unless it declares
 * MADA, L3RS or the LSTM): it sees the aggregated {@link org.metaadamw.stats.RoundSummary} of each round (and, for MADA,
 * the summed hypergradients) and returns the next {@link org.metaadamw.update.Modulation}.
 */
public interface ControllerProvider {
    /** The name users give to {@code spark.metaadamw.controller}: lower case, [a-z][a-z0-9_-]*, unique. */
    String name();

    /** One line for error messages and listings. */
    String description();

    /** A fresh controller for one trainer. */
    ModulationController create(MetaAdamWConfig cfg);
}
