/**
 * The update rules: AdamW with per-group multipliers ({@code GroupAdamW}, bit for bit DL4J's Adam
 * with decoupled weight decay when every multiplier is 1), its explicit state
 * ({@link org.metaadamw.update.AdamWState}) and the modulation a controller hands out
 * ({@link org.metaadamw.update.Modulation}: α, β, λ1, λ2 per group, immutable); and MADA's
 * parameterised optimizer (docs/mada.md), which the {@code mada} controller has the workers run.
 *
 * <p>API: {@code AdamWState} (returned as copies), {@code Modulation}. Internal (public for the workers, the
 * driver and the checkpoints of the trainers' package, the Spark runtime and the controllers):
 * {@code GroupAdamW}; {@code Mada} (Adam, AVGrad, Yogi, Adan and Lion interpolated by learned
 * coefficients, with its one-step hypergradient signals), its state {@code MadaState}, its
 * coefficients with the driver's projected hypergradient step {@code MadaCoefficients}, the workers'
 * summed signals {@code HypergradientSum}, and {@code UpdateRule}, which of the two rules a
 * controller has its workers run (carried in every round's broadcast). {@code ParamLayout}
 * (package-private) holds the gradient preprocessing both update rules share.
 */
package org.metaadamw.update;
