package org.metaadamw.examples.tasks;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.metaadamw.io.DataPaths;
import org.metaadamw.io.LabelledText;
import org.metaadamw.io.TextCorpus;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Sentiment classification (the paper's IMDB stand-in): the UCI "Sentiment Labelled Sentences"
 * (npm sentiment 5.0.2: IMDB, Amazon and Yelp, 3 × 1,000 sentences), or any labelled TSV/JSON file
 * ({@code --labelled F}). Shuffled split 70/15/15; bag-of-words over the 1,500 most frequent training
 * words. Metric: test accuracy. Model: dense 32 (ReLU), softmax.
 */
public final class SentimentTask extends AbstractTask {
    private final Path labelled;

    public SentimentTask() {
        this(null);
    }

    public SentimentTask(Path labelled) {
        super("sentiment", "accuracy", true);
        this.labelled = labelled;
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
        Collections.shuffle(all, new Random(99));
        if (scale == Scale.QUICK) {
            all = all.subList(0, Math.min(all.size(), 900));
        }
        int classes = all.stream().mapToInt(LabelledText.Example::label).max().orElse(1) + 1;
        int nTrain = (int) (all.size() * 0.7), nValid = (int) (all.size() * 0.15);
        List<String> words = new ArrayList<>();
        for (var e : all.subList(0, nTrain)) {
            TextCorpus.tokenize(e.text(), words);
        }
        var vocab = TextCorpus.Vocabulary.build(words, scale == Scale.QUICK ? 500 : 1500);
        return new Data(encode(all.subList(0, nTrain), vocab, classes, 32), encode(all.subList(nTrain, nTrain + nValid), vocab, classes, 32),
                encode(all.subList(nTrain + nValid, all.size()), vocab, classes, 128),
                String.format("%s: %d/%d/%d sentences, %d classes, vocabulary %d",
                        labelled != null ? labelled.toString() : "UCI sentiment sentences (npm sentiment 5.0.2)", nTrain, nValid,
                        all.size() - nTrain - nValid, classes, vocab.size()), new int[]{vocab.size(), classes});
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
    public Model model(Data data, long seed) {
        var conf = new NeuralNetConfiguration.Builder().seed(Seeds.model(seed)).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(data.info()[0]).nOut(32).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(32).nOut(data.info()[1])
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    @Override
    public double evaluate(Model model, List<DataSet> batches) {
        return Metrics.accuracy(model, batches);
    }
}
