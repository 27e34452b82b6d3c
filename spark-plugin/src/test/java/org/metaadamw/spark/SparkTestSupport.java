package org.metaadamw.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

import java.util.Map;
import java.util.function.Function;

/** The one Spark fixture of the unit tier: a local SparkContext per call, always stopped. */
public final class SparkTestSupport {
    private SparkTestSupport() {
    }

    public static <T> T withSpark(String master, Map<String, String> extra, Function<JavaSparkContext, T> body) {
        SparkConf conf = new SparkConf().setMaster(master).setAppName("metaadamw-test")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.default.parallelism", "2");
        extra.forEach(conf::set);
        JavaSparkContext sc = new JavaSparkContext(conf);
        try {
            return body.apply(sc);
        } finally {
            sc.stop();
        }
    }
}
