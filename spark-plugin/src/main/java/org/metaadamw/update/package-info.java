/**
 * The update rule: AdamW with per-group multipliers ({@code GroupAdamW}, bit for bit DL4J's Adam
 * with decoupled weight decay when every multiplier is 1), its explicit state
 * ({@link org.metaadamw.update.AdamWState}) and the modulation a controller hands out
 * ({@link org.metaadamw.update.Modulation}: α, β, λ1, λ2 per group, immutable).
 *
 * <p>API: {@code AdamWState} (returned as copies), {@code Modulation}. Internal (public for the workers of
 * the trainers' package): {@code GroupAdamW}.
 *
 * <p>Package-private, not yet wired into the round engine (docs/mada.md): MADA's update rule
 * ({@code Mada}: Adam, AVGrad, Yogi, Adan and Lion interpolated by learned coefficients, with its
 * one-step hypergradient signals), its state ({@code MadaState}) and coefficients with the
 * driver's projected hypergradient step ({@code MadaCoefficients}); {@code ParamLayout} holds the
 * gradient preprocessing both update rules share.
 */
package org.metaadamw.update;
