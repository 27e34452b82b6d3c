package org.metaadamw.examples.tasks;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.metaadamw.examples.io.DataPaths;
import org.metaadamw.examples.io.LabelledText;
import org.metaadamw.examples.io.TextCorpus;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Sentiment classification (the paper's IMDB stand-in): the UCI "Sentiment Labelled Sentences"
 * (npm sentiment 5.0.2: IMDB, Amazon and Yelp, 3 × 1,000 sentences), or any labelled TSV/JSON file
 * ({@code --labelled F}, for example SST-2's {@code train.tsv}), with optionally the official
 * validation and test files ({@code --valid F}, {@code --test F}, for example SST-2's {@code dev.tsv}
 * and a labelled test file). The splits not given are carved out of the training data after a shuffle
 * with a fixed seed: 15 % of it for each (70/15/15 when neither is given); a split that lacks a class
 * is reported. Bag-of-words over the 1,500 most frequent training words. Metric: test accuracy.
 * Model: dense 32 (ReLU), softmax.
 */
public final class SentimentTask extends AbstractTask {
    /** The split does not depend on the run's seed (see {@link Splits}). */
    static final long SPLIT_SEED = 99;
    private static final double TRAIN = 0.7, VALID = 0.15, TEST = 0.15;
    private final Path labelled, valid, test;

    public SentimentTask() {
        this(null);
    }

    public SentimentTask(Path labelled) {
        this(labelled, null, null);
    }

    /**
     * @param labelled the training data (null: the UCI sentences)
     * @param valid    the validation data, or null to hold out 15 % of {@code labelled}
     * @param test     the test data, or null to hold out 15 % of {@code labelled}
     */
    public SentimentTask(Path labelled, Path valid, Path test) {
        super("sentiment", "accuracy", true);
        this.labelled = labelled;
        this.valid = valid;
        this.test = test;
    }

    @Override
    public Data load(Scale scale, long seed) throws IOException {
        List<LabelledText.Example> all = new ArrayList<>();
        if (labelled != null) {
            all.addAll(LabelledText.read(labelled));
        } else {
            Path dir = DataPaths.dataset("sentiment");
            for (String f : new String[]{"imdb.json", "amazon.json", "yelp.json"}) {
                all.addAll(LabelledText.read(dir.resolve(f)));
            }
        }
        all = Splits.shuffled(all, SPLIT_SEED);
        List<LabelledText.Example> va = valid != null ? Splits.shuffled(LabelledText.read(valid), SPLIT_SEED + 1) : null;
        List<LabelledText.Example> te = test != null ? Splits.shuffled(LabelledText.read(test), SPLIT_SEED + 2) : null;
        if (scale == Scale.QUICK) {
            all = all.subList(0, Math.min(all.size(), 900));
            va = va == null ? null : va.subList(0, Math.min(va.size(), 135));
            te = te == null ? null : te.subList(0, Math.min(te.size(), 135));
        }
        // hold out 15 % of the labelled data for each split not given (70/15/15 when none is)
        int nValid = va == null ? (int) (all.size() * VALID) : 0, nTest = te == null ? (int) (all.size() * TEST) : 0;
        int nTrain = va == null && te == null ? (int) (all.size() * TRAIN) : all.size() - nValid - nTest;
        List<LabelledText.Example> tr = all.subList(0, nTrain);
        if (va == null) {
            va = all.subList(nTrain, nTrain + nValid);
        }
        if (te == null) {
            te = all.subList(nTrain + nValid, all.size());
        }
        for (var split : List.of(java.util.Map.entry("training", tr), java.util.Map.entry("validation", va), java.util.Map.entry("test", te))) {
            if (split.getValue().isEmpty()) {
                throw new IllegalArgumentException(name() + ": the " + split.getKey() + " split is empty (" + all.size()
                        + " labelled examples" + (valid == null && test == null ? ", split 70/15/15" : "") + "); give more data"
                        + (valid == null || test == null ? " or the --valid/--test files" : ""));
            }
        }
        int classes = 1 + Math.max(maxLabel(tr), Math.max(maxLabel(va), maxLabel(te)));
        long[] trainClasses = counts(tr, classes);
        Splits.warnMissingClasses(name(), "validation", trainClasses, counts(va, classes));
        Splits.warnMissingClasses(name(), "test", trainClasses, counts(te, classes));
        List<String> words = new ArrayList<>();
        for (var e : tr) {
            TextCorpus.tokenize(e.text(), words);
        }
        var vocab = TextCorpus.Vocabulary.build(words, scale == Scale.QUICK ? 500 : 1500);
        String source = labelled != null ? labelled.toString() : "UCI sentiment sentences (npm sentiment 5.0.2)";
        if (valid != null || test != null) {
            source += " (" + (valid != null ? "validation " + valid : "") + (valid != null && test != null ? ", " : "")
                    + (test != null ? "test " + test : "") + ")";
        }
        return new Data(encode(tr, vocab, classes, 32), encode(va, vocab, classes, 32), encode(te, vocab, classes, 128),
                String.format("%s: %d/%d/%d sentences, %d classes, vocabulary %d", source, tr.size(), va.size(), te.size(), classes,
                        vocab.size()), new int[]{vocab.size(), classes});
    }

    private static int maxLabel(List<LabelledText.Example> ex) {
        return ex.stream().mapToInt(LabelledText.Example::label).max().orElse(0);
    }

    private static long[] counts(List<LabelledText.Example> ex, int classes) {
        long[] c = new long[classes];
        for (var e : ex) {
            c[e.label()]++;
        }
        return c;
    }

    static List<DataSet> encode(List<LabelledText.Example> ex, TextCorpus.Vocabulary vocab, int classes, int batch) {
        int n = ex.size(), V = vocab.size();
        float[] x = new float[n * V], y = new float[n * classes];
        for (int i = 0; i < n; i++) {
            List<String> tok = new ArrayList<>();
            TextCorpus.tokenize(ex.get(i).text(), tok);
            for (String t : tok) {
                int id = vocab.id(t);
                if (id > 0) {
                    x[i * V + id] = 1f;
                }
            }
            y[i * classes + ex.get(i).label()] = 1f;
        }
        return Batches.of(new DataSet(Nd4j.create(x, new long[]{n, V}, 'c'), Nd4j.create(y, new long[]{n, classes}, 'c')), batch);
    }

    @Override
    public Model model(int[] info, long seed) {
        var conf = new NeuralNetConfiguration.Builder().seed(Seeds.model(seed)).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(info[0]).nOut(32).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(32).nOut(info[1])
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    @Override
    public Metric evaluation() {
        return Metric.ACCURACY;
    }
}
