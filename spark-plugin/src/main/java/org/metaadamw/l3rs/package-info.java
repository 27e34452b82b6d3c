/**
 * Meta-training of L3RS (Kristiansen et al. 2025; docs/l3rs.md): {@code L3rsMetaTrainer} trains the
 * meta-parameters φ of the L3RS update rule ({@link org.metaadamw.update.L3rsParams}) by natural
 * evolution strategies with antithetic sampling, each candidate a short training run of the target
 * network that Spark runs as one task. The meta-trained φ is then used by the {@code l3rs}
 * controller for a normal training run with either trainer.
 *
 * <p>API: {@code L3rsMetaTrainer} (with its nested {@code Settings}, {@code Iteration}, {@code Result},
 * {@code CandidateHook}). {@code Population} (package-private) is the candidates' inner loop.
 */
package org.metaadamw.l3rs;
