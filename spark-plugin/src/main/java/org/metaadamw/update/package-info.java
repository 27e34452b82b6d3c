/**
 * The update rule: AdamW with per-group multipliers ({@code GroupAdamW}, bit for bit DL4J's Adam
 * with decoupled weight decay when every multiplier is 1), its explicit state
 * ({@link org.metaadamw.update.AdamWState}) and the modulation a controller hands out
 * ({@link org.metaadamw.update.Modulation}: α, β, λ1, λ2 per group, immutable).
 *
 * <p>API: {@code AdamWState} (returned as copies), {@code Modulation}. Internal (public for the workers of
 * the trainers' package): {@code GroupAdamW}.
 */
package org.metaadamw.update;
