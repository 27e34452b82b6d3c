package org.metaadamw.meta;

import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.stats.RoundSummary;
import org.metaadamw.update.Modulation;

/**
 * A controller from outside the library's sources, found through META-INF/services in the test
 * resources: α = 0.5 for every group, always (so training equals AdamW at half the learning rate).
 */
public final class HalfStepControllerProvider implements ControllerProvider {
    @Override
    public String name() {
        return "half-step";
    }

    @Override
    public String description() {
        return "test controller: alpha 0.5 for every group";
    }

    @Override
    public ModulationController create(MetaAdamWConfig cfg) {
        return new Half();
    }

    private static final class Half implements ModulationController {
        private static final long serialVersionUID = 1L;
        private int groups;

        private Modulation half() {
            double[] a = new double[groups], one = new double[groups];
            java.util.Arrays.fill(a, 0.5);
            java.util.Arrays.fill(one, 1.0);
            return new Modulation(a, one, one, one);
        }

        @Override public String name() { return "half-step"; }
        @Override public Modulation initial(ParamGroups g) { groups = g.count(); return half(); }
        @Override public Modulation next(RoundSummary summary, long round, long totalRounds) { return half(); }
        @Override public Modulation rolledBack(long round) { return half(); }
        @Override public ModulationController copy() { Half h = new Half(); h.groups = groups; return h; }
    }
}
