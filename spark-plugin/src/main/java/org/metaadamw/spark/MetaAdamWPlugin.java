package org.metaadamw.spark;

import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * {@code spark.plugins=org.metaadamw.spark.MetaAdamWPlugin}: validates every
 * {@code spark.metaadamw.*} setting when the SparkContext starts (a bad value fails there, naming
 * the key and the range), hands the resolved configuration to executors, and exposes metrics
 * through Spark's metrics system ({@code <appId>.driver.plugin.org.metaadamw.spark.MetaAdamWPlugin.*}).
 */
public final class MetaAdamWPlugin implements SparkPlugin {
    @Override
    public DriverPlugin driverPlugin() {
        return new MetaAdamWDriverPlugin();
    }

    @Override
    public ExecutorPlugin executorPlugin() {
        return new MetaAdamWExecutorPlugin();
    }
}
