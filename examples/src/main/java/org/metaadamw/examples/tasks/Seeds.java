package org.metaadamw.examples.tasks;

/**
 * The DL4J seed of a task's model, derived from the run seed.
 *
 * <p>Why not pass the run seed through: {@code NeuralNetConfiguration.Builder.seed(s)} ends in
 * {@code Nd4j.getRandom().setSeed(s)} (in the builder and again in {@code init()} before the weights
 * are drawn), and ND4J's native generator (libnd4j {@code RandomGenerator::setStates}) replaces a
 * root seed of 0 by the current time in milliseconds. Seed 0, the jobs' default, therefore meant
 * "unseeded": every run started from different weights. The run seed is mixed instead with the
 * SplitMix64 finaliser (Steele, Lea, Flood 2014): a bijection of the 64-bit integers, so distinct run
 * seeds stay distinct model seeds, whose only preimage of 0 is {@code -0x9E3779B97F4A7C15}, far
 * from any seed a person types.
 */
final class Seeds {
    private Seeds() {
    }

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    /** The seed to give DL4J for run seed {@code runSeed}; never 0 for |runSeed| &lt; 2<sup>62</sup>. */
    static long model(long runSeed) {
        long z = runSeed + GOLDEN_GAMMA;              // bijective; 0 only for runSeed = -GOLDEN_GAMMA
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;  // xor-shift and odd multiplier: each bijective, 0 -> 0
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
