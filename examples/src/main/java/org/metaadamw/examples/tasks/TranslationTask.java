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
import org.metaadamw.io.DataPaths;
import org.metaadamw.io.ParallelText;
import org.metaadamw.io.TextCorpus;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * German→English translation (the paper's Multi30k stand-in): whole-sentence pairs of the Ding
 * dictionary (Debian trans-de-en), or any line-aligned pair of files ({@code --src F --tgt F},
 * Multi30k layout, optionally gzipped). Sentences of at most 10 tokens; shuffled and split 80/10/10.
 *
 * <p>Model: an encoder–decoder in one ComputationGraph with a single input [b, 2, T]: channel 0 holds
 * the source (left-padded, so the encoder's last step is the sentence end), channel 1 the decoder
 * input (begin marker + target, teacher forcing). Encoder: embedding 64, LSTM 96, last step,
 * repeated over time; decoder: embedding 64 merged with the encoding, LSTM 96, softmax. Metric:
 * test perplexity over the target tokens (label mask excludes padding).
 */
public final class TranslationTask extends AbstractTask {
    static final int MAX = 10, T = MAX + 1;
    private final Path src, tgt;

    public TranslationTask() {
        this(null, null);
    }

    public TranslationTask(Path src, Path tgt) {
        super("translation", "perplexity", false);
        this.src = src;
        this.tgt = tgt;
    }

    @Override
    public Data load(Scale scale, long seed) throws IOException {
        List<ParallelText.Pair> pairs = src != null ? ParallelText.read(src, tgt)
                : ParallelText.dingSentences(DataPaths.dataset("de-en").resolve("de-en"), 4);
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
        Collections.shuffle(kept, new Random(1234));   // the split does not depend on the run's seed
        if (scale != Scale.FULL) {
            kept = kept.subList(0, Math.min(kept.size(), scale == Scale.QUICK ? 1200 : 3000));
        }
        int nTrain = (int) (kept.size() * 0.8), nValid = (int) (kept.size() * 0.1);
        List<String> srcTokens = new ArrayList<>(), tgtTokens = new ArrayList<>();
        for (List<String>[] p : kept.subList(0, nTrain)) {
            srcTokens.addAll(p[0]);
            tgtTokens.addAll(p[1]);
        }
        int vs = scale == Scale.QUICK ? 400 : scale == Scale.BENCHMARK ? 1200 : 2000;
        // target ids: 0 <unk>, then words; markers appended: pad = V, bos = V+1, eos = V+2
        var sv = TextCorpus.Vocabulary.build(srcTokens, vs);
        var tv = TextCorpus.Vocabulary.build(tgtTokens, vs);
        int[] info = {sv.size() + 1, tv.size() + 3};
        return new Data(encode(kept.subList(0, nTrain), sv, tv, 32), encode(kept.subList(nTrain, nTrain + nValid), sv, tv, 32),
                encode(kept.subList(nTrain + nValid, kept.size()), sv, tv, 64),
                String.format("%s: %d sentence pairs of <= %d tokens (%d/%d/%d), vocabularies %d/%d",
                        src != null ? src + " / " + tgt : "Ding de-en (Debian trans-de-en 1.9-6)", kept.size(), MAX, nTrain, nValid,
                        kept.size() - nTrain - nValid, info[0], info[1]), info);
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
    public Model model(Data data, long seed) {
        int vs = data.info()[0], vt = data.info()[1];
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
    public double evaluate(Model model, List<DataSet> batches) {
        return Metrics.perplexity(model, batches);
    }
}
