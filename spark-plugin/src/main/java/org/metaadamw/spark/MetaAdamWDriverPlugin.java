package org.metaadamw.spark;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.metaadamw.config.MetaAdamWConf;
import org.metaadamw.config.MetaAdamWConfig;
import scala.Tuple2;

import java.util.HashMap;
import java.util.Map;

/**
 * Driver part of {@link MetaAdamWPlugin}. {@link #init} validates the {@code spark.metaadamw.*}
 * settings and returns them, which Spark delivers to every executor's plugin. Gauges (all read the
 * latest round of the trainer started last on the plugin's SparkContext, from its {@link DriverMetrics};
 * NaN or 0 before one starts): {@code alpha.<g>}, {@code beta.<g>} for
 * g &lt; {@code spark.metaadamw.metrics.maxGroups}; {@code meta.alignment}, {@code meta.lossDecrease},
 * {@code meta.gap}; {@code huw.weight.alignment|lossDecrease|gap}; the {@code mada} controller's global
 * coefficients {@code mada.beta1|beta2|beta3|rho|c|gamma} and {@code mada.skippedNonFinite}; {@code round.seconds};
 * {@code statistics.bytes}; {@code statistics.parameterRatio}; {@code rounds}; {@code groups}.
 */
public final class MetaAdamWDriverPlugin implements DriverPlugin {
    /**
     * The plugin of each running SparkContext: the one link between the trainers and the plugin, two
     * objects Spark and the user create independently. It holds no training state (each trainer owns its
     * metrics); an entry is removed at {@link #shutdown()} and never keeps a stopped context alive.
     */
    private static final Map<SparkContext, MetaAdamWDriverPlugin> RUNNING = new java.util.WeakHashMap<>();
    /** Before any trainer reports: every gauge reads NaN or 0. */
    private static final DriverMetrics NONE = new DriverMetrics();

    private MetaAdamWConfig config = MetaAdamWConfig.defaults();
    private SparkContext context;
    private volatile DriverMetrics metrics = NONE;

    /** Points the gauges of {@code sc}'s plugin (if it runs one) at {@code m}, the metrics of the trainer starting now. */
    static void report(SparkContext sc, DriverMetrics m) {
        MetaAdamWDriverPlugin p;
        synchronized (RUNNING) {
            p = RUNNING.get(sc);
        }
        if (p != null) {
            p.metrics = m;
        }
    }

    @Override
    public Map<String, String> init(SparkContext sc, PluginContext ctx) {
        Map<String, String> conf = new HashMap<>();
        for (Tuple2<String, String> kv : sc.getConf().getAllWithPrefix(MetaAdamWConf.PREFIX)) {
            conf.put(MetaAdamWConf.PREFIX + kv._1(), kv._2());
        }
        config = MetaAdamWConfig.fromMap(conf);   // throws, naming the key and the range
        org.metaadamw.meta.Controllers.create(config);   // and an unknown controller name, listing the known ones
        context = sc;
        synchronized (RUNNING) {
            RUNNING.put(sc, this);
        }
        return config.toStringMap();
    }

    @Override
    public void registerMetrics(String appId, PluginContext ctx) {
        MetricRegistry reg = ctx.metricRegistry();
        for (int g = 0; g < config.metricsMaxGroups(); g++) {
            final int group = g;
            reg.register("alpha." + g, (Gauge<Double>) () -> metrics.alpha(group));
            reg.register("beta." + g, (Gauge<Double>) () -> metrics.beta(group));
        }
        for (String name : new String[]{"meta.alignment", "meta.lossDecrease", "meta.gap", "huw.weight.alignment",
                "huw.weight.lossDecrease", "huw.weight.gap", "mada.beta1", "mada.beta2", "mada.beta3", "mada.rho", "mada.c", "mada.gamma",
                "mada.skippedNonFinite"}) {
            reg.register(name, (Gauge<Double>) () -> metrics.controllerMetric(name));
        }
        reg.register("round.seconds", (Gauge<Double>) () -> metrics.roundSeconds());
        reg.register("statistics.bytes", (Gauge<Long>) () -> metrics.statisticsBytes());
        reg.register("statistics.parameterRatio", (Gauge<Double>) () -> metrics.statisticsToParameterRatio());
        reg.register("rounds", (Gauge<Long>) () -> metrics.rounds());
        reg.register("groups", (Gauge<Integer>) () -> metrics.groups());
    }

    @Override
    public void shutdown() {
        synchronized (RUNNING) {
            RUNNING.remove(context);
        }
        // the gauges keep the last trainer's figures: Spark's sinks report once more after the plugins stop
    }

    /** The configuration validated at start-up. */
    public MetaAdamWConfig config() {
        return config;
    }
}
