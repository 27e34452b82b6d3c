/**
 * The update rules: AdamW with per-group multipliers ({@code GroupAdamW}, bit for bit DL4J's Adam
 * with decoupled weight decay when every multiplier is 1), its explicit state
 * ({@link org.metaadamw.update.AdamWState}) and the modulation a controller hands out
 * ({@link org.metaadamw.update.Modulation}: α, β, λ1, λ2 per group, immutable); and MADA's
 * parameterised optimizer (docs/mada.md), which the {@code mada} controller has the workers run; and
 * L3RS's learned mix of Adam and SGD with momentum (docs/l3rs.md), which the {@code l3rs} controller
 * has the workers run with a meta-trained φ; and the coordinatewise two-layer LSTM optimizer of
 * Andrychowicz et al. 2016 (docs/lstm.md), which the {@code lstm} controller has the workers run.
 *
 * <p>API: {@code AdamWState} (returned as copies), {@code Modulation}, {@code L3rsParams} (L3RS's
 * meta-parameters φ, saved and read as JSON), {@code LstmParams} (the LSTM optimizer's φ, likewise). Internal (public for the workers, the
 * driver and the checkpoints of the trainers' package, the Spark runtime and the controllers):
 * {@code GroupAdamW}; {@code Mada} (Adam, AVGrad, Yogi, Adan and Lion interpolated by learned
 * coefficients, with its one-step hypergradient signals), its state {@code MadaState}, its
 * coefficients with the driver's projected hypergradient step {@code MadaCoefficients}, the workers'
 * summed signals {@code HypergradientSum}, and {@code UpdateRule}, which of the two rules a
 * controller has its workers run (carried in every round's broadcast); {@code L3rs} (the L3RS
 * update rule) and its state {@code L3rsState}; {@code Lstm} (the LSTM update rule) and its state
 * {@code LstmState}; {@code LearnedParams}, the flat φ that NES meta-training perturbs (both rules' φ).
 * {@code ParamLayout} (package-private) holds the gradient preprocessing the update rules share;
 * {@code ParamsFiles} (package-private) the JSON and digest code of both parameter files.
 */
package org.metaadamw.update;
