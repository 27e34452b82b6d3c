package org.metaadamw.examples;

/** Sentiment classification (UCI sentences; labelled TSV/JSON) with MetaAdamW on Spark. {@code --help} lists the options. */
public final class SentimentJob {
    private SentimentJob() {
    }

    public static void main(String[] args) throws Exception {
        TaskJob.main("sentiment", args);
    }
}
