package org.metaadamw.examples.tasks;

/** The name, metric and direction every task declares. */
abstract class AbstractTask implements Task {
    private final String name, metric;
    private final boolean higherIsBetter;

    AbstractTask(String name, String metric, boolean higherIsBetter) {
        this.name = name;
        this.metric = metric;
        this.higherIsBetter = higherIsBetter;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String metric() {
        return metric;
    }

    @Override
    public final boolean higherIsBetter() {
        return higherIsBetter;
    }
}
