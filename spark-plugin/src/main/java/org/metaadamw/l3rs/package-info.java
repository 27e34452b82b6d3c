/**
 * Meta-training of learned update rules by natural evolution strategies with antithetic sampling, each
 * candidate a short training run of the target network that Spark runs as one task:
 * {@code L3rsMetaTrainer} for L3RS (Kristiansen et al. 2025; docs/l3rs.md, φ an
 * {@link org.metaadamw.update.L3rsParams}) and {@code LstmMetaTrainer} for the coordinatewise LSTM
 * optimizer (Andrychowicz et al. 2016; docs/lstm.md, φ an {@link org.metaadamw.update.LstmParams}). The
 * meta-trained φ is then used by the {@code l3rs} or {@code lstm} controller for a normal training run
 * with either trainer. (The package is named after its first rule.)
 *
 * <p>API: {@code L3rsMetaTrainer} (with its nested {@code Settings}, {@code Iteration}, {@code Result},
 * {@code CandidateHook}, which {@code LstmMetaTrainer} uses too) and {@code LstmMetaTrainer} (nested
 * {@code Settings}, {@code Iteration}, {@code Result}). Package-private: {@code Nes} (the loop both share)
 * and {@code Population} (the candidates' inner loop).
 */
package org.metaadamw.l3rs;
