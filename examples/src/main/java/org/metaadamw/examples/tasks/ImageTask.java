package org.metaadamw.examples.tasks;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.metaadamw.examples.io.CifarBinary;
import org.metaadamw.examples.io.ImageData;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Image classification (the paper's CIFAR-10 stand-in): Fashion-MNIST (Debian dataset-fashion-mnist),
 * the training images of which one sixth is held out for validation, and the test images (6,000 and
 * 2,000 at the benchmark scale); or CIFAR-10 binary ({@code --cifar DIR}: all of
 * {@code data_batch_1.bin} .. {@code data_batch_5.bin} for training and validation, {@code test_batch.bin}
 * for test; smaller scales take a seeded random sample of them). The training images are shuffled
 * with a fixed seed before the validation sixth is held out, so that a file sorted by class still gives
 * every split every class; a split that lacks a class is reported. Metric: test accuracy. Model: conv
 * 5×5×8, max-pool, conv 3×3×16, max-pool, dense 64, softmax.
 */
public final class ImageTask extends AbstractTask {
    /** The split does not depend on the run's seed: every seed of a benchmark sees the same images. */
    static final long SPLIT_SEED = 4321;
    private final Path cifar;
    private int channels = 1, size = 28;

    public ImageTask() {
        this(null);
    }

    public ImageTask(Path cifar) {
        super("image", "accuracy", true);
        this.cifar = cifar;
    }

    @Override
    public Data load(Scale scale, long seed) throws IOException {
        int nTrain = scale == Scale.QUICK ? 1200 : scale == Scale.BENCHMARK ? 6000 : 60000, nTest = scale == Scale.QUICK ? 500 : scale == Scale.BENCHMARK ? 2000 : 10000;
        DataSet train, test;
        String source;
        if (cifar != null) {
            // a seeded sample of all five training files, in shuffled order (the shuffle before the split)
            List<Path> batches = CifarBinary.trainingBatches(cifar);
            int nAll = CifarBinary.records(batches);
            train = CifarBinary.read(batches, Arrays.copyOf(Splits.permutation(nAll, SPLIT_SEED), Math.min(nTrain, nAll)));
            Path testFile = CifarBinary.testBatch(cifar);
            int nTestAll = CifarBinary.records(testFile);
            test = CifarBinary.read(List.of(testFile), Arrays.copyOf(Splits.permutation(nTestAll, SPLIT_SEED + 1), Math.min(nTest, nTestAll)));
            channels = 3;
            size = 32;
            source = "CIFAR-10 binary in " + cifar + " (" + batches.size() + " training files)";
        } else {
            train = Splits.shuffled(ImageData.fashionMnist(true, nTrain, false), SPLIT_SEED);
            test = ImageData.fashionMnist(false, nTest, false);
            source = "Fashion-MNIST (Debian dataset-fashion-mnist)";
        }
        int nValid = train.numExamples() / 6;
        var split = train.splitTestAndTrain(train.numExamples() - nValid);
        var data = new Data(Batches.of(split.getTrain(), 32), Batches.of(split.getTest(), 32), Batches.of(test, 250),
                String.format("%s: %d/%d/%d images", source, split.getTrain().numExamples(), nValid, test.numExamples()),
                new int[]{channels, size});
        long[] trainClasses = Splits.classCounts(data.train());
        Splits.warnMissingClasses(name(), "validation", trainClasses, Splits.classCounts(data.valid()));
        Splits.warnMissingClasses(name(), "test", trainClasses, Splits.classCounts(data.test()));
        return data;
    }

    @Override
    public Model model(int[] info, long seed) {
        var conf = new NeuralNetConfiguration.Builder().seed(Seeds.model(seed)).weightInit(WeightInit.XAVIER).list()
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(8).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(16).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(64).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(info[1], info[1], info[0])).build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    @Override
    public Metric evaluation() {
        return Metric.ACCURACY;
    }
}
