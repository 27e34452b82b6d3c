/**
 * Controllers: the driver step of a round, which turns the aggregated per-group statistics into the
 * next modulation (docs/algorithm.md sections 5 to 7).
 *
 * <p>Extension API: {@link org.metaadamw.meta.ModulationController} (the contract: lifecycle, which
 * worker statistics it needs, its state for checkpoints) and
 * {@link org.metaadamw.meta.ControllerProvider} (found through {@code ServiceLoader}; the value of
 * {@code spark.metaadamw.controller}). {@code MetaState} is the MetaAdamW controller's saved state,
 * as the trainers and the Spark ML model return it.
 *
 * <p>Internal, public only because the trainers in other packages build them (no compatibility
 * promise): the built-in controllers ({@code MetaAdamWController}, {@code HypergradientController},
 * {@code AdamWController}, {@code FrozenRandomController}, reached through
 * {@code Controllers.create}), the attention module and its parts ({@code AttentionModule},
 * {@code ModuleShape}, {@code OutputMap}, {@code MetaObjective}, {@code Huw}, {@code Adam}).
 * Driver-only and single-threaded.
 */
package org.metaadamw.meta;
