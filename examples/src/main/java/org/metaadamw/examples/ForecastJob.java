package org.metaadamw.examples;

/** Multivariate time-series forecasting (weather; ETT-style CSV) with MetaAdamW on Spark. {@code --help} lists the options. */
public final class ForecastJob {
    private ForecastJob() {
    }

    public static void main(String[] args) throws Exception {
        TaskJob.main("forecasting", args);
    }
}
