package org.metaadamw.examples;

/** Multivariate time-series forecasting (weather, or an ETT-layout CSV: {@code --csv F --target COL}) with MetaAdamW on Spark. {@code --help} lists the options. */
public final class ForecastJob {
    private ForecastJob() {
    }

    public static void main(String[] args) throws Exception {
        TaskJob.main("forecasting", args);
    }
}
