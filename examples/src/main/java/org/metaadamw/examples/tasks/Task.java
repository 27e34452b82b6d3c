package org.metaadamw.examples.tasks;

import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.util.List;

/**
 * One benchmark task: real data from the package registries, a DL4J model sized for CPU nodes and
 * its metric. Implementations are stateless apart from their loaded data.
 */
public interface Task {

    /** Short name used on command lines: forecasting, language-model, translation, image, sentiment. */
    String name();

    /** Metric name as printed (MSE, perplexity, accuracy). */
    String metric();

    boolean higherIsBetter();

    /** Data sizes: QUICK for smoke tests, BENCHMARK for the quality benchmark on 2 cores, FULL for the whole sets. */
    enum Scale { QUICK, BENCHMARK, FULL }

    /** Loads the data as minibatches. */
    Data load(Scale scale, long seed) throws IOException;

    /**
     * A freshly initialised model for data with these {@link Data#info()} values: the same
     * parameters, bit for bit, for the same {@code seed} (0 included: see {@code Seeds}).
     */
    Model model(int[] info, long seed);

    default Model model(Data data, long seed) {
        return model(data.info(), seed);
    }

    /** How {@link #metric()} is computed. */
    Metric evaluation();

    /** The metric of {@code model} on {@code batches}. */
    default double evaluate(Model model, List<DataSet> batches) {
        return evaluation().evaluate(model, batches);
    }

    /**
     * @param train       training minibatches
     * @param valid       validation minibatches (early stopping, and MetaAdamW's validation passes, which cost
     *                    two forward-backward passes of one of them per round: keep them the size of a
     *                    training minibatch)
     * @param test        test minibatches
     * @param description one line: source, sizes
     * @param info        task-specific values the model needs (vocabulary sizes, ...)
     */
    record Data(List<DataSet> train, List<DataSet> valid, List<DataSet> test, String description, int[] info) {
    }

    static Task byName(String name) {
        return switch (name) {
            case "forecasting" -> new ForecastingTask();
            case "language-model" -> new LanguageModelTask();
            case "translation" -> new TranslationTask();
            case "image" -> new ImageTask();
            case "sentiment" -> new SentimentTask();
            default -> throw new IllegalArgumentException("unknown task '" + name
                    + "' (one of forecasting, language-model, translation, image, sentiment)");
        };
    }

    List<String> ALL = List.of("forecasting", "language-model", "translation", "image", "sentiment");
}
