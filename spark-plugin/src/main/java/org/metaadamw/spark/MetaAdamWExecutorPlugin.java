package org.metaadamw.spark;

import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.metaadamw.config.MetaAdamWConfig;

import java.util.Map;

/**
 * Executor part of {@link MetaAdamWPlugin}: rebuilds the driver's validated configuration from the
 * map {@link MetaAdamWDriverPlugin#init} returned, and registers {@code worker.roundMicros}, the
 * histogram of per-round worker time.
 */
public final class MetaAdamWExecutorPlugin implements ExecutorPlugin {
    private static volatile MetaAdamWConfig executorConfig;

    @Override
    public void init(PluginContext ctx, Map<String, String> extraConf) {
        executorConfig = MetaAdamWConfig.fromMap(extraConf);
        ctx.metricRegistry().register("worker.roundMicros", ExecutorMetrics.WORKER_ROUND_MICROS);
    }

    /** The configuration the driver plugin handed to this executor, or null without the plugin. */
    public static MetaAdamWConfig executorConfig() {
        return executorConfig;
    }
}
