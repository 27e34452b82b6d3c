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
 * latest round from {@link DriverMetrics}): {@code alpha.<g>}, {@code beta.<g>} for
 * g &lt; {@code spark.metaadamw.metrics.maxGroups}; {@code meta.alignment}, {@code meta.lossDecrease},
 * {@code meta.gap}; {@code huw.weight.alignment|lossDecrease|gap}; {@code round.seconds};
 * {@code statistics.bytes}; {@code statistics.parameterRatio}; {@code rounds}; {@code groups}.
 */
public final class MetaAdamWDriverPlugin implements DriverPlugin {
    private MetaAdamWConfig config = MetaAdamWConfig.defaults();
    private DriverMetrics metrics;

    @Override
    public Map<String, String> init(SparkContext sc, PluginContext ctx) {
        Map<String, String> conf = new HashMap<>();
        for (Tuple2<String, String> kv : sc.getConf().getAllWithPrefix(MetaAdamWConf.PREFIX)) {
            conf.put(MetaAdamWConf.PREFIX + kv._1(), kv._2());
        }
        config = MetaAdamWConfig.fromMap(conf);   // throws, naming the key and the range
        org.metaadamw.meta.Controllers.create(config);   // and an unknown controller name, listing the known ones
        metrics = DriverMetrics.of(sc);
        return config.toStringMap();
    }

    @Override
    public void registerMetrics(String appId, PluginContext ctx) {
        MetricRegistry reg = ctx.metricRegistry();
        DriverMetrics m = metrics;
        for (int g = 0; g < config.metricsMaxGroups(); g++) {
            final int group = g;
            reg.register("alpha." + g, (Gauge<Double>) () -> m.alpha(group));
            reg.register("beta." + g, (Gauge<Double>) () -> m.beta(group));
        }
        for (String name : new String[]{"meta.alignment", "meta.lossDecrease", "meta.gap", "huw.weight.alignment",
                "huw.weight.lossDecrease", "huw.weight.gap"}) {
            reg.register(name, (Gauge<Double>) () -> m.controllerMetric(name));
        }
        reg.register("round.seconds", (Gauge<Double>) m::roundSeconds);
        reg.register("statistics.bytes", (Gauge<Long>) m::statisticsBytes);
        reg.register("statistics.parameterRatio", (Gauge<Double>) m::statisticsToParameterRatio);
        reg.register("rounds", (Gauge<Long>) m::rounds);
        reg.register("groups", (Gauge<Integer>) m::groups);
    }

    /** The configuration validated at start-up. */
    public MetaAdamWConfig config() {
        return config;
    }
}
