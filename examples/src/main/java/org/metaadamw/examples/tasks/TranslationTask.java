package org.metaadamw.examples.tasks;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.rnn.DuplicateToTimeSeriesVertex;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.metaadamw.examples.io.DataFormatException;
import org.metaadamw.examples.io.DataPaths;
import org.metaadamw.examples.io.ParallelText;
import org.metaadamw.examples.io.TextCorpus;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * German→English translation (the paper's Multi30k stand-in): whole-sentence pairs of the Ding
 * dictionary (Debian trans-de-en), or any line-aligned pair of files ({@code --src F --tgt F},
 * Multi30k layout, optionally gzipped) with optionally the official validation and test pairs
 * ({@code --valid-src F --valid-tgt F}, {@code --test-src F --test-tgt F}: Multi30k's {@code val.de/en}
 * and {@code test_2016_flickr.de/en}). Sentences of at most 10 tokens (in every split: the model's
 * sequence length is fixed); the splits not given are carved out of the training pairs after a shuffle
 * with a fixed seed, 10 % each (80/10/10 when neither is given).
 *
 * <p>Model: an encoder–decoder in one ComputationGraph with a single input [b, 2, T]: channel 0 holds
 * the source (left-padded, so the encoder's last step is the sentence end), channel 1 the decoder
 * input (begin marker + target, teacher forcing). Encoder: embedding 64, LSTM 96, last step,
 * repeated over time; decoder: embedding 64 merged with the encoding, LSTM 96, softmax. Metric:
 * test perplexity over the target tokens (label mask excludes padding).
 */
public final class TranslationTask extends AbstractTask {
    static final int MAX = 10, T = MAX + 1;
    /** The split does not depend on the run's seed (see {@link Splits}). */
    static final long SPLIT_SEED = 1234;
    private static final double TRAIN = 0.8, VALID = 0.1, TEST = 0.1;

    /** A line-aligned pair of files: line i of {@code source} translates to line i of {@code target}. */
    public record Files(Path source, Path target) {
        public Files {
            if (source == null || target == null) {
                throw new IllegalArgumentException("a parallel corpus needs a source and a target file (got " + source + ", " + target + ")");
            }
        }

        @Override
        public String toString() {
            return source + " / " + target;
        }
    }

    private final Files train, valid, test;

    public TranslationTask() {
        this(null, null, null);
    }

    public TranslationTask(Path src, Path tgt) {
        this(new Files(src, tgt), null, null);
    }

    /**
     * @param train the training pairs (null: the Ding dictionary's sentences)
     * @param valid the validation pairs, or null to hold out 10 % of {@code train}
     * @param test  the test pairs, or null to hold out 10 % of {@code train}
     */
    public TranslationTask(Files train, Files valid, Files test) {
        super("translation", "perplexity", false);
        this.train = train;
        this.valid = valid;
        this.test = test;
    }

    @Override
    public Data load(Scale scale, long seed) throws IOException {
        List<ParallelText.Pair> pairs = train != null ? ParallelText.read(train.source(), train.target())
                : ParallelText.dingSentences(DataPaths.dataset("de-en").resolve("de-en"), 4);
        List<List<String>[]> kept = Splits.shuffled(tokenized(pairs), SPLIT_SEED);
        List<List<String>[]> va = null, te = null;
        StringBuilder given = new StringBuilder();
        if (valid != null) {
            List<ParallelText.Pair> p = ParallelText.read(valid.source(), valid.target());
            va = Splits.shuffled(kept(valid, p), SPLIT_SEED + 1);
            given.append(String.format("; validation %s: %d of %d pairs kept", valid, va.size(), p.size()));
        }
        if (test != null) {
            List<ParallelText.Pair> p = ParallelText.read(test.source(), test.target());
            te = Splits.shuffled(kept(test, p), SPLIT_SEED + 2);
            given.append(String.format("; test %s: %d of %d pairs kept", test, te.size(), p.size()));
        }
        if (scale != Scale.FULL) {
            int cap = scale == Scale.QUICK ? 1200 : 3000;
            kept = kept.subList(0, Math.min(kept.size(), cap));
            va = va == null ? null : va.subList(0, Math.min(va.size(), cap / 10));
            te = te == null ? null : te.subList(0, Math.min(te.size(), cap / 10));
        }
        int n = kept.size();
        int nValid = va == null ? (int) (n * VALID) : 0, nTest = te == null ? (int) (n * TEST) : 0;
        int nTrain = va == null && te == null ? (int) (n * TRAIN) : n - nValid - nTest;
        List<List<String>[]> tr = kept.subList(0, nTrain);
        if (va == null) {
            va = kept.subList(nTrain, nTrain + nValid);
        }
        if (te == null) {
            te = kept.subList(nTrain + nValid, n);
        }
        List<String> srcTokens = new ArrayList<>(), tgtTokens = new ArrayList<>();
        for (List<String>[] p : tr) {
            srcTokens.addAll(p[0]);
            tgtTokens.addAll(p[1]);
        }
        int vs = scale == Scale.QUICK ? 400 : scale == Scale.BENCHMARK ? 1200 : 2000;
        // target ids: 0 <unk>, then words; markers appended: pad = V, bos = V+1, eos = V+2
        var sv = TextCorpus.Vocabulary.build(srcTokens, vs);
        var tv = TextCorpus.Vocabulary.build(tgtTokens, vs);
        int[] info = {sv.size() + 1, tv.size() + 3};
        return new Data(encode(tr, sv, tv, 32), encode(va, sv, tv, 32), encode(te, sv, tv, 64),
                String.format("%s: %d sentence pairs of <= %d tokens (%d/%d/%d), vocabularies %d/%d%s",
                        train != null ? train.toString() : "Ding de-en (Debian trans-de-en 1.9-6)", n, MAX, tr.size(), va.size(),
                        te.size(), info[0], info[1], given), info);
    }

    /** The pairs of {@code files} that fit the model; refuses a split of which none does. */
    private static List<List<String>[]> kept(Files files, List<ParallelText.Pair> pairs) throws DataFormatException {
        List<List<String>[]> kept = tokenized(pairs);
        if (kept.isEmpty()) {
            throw new DataFormatException(files.source(), 0, "none of its " + pairs.size() + " sentence pairs has at most " + MAX
                    + " tokens a side (" + files + ")");
        }
        return kept;
    }

    /** Tokenised pairs whose source has at most {@code MAX} tokens and whose target leaves room for the end marker. */
    private static List<List<String>[]> tokenized(List<ParallelText.Pair> pairs) {
        List<List<String>[]> kept = new ArrayList<>();
        for (ParallelText.Pair p : pairs) {
            List<String> a = new ArrayList<>(), b = new ArrayList<>();
            TextCorpus.tokenize(p.source(), a);
            TextCorpus.tokenize(p.target(), b);
            if (a.size() <= MAX && b.size() <= MAX - 1) {
                @SuppressWarnings("unchecked") List<String>[] pair = new List[]{a, b};
                kept.add(pair);
            }
        }
        return kept;
    }

    static List<DataSet> encode(List<List<String>[]> pairs, TextCorpus.Vocabulary sv, TextCorpus.Vocabulary tv, int batch) {
        int n = pairs.size();
        int srcPad = sv.size(), pad = tv.size(), bos = tv.size() + 1, eos = tv.size() + 2;
        float[] x = new float[n * 2 * T], y = new float[n * T], mask = new float[n * T];
        for (int i = 0; i < n; i++) {
            List<String> a = pairs.get(i)[0], b = pairs.get(i)[1];
            int off = T - a.size();
            for (int t = 0; t < T; t++) {
                x[(i * 2) * T + t] = t < off ? srcPad : sv.id(a.get(t - off));
                int dec = t == 0 ? bos : t - 1 < b.size() ? tv.id(b.get(t - 1)) : pad;
                x[(i * 2 + 1) * T + t] = dec;
                int lab = t < b.size() ? tv.id(b.get(t)) : t == b.size() ? eos : pad;
                y[i * T + t] = lab;
                mask[i * T + t] = t <= b.size() ? 1f : 0f;
            }
        }
        DataSet all = new DataSet(Nd4j.create(x, new long[]{n, 2, T}, 'c'), Nd4j.create(y, new long[]{n, 1, T}, 'c'),
                null, Nd4j.create(mask, new long[]{n, T}, 'c'));
        return Batches.of(all, batch);
    }

    @Override
    public Model model(int[] info, long seed) {
        int vs = info[0], vt = info[1];
        var conf = new NeuralNetConfiguration.Builder().seed(Seeds.model(seed)).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in")
                .addLayer("srcEmb", new EmbeddingSequenceLayer.Builder().nIn(vs).nOut(64).build(), new ChannelSelect(0), "in")
                .addLayer("encoder", new LastTimeStep(new LSTM.Builder().nIn(64).nOut(96).activation(Activation.TANH).build()), "srcEmb")
                .addVertex("encoding", new DuplicateToTimeSeriesVertex("in"), "encoder")
                .addLayer("tgtEmb", new EmbeddingSequenceLayer.Builder().nIn(vt).nOut(64).build(), new ChannelSelect(1), "in")
                .addVertex("decIn", new MergeVertex(), "encoding", "tgtEmb")
                .addLayer("decoder", new LSTM.Builder().nIn(160).nOut(96).activation(Activation.TANH).build(), "decIn")
                .addLayer("out", new RnnOutputLayer.Builder().dataFormat(RNNFormat.NCW).lossFunction(new LossSparseMCXENT()).nIn(96).nOut(vt)
                        .activation(Activation.SOFTMAX).build(), "decoder")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    @Override
    public Metric evaluation() {
        return Metric.PERPLEXITY;
    }
}
