package org.metaadamw.meta;

import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.stats.RoundSummary;
import org.metaadamw.update.Modulation;

/** {@code adamw}: constant multipliers 1, i.e. plain AdamW and the meta-off switch. Stateless. */
final class AdamWController implements ModulationController {
    private static final long serialVersionUID = 1L;
    private int groups;

    @Override
    public String name() {
        return "adamw";
    }

    @Override
    public boolean usesValidation() {
        return false;
    }

    @Override
    public Modulation initial(ParamGroups groups) {
        this.groups = groups.count();
        return Modulation.neutral(this.groups);
    }

    @Override
    public boolean usesStatistics() {
        return false;
    }

    @Override
    public Modulation next(RoundSummary summary, long round, long totalRounds) {
        return Modulation.neutral(summary.groups());
    }

    @Override
    public Modulation rolledBack(long round) {
        return Modulation.neutral(groups);
    }

    @Override
    public ModulationController copy() {
        return new AdamWController();
    }
}
