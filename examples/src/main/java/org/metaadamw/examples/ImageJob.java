package org.metaadamw.examples;

/** Image classification with a CNN (Fashion-MNIST; CIFAR-10 binary) with MetaAdamW on Spark. {@code --help} lists the options. */
public final class ImageJob {
    private ImageJob() {
    }

    public static void main(String[] args) throws Exception {
        TaskJob.main("image", args);
    }
}
