package org.metaadamw.bench;

import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.grouping.GroupingStrategy;
import org.metaadamw.grouping.LayerKind;
import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.grouping.ParamTensor;
import org.metaadamw.meta.MetaAdamWController;
import org.metaadamw.stats.RoundStatistics;
import org.metaadamw.stats.RoundSummary;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The driver meta-step at the default module size (d = 32, L = 2, H = 4, d_ff = 64, basic+
 * features): meta-objective gradients → backward through the cached forward pass → Adam on ψ and
 * HUW → features to tokens → forward for the next modulation. One call of
 * {@link MetaAdamWController#next} per operation, as on the driver after every round, with the module's
 * attention in double or in float ({@code precision}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MetaStepBenchmark {

    @Param({"8", "64", "512"})
    public int groups;

    /**
     * {@code meta.precision}: double, or float (the attention on the Vector API; needs {@code --add-modules
     * jdk.incubator.vector} on the benchmark's JVM, else the controller falls back to double with a warning).
     */
    @Param({"double", "float"})
    public String precision;

    private MetaAdamWController controller;
    private RoundSummary[] summaries;
    private long round;

    /** G synthetic dense layers of 100 parameters each, grouped one group per layer. */
    static ParamGroups syntheticGroups(int g) {
        List<ParamTensor> ts = new ArrayList<>();
        for (int i = 0; i < g; i++) {
            ts.add(new ParamTensor(i + "_W", String.valueOf(i), i, g, LayerKind.DENSE, "W", 100L * i, 100, false, true, true));
        }
        return ParamGroups.of(ts, GroupingStrategy.LAYER);
    }

    static RoundSummary summary(int g, int f, SplittableRandom r) {
        double[][] feats = new double[g][f], sig = new double[g][RoundStatistics.Signal.COUNT];
        for (int i = 0; i < g; i++) {
            for (int j = 0; j < f; j++) {
                feats[i][j] = r.nextDouble(1e-3, 10);
            }
            for (int j = 0; j < RoundStatistics.Signal.COUNT; j++) {
                sig[i][j] = j >= 4 ? r.nextDouble(0.1, 2) : r.nextDouble(-1, 1);
            }
        }
        return new RoundSummary(feats, sig, 1.0, 0.99, 0.95, 2);
    }

    @Setup(Level.Trial)
    public void setUp() {
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().metaPrecision(precision).build();
        controller = new MetaAdamWController(cfg);
        controller.initial(syntheticGroups(groups));
        SplittableRandom r = new SplittableRandom(42);
        summaries = new RoundSummary[16];
        for (int i = 0; i < summaries.length; i++) {
            summaries[i] = summary(groups, cfg.featureColumns(), r);
        }
        controller.next(summaries[0], 0, 1_000_000); // caches a forward pass: every measured call runs a full meta-step
        round = 1;
    }

    @Benchmark
    public Object metaStep() {
        round++;
        return controller.next(summaries[(int) (round & 15)], round, 1_000_000);
    }
}
