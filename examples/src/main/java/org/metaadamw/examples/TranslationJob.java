package org.metaadamw.examples;

/** German→English translation with an encoder–decoder (Ding sentences; Multi30k layout) with MetaAdamW on Spark. {@code --help} lists the options. */
public final class TranslationJob {
    private TranslationJob() {
    }

    public static void main(String[] args) throws Exception {
        TaskJob.main("translation", args);
    }
}
