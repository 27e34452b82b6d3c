package org.metaadamw.examples;

/** Word-level language modelling (State of the Union; WikiText layout) with MetaAdamW on Spark. {@code --help} lists the options. */
public final class LanguageModelJob {
    private LanguageModelJob() {
    }

    public static void main(String[] args) throws Exception {
        TaskJob.main("language-model", args);
    }
}
