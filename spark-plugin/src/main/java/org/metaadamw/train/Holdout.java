package org.metaadamw.train;

/**
 * The validation hold-out rule shared by the single-JVM and the Spark trainer: without validation
 * data, minibatch {@code index} (counted within a worker's data, from 0) is held out when
 * {@code index % every == every - 1}.
 */
public final class Holdout {
    private Holdout() {
    }

    /** @param every 1 in this many minibatches is held out; 0 holds out none */
    public static boolean isHeldOut(long index, int every) {
        return every > 0 && index % every == every - 1;
    }
}
