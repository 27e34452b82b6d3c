package org.metaadamw.train;

/** The resume tests' stand-in for a driver killed mid-training. */
public final class KilledRun {
    private KilledRun() {
    }

    private static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    /**
     * Runs {@code fit} on {@code trainer}, stopping it as a killed driver would after round
     * {@code stopAfter} (negative: never), before that round's checkpoint is written.
     *
     * @return false when the run was stopped
     */
    public static boolean fit(MetaAdamWTrainer<?> trainer, long stopAfter, Runnable fit) {
        if (stopAfter >= 0) {
            trainer.onRound(r -> {
                if (r.round() == stopAfter) {
                    throw new Stop();
                }
            });
        }
        try {
            fit.run();
            return true;
        } catch (Stop s) {
            return false;
        }
    }
}
