package org.metaadamw.examples;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.examples.tasks.ForecastingTask;
import org.metaadamw.examples.tasks.PreparedData;
import org.metaadamw.examples.tasks.Task;
import org.metaadamw.examples.tasks.TranslationTask;
import org.nd4j.linalg.dataset.DataSet;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example jobs' executor-side data path: minibatches prepared once as Parquet, read back by the
 * executors, train and evaluate exactly as the same minibatches parallelized from the driver. Real
 * data (the fetched weather series and German–English pairs), Spark local[2].
 */
class PreparedDataTest {
    private static JavaSparkContext sc;
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("prepared-data-test").set("spark.ui.enabled", "false"));
        spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
    }

    @AfterAll
    static void stop() {
        sc.close();
    }

    private static void assertSameBatches(List<DataSet> expected, List<DataSet> got, String what) {
        assertEquals(expected.size(), got.size(), what + ": minibatches");
        for (int i = 0; i < expected.size(); i++) {
            DataSet a = expected.get(i), b = got.get(i);
            assertBits(a.getFeatures(), b.getFeatures(), what + " " + i + " features");
            assertBits(a.getLabels(), b.getLabels(), what + " " + i + " labels");
            assertBits(a.getFeaturesMaskArray(), b.getFeaturesMaskArray(), what + " " + i + " features mask");
            assertBits(a.getLabelsMaskArray(), b.getLabelsMaskArray(), what + " " + i + " labels mask");
        }
    }

    /** Same shape, data type and bytes (INDArray.equals allows a tolerance). */
    private static void assertBits(org.nd4j.linalg.api.ndarray.INDArray a, org.nd4j.linalg.api.ndarray.INDArray b, String what) {
        if (a == null || b == null) {
            assertEquals(a, b, what);
            return;
        }
        assertArrayEquals(a.shape(), b.shape(), what + " shape");
        assertEquals(a.dataType(), b.dataType(), what + " data type");
        assertArrayEquals(a.dup('c').data().asBytes(), b.dup('c').data().asBytes(), what);
    }

    @Test
    void preparedMinibatchesWithMasksReadBackEqualAndInOrder(@TempDir Path dir) throws Exception {
        Task.Data data = new TranslationTask().load(Task.Scale.QUICK, 0);
        assertNotNull(data.train().get(0).getLabelsMaskArray(), "translation minibatches carry masks");
        String d = dir.resolve("translation").toUri().toString();
        PreparedData.Info written = PreparedData.write(spark, data, "k1", d);
        PreparedData.Info read = PreparedData.readInfo(d, sc.hadoopConfiguration());
        assertEquals("k1", read.key());
        assertArrayEquals(data.info(), read.info());
        assertArrayEquals(written.counts(), read.counts());
        assertSameBatches(data.train(), PreparedData.read(spark, d, "train").collect(), "train");
        assertSameBatches(data.valid(), PreparedData.read(spark, d, "valid").collect(), "valid");
        assertSameBatches(data.test(), PreparedData.read(spark, d, "test").collect(), "test");
    }

    @Test
    void aRunOnPreparedDataEqualsTheRunOnDriverData(@TempDir Path dir) throws Exception {
        Task task = new ForecastingTask(null, null);
        Task.Data data = task.load(Task.Scale.QUICK, 0);
        String d = dir.resolve("forecasting").toUri().toString();
        PreparedData.Info info = PreparedData.write(spark, data, "k", d);
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().controller("metaadamw").learningRate(1e-3).numWorkers(2).build();
        var spec = new TaskRunner.Spec("metaadamw", cfg, 0, 2, 0);
        TaskRunner.Result driver = TaskRunner.run(sc, task, TaskRunner.Rdds.of(sc, data, 2), spec, System.out::println);
        TaskRunner.Result executors = TaskRunner.run(sc, task, TaskRunner.Rdds.read(spark, d, info), spec, System.out::println);
        assertEquals(driver.paramsSha256(), executors.paramsSha256(), "final parameters");
        assertEquals(driver.validation(), executors.validation(), "validation MSE per epoch (driver lists vs executors)");
        assertEquals(driver.test(), executors.test(), 0.0, "test MSE");
        assertEquals(driver.trainLoss(), executors.trainLoss());
    }

    @Test
    void theJobPreparesOnceThenReadsAndRefusesADirectoryOfOtherOptions(@TempDir Path dir) throws Exception {
        Task task = new ForecastingTask(null, null);
        Map<String, String> opt = Map.of("data", dir.resolve("p").toUri().toString());
        var first = TaskJob.prepared(sc, task, Task.Scale.QUICK, 0, opt);
        PreparedData.Info info = PreparedData.readInfo(opt.get("data"), sc.hadoopConfiguration());
        assertEquals(TaskJob.dataKey("forecasting", Task.Scale.QUICK, 0, opt), info.key());
        long mtime = java.nio.file.Files.getLastModifiedTime(dir.resolve("p/prepared.json")).toMillis();
        var second = TaskJob.prepared(sc, task, Task.Scale.QUICK, 0, opt);
        assertEquals(mtime, java.nio.file.Files.getLastModifiedTime(dir.resolve("p/prepared.json")).toMillis(), "prepared again");
        assertEquals(first.train().count(), second.train().count());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskJob.prepared(sc, task, Task.Scale.QUICK, 1, opt));
        assertTrue(e.getMessage().contains("prepared.json: these minibatches were prepared from other data options"), e.getMessage());
        assertTrue(!TaskJob.dataKey("forecasting", Task.Scale.QUICK, 0, Map.of())
                .equals(TaskJob.dataKey("forecasting", Task.Scale.FULL, 0, Map.of())));
    }
}
