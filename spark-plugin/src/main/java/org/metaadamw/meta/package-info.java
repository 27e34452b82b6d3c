/**
 * Controllers: the driver step of a round, which turns the aggregated per-group statistics into the
 * next modulation (docs/algorithm.md sections 5 to 7).
 *
 * <p>Extension API: {@link org.metaadamw.meta.ModulationController} (the contract: lifecycle, which
 * worker statistics it needs, the workers' update rule, its state for checkpoints) and
 * {@link org.metaadamw.meta.ControllerProvider} (found through {@code ServiceLoader}; the value of
 * {@code spark.metaadamw.controller}), {@link org.metaadamw.meta.Controllers} (creates the
 * controller a configuration names, lists the names). {@code MetaState} is the MetaAdamW
 * controller's saved state, as the trainers and the Spark ML model return it, with its
 * {@code ModuleShape}. {@code L3rsController} ({@code l3rs}: the workers run L3RS with a fixed,
 * meta-trained φ; public so that a φ can also be handed to a trainer directly, without a file) and
 * {@code LstmController} ({@code lstm}: the workers run the coordinatewise LSTM optimizer with a fixed,
 * meta-trained φ; public for the same reason); both extend the package-private {@code FixedRuleController}.
 *
 * <p>Internal (public because the trainers' tests and the meta-step benchmark in other packages build
 * them directly; no compatibility promise): {@code MetaAdamWController},
 * {@code HypergradientController}, {@code AttentionModule}. Package-private: the other built-in
 * controllers ({@code adamw}, {@code random}, {@code mada}: MADA's coefficients by hypergradient descent) and the module's parts (output map, meta-objective,
 * HUW, the meta Adam). Driver-only and single-threaded.
 */
package org.metaadamw.meta;
