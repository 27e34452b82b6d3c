package org.metaadamw.ml;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.spark.SparkMetaAdamW;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Estimator with a ComputationGraph, a recurrent input reshaped by {@code featuresShape}, and a
 * {@link BatchConverter} with labels per time step, on real data (Iris, its four measurements read
 * as a sequence of four steps), in a real local Spark.
 */
class GraphAndSequenceEstimatorTest {

    @BeforeAll
    static void start() {
        MetaAdamWEstimatorTest.start();
    }

    @AfterAll
    static void stop() {
        MetaAdamWEstimatorTest.stop();
    }

    static ComputationGraphConfiguration graphMlp() {
        return new NeuralNetConfiguration.Builder().seed(7).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(4).nOut(16).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out").build();
    }

    /** Many-to-one: an LSTM over the 4 steps, its last step into a softmax. */
    static ComputationGraphConfiguration graphLstm() {
        return new NeuralNetConfiguration.Builder().seed(7).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in")
                .addLayer("lstm", new LastTimeStep(new LSTM.Builder().nIn(1).nOut(16).activation(Activation.TANH).build()), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "lstm")
                .setOutputs("out").build();
    }

    /** Many-to-many: a label at every step ([b, 3, 4]), softmax per step. */
    static ComputationGraphConfiguration graphLstmPerStep() {
        return new NeuralNetConfiguration.Builder().seed(7).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in")
                .addLayer("lstm", new LSTM.Builder().nIn(1).nOut(16).activation(Activation.TANH).build(), "in")
                .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "lstm")
                .setOutputs("out").setInputTypes(InputType.recurrent(1, 4)).build();
    }

    /** Iris rows to [b, 1, 4] sequences with the class as the label of every step. Public, no-arg: the Estimator keeps the class name. */
    public static final class IrisSteps implements BatchConverter {
        @Override
        public DataSet toDataSet(List<Row> rows) {
            INDArray labels = Nd4j.zeros(rows.size(), 3, 4);
            for (int i = 0; i < rows.size(); i++) {
                double c = rows.get(i).<Double>getAs("label");
                for (int t = 0; t < 4; t++) {
                    labels.putScalar(new int[]{i, (int) c, t}, 1.0);
                }
            }
            return new DataSet(toFeatures(rows), labels.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
        }

        @Override
        public INDArray toFeatures(List<Row> rows) {
            float[][] x = new float[rows.size()][];
            for (int i = 0; i < x.length; i++) {
                x[i] = new float[4];
                double[] v = rows.get(i).<Vector>getAs("features").toArray();
                for (int j = 0; j < 4; j++) {
                    x[i][j] = (float) v[j];
                }
            }
            return Nd4j.create(x).reshape('c', rows.size(), 1, 4);
        }
    }

    /** Returns one example too few: the stage must name the converter and the shapes. */
    public static final class ShortBatches implements BatchConverter {
        @Override
        public DataSet toDataSet(List<Row> rows) {
            DataSet d = new IrisSteps().toDataSet(rows);
            return d.numExamples() > 1 ? (DataSet) d.splitTestAndTrain(d.numExamples() - 1).getTrain() : d;
        }
    }

    @Test
    void aComputationGraphTrainsSavesAndLoadsAsPlainDl4j(@TempDir Path dir) throws Exception {
        Dataset<Row> df = MetaAdamWEstimatorTest.irisVectors(2);
        MetaAdamWModel model = new MetaAdamWEstimator().setNetwork(graphMlp()).setEpochs(20).setBatchSize(10)
                .setLearningRate(1e-2).setNumWorkers(2).setAveragingFrequency(2).setConf("validationHoldout", "4").fit(df);
        Dataset<Row> out = model.transform(df);
        double acc = MetaAdamWEstimatorTest.accuracy(out);
        System.out.printf("Iris, ComputationGraph, 20 epochs: training accuracy %.4f%n", acc);
        assertTrue(acc > 0.9, "training accuracy " + acc);
        assertTrue(model.network() instanceof ComputationGraph);

        String path = dir.resolve("graph-model").toString();
        model.write().save(path);
        MetaAdamWModel loaded = MetaAdamWModel.load(path);
        assertEqualPredictions(out, loaded.transform(df), "probability");
        ComputationGraph plain = ModelSerializer.restoreComputationGraph(dir.resolve("graph-model/network.zip").toFile());
        assertArrayEquals(model.network().params().toDoubleVector(), plain.params().toDoubleVector(), 0.0);
    }

    @Test
    void theEstimatorTrainsAGraphExactlyAsTheRddTrainerOnTheSameMinibatches() {
        Dataset<Row> df = MetaAdamWEstimatorTest.irisVectors(1);
        MetaAdamWEstimator est = new MetaAdamWEstimator().setNetwork(graphMlp()).setEpochs(3).setBatchSize(10).setNumWorkers(1)
                .setLearningRate(1e-2).setConf("validationHoldout", "4");
        INDArray viaEstimator = est.fit(df).network().params();

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(MetaAdamWEstimatorTest.spark.sparkContext());
        List<DataSet> batches = new ArrayList<>();
        for (DataSet d : TestNets.irisBatches(10, 1)) {
            batches.add(new DataSet(d.getFeatures(), d.getLabels()));
        }
        ComputationGraph net = new ComputationGraph(graphMlp());
        net.init();
        new SparkMetaAdamW(jsc, net, MetaAdamWConfig.builder().numWorkers(1).learningRate(1e-2).validationHoldout(4).build())
                .fit(jsc.parallelize(batches, 1), null, 3);
        assertEquals(0.0, viaEstimator.sub(net.params()).amaxNumber().doubleValue(), 0.0,
                "Estimator on rows vs trainer on the same minibatches: max |Δθ|");
    }

    @Test
    void aRecurrentGraphReadsFlatFeaturesAsASequenceByFeaturesShape() {
        Dataset<Row> df = MetaAdamWEstimatorTest.irisVectors(2);
        MetaAdamWEstimator est = new MetaAdamWEstimator().setNetwork(graphLstm()).setFeaturesShape(1, 4).setEpochs(30)
                .setBatchSize(10).setLearningRate(1e-2).setNumWorkers(2).setAveragingFrequency(2).setConf("validationHoldout", "4");
        MetaAdamWModel model = est.fit(df);
        double acc = MetaAdamWEstimatorTest.accuracy(model.transform(df));
        System.out.printf("Iris as 4-step sequences, LSTM, 30 epochs: training accuracy %.4f%n", acc);
        assertTrue(acc > 0.85, "training accuracy " + acc);
        // the reshape is the documented one: row-major [features, timeSteps], here 1 × 4
        List<Row> rows = df.limit(3).collectAsList();
        INDArray x = RowFormat.columns("features", "label", Networks.spec(model.network()), new int[]{1, 4}).features(rows, 0);
        assertArrayEquals(new long[]{3, 1, 4}, x.shape());
        assertArrayEquals(((Vector) rows.get(2).get(0)).toArray(), x.slice(2).reshape(4).toDoubleVector(), 1e-6);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> est.setFeaturesShape(0, 4));
        assertTrue(e.getMessage().contains("featuresShape [0, 4]"), e.getMessage());
        Exception wrong = assertThrows(Exception.class, () -> new MetaAdamWEstimator().setNetwork(graphLstm()).setFeaturesShape(1, 5)
                .setNumWorkers(1).fit(df));
        assertTrue(MetaAdamWEstimatorTest.rootMessage(wrong).contains("column 'features', row 0 of its partition: 4 values, the network's input takes 5"),
                MetaAdamWEstimatorTest.rootMessage(wrong));
    }

    @Test
    void aBatchConverterGivesLabelsPerTimeStepAndIsKeptBySaveAndLoad(@TempDir Path dir) throws Exception {
        Dataset<Row> df = MetaAdamWEstimatorTest.irisVectors(2);
        MetaAdamWModel model = new MetaAdamWEstimator().setNetwork(graphLstmPerStep()).setBatchConverter(IrisSteps.class)
                .setEpochs(30).setBatchSize(10).setLearningRate(1e-2).setNumWorkers(2).setAveragingFrequency(2)
                .setConf("validationHoldout", "4").fit(df);
        Dataset<Row> out = model.transform(df);
        assertEquals(SQLDataTypes.VectorType(), out.schema().apply("prediction").dataType());
        List<Row> rows = out.select("label", "prediction").collectAsList();
        int right = 0;
        for (Row r : rows) {
            double[] y = ((Vector) r.get(1)).toArray(); // [3, 4] flattened row-major: class k at step t is y[k * 4 + t]
            assertEquals(12, y.length);
            int best = 0;
            for (int k = 1; k < 3; k++) {
                best = y[k * 4 + 3] > y[best * 4 + 3] ? k : best;
            }
            right += best == (int) r.getDouble(0) ? 1 : 0;
        }
        double acc = right / (double) rows.size();
        System.out.printf("Iris as 4-step sequences, labels per step, 30 epochs: last-step training accuracy %.4f%n", acc);
        assertTrue(acc > 0.85, "last-step accuracy " + acc);

        String path = dir.resolve("converter-model").toString();
        model.write().save(path);
        assertEqualPredictions(out, MetaAdamWModel.load(path).transform(df), "prediction");

        IllegalArgumentException notOne = assertThrows(IllegalArgumentException.class,
                () -> new MetaAdamWEstimator().setBatchConverter(castAway(String.class)));
        assertTrue(notOne.getMessage().contains("does not implement " + BatchConverter.class.getName()), notOne.getMessage());
        Exception shortBatch = assertThrows(Exception.class, () -> new MetaAdamWEstimator().setNetwork(graphLstmPerStep())
                .setBatchConverter(ShortBatches.class).setNumWorkers(1).setBatchSize(10).fit(df));
        String msg = MetaAdamWEstimatorTest.rootMessage(shortBatch);
        assertTrue(msg.contains(ShortBatches.class.getName() + ".toDataSet on rows 0..9 of the partition returned shape [9, 1, 4]"), msg);
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends BatchConverter> castAway(Class<?> c) {
        return (Class<? extends BatchConverter>) c;
    }

    private static void assertEqualPredictions(Dataset<Row> a, Dataset<Row> b, String vectorCol) {
        List<Row> x = a.select(vectorCol).collectAsList(), y = b.select(vectorCol).collectAsList();
        assertEquals(x.size(), y.size());
        for (int i = 0; i < x.size(); i++) {
            assertArrayEquals(((Vector) x.get(i).get(0)).toArray(), ((Vector) y.get(i).get(0)).toArray(), 0.0, "row " + i);
        }
    }
}
