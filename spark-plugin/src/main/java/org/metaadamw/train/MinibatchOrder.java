package org.metaadamw.train;

/**
 * The order in which a worker trains on its minibatches, shared by the single-JVM and the Spark
 * trainer ({@code spark.metaadamw.shuffle}): with shuffling on, the training minibatch at position
 * {@code j} of a worker's data (counted from 0 after the held-out ones are removed) is trained on at
 * position {@link #position}{@code (j)}, a seeded pseudo-random permutation of {@code [0, n)} fixed for
 * the run; each epoch visits every minibatch once in that order.
 *
 * <p>The permutation is a four-round Feistel network on the smallest power-of-two domain that holds
 * {@code n}, walked until it lands inside {@code [0, n)} (cycle walking), so a position is computed
 * from {@code (j, n, seed, worker)} alone, in O(1) expected time and memory, on the executor that
 * lays out the data as well as on the driver. It is not a cryptographic permutation; what it needs to
 * do is put minibatches that are neighbours in the input (time-ordered or class-sorted files) far
 * apart in training order. Stateless and thread-safe.
 */
public final class MinibatchOrder {
    private static final int ROUNDS = 4;

    private MinibatchOrder() {
    }

    /**
     * The training position of the minibatch at input position {@code index} of a worker's {@code n}
     * training minibatches.
     *
     * @param index  in [0, n)
     * @param n      the worker's training minibatches, ≥ 1
     * @param seed   the run's seed ({@code spark.metaadamw.seed})
     * @param worker the worker's index (each worker gets its own permutation)
     * @throws IllegalArgumentException for {@code index} outside [0, n)
     */
    public static long position(long index, long n, long seed, int worker) {
        if (index < 0 || index >= n) {
            throw new IllegalArgumentException("minibatch index " + index + " outside [0, " + n + ")");
        }
        if (n <= 2) {
            return n == 2 ? (index ^ (key(seed, worker, 0) & 1)) : 0;
        }
        int bits = 64 - Long.numberOfLeadingZeros(n - 1);   // 2^bits ≥ n
        int half = (bits + 1) / 2;                           // each half holds `half` bits; 2·half ≥ bits
        long mask = (1L << half) - 1;
        long x = index;
        do {
            x = feistel(x, half, mask, seed, worker);
        } while (x >= n);   // cycle walking: the domain is at most 4n, so a few steps on average
        return x;
    }

    /** One bijection of [0, 2^(2·half)). */
    private static long feistel(long x, int half, long mask, long seed, int worker) {
        long left = x >>> half, right = x & mask;
        for (int r = 0; r < ROUNDS; r++) {
            long f = mix(right ^ key(seed, worker, r)) & mask;
            long next = left ^ f;
            left = right;
            right = next;
        }
        return left << half | right;
    }

    private static long key(long seed, int worker, int round) {
        return mix(seed * 0x9E3779B97F4A7C15L + ((long) worker << 8 | round));
    }

    /** SplitMix64's finaliser. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
