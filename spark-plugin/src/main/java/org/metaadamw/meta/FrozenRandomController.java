package org.metaadamw.meta;

import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.stats.RoundSummary;
import org.metaadamw.update.Modulation;

import java.util.SplittableRandom;

/**
 * {@code random}: an ablation. Per group, α and β are drawn once, uniformly in the ranges the
 * attention module could produce (1 ± r/2), from {@code spark.metaadamw.seed}, and never change.
 * It answers whether MetaAdamW's gains come from learning or from any per-group perturbation.
 */
final class FrozenRandomController implements ModulationController {
    private static final long serialVersionUID = 1L;
    private final MetaAdamWConfig cfg;
    private Modulation fixed;

    public FrozenRandomController(MetaAdamWConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public String name() {
        return "random";
    }

    @Override
    public boolean usesValidation() {
        return false;
    }

    @Override
    public Modulation initial(ParamGroups groups) {
        SplittableRandom r = new SplittableRandom(cfg.seed());
        int G = groups.count();
        double[] a = new double[G], b = new double[G], l = new double[G];
        for (int g = 0; g < G; g++) {
            a[g] = 1 + cfg.alphaRange() * (r.nextDouble() - 0.5);
            b[g] = 1 + cfg.betaRange() * (r.nextDouble() - 0.5);
            l[g] = 0.5;
        }
        fixed = new Modulation(a, b, l, l);
        return fixed;
    }

    @Override
    public boolean usesStatistics() {
        return false;
    }

    @Override
    public Modulation next(RoundSummary summary, long round, long totalRounds) {
        return fixed;
    }

    /** Neutral for the round after a rollback, then the frozen draw again. */
    @Override
    public Modulation rolledBack(long round) {
        return Modulation.neutral(fixed.groups());
    }

    @Override
    public ModulationController copy() {
        return new FrozenRandomController(cfg);
    }
}
